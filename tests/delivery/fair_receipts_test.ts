/** One bad receiver must not slow an account's receipts (issue: fair receipts). */
import assert from "node:assert/strict";
import { Status } from "../../lib/smpp/status.ts";
import { ACCOUNT, TestClient, testGateway, within } from "../support/client.ts";
import { waitUntil } from "../support/wait.ts";

async function bound(port: number, type: "transmitter" | "receiver") {
  const c = await TestClient.connect(port);
  assert.equal((await c.bind(ACCOUNT.systemId, ACCOUNT.password, type)).status, 0);
  return c;
}

/** Submits `n` messages asking for receipts, `batch` in flight at a time. */
async function submitAll(c: TestClient, n: number, batch = 50) {
  for (let i = 0; i < n; i += batch) {
    const rs = await Promise.all(
      Array.from({ length: Math.min(batch, n - i) }, (_, j) => c.submit(`m${i + j}`)),
    );
    assert.ok(rs.every((r) => r.status === 0));
  }
}

async function receiptsAcked(gw: Awaited<ReturnType<typeof testGateway>>, n: number, ms: number) {
  const started = Date.now();
  await waitUntil(() => gw.gateway.receiptCounters.acked >= n, ms, `${n} receipts acknowledged`);
  return Date.now() - started;
}

for (
  const [what, answer, responseTimeoutMs] of [
    ["answers every receipt with an error", Status.ESME_RSYSERR, 30_000],
    ["never answers", false, 1000],
  ] as const
) {
  Deno.test(`a receiver that ${what} beside a good one: all receipts arrive within seconds and it is unbound`, async () => {
    await using gw = await testGateway({
      accounts: [{ ...ACCOUNT, maxSessions: 10 }],
      simulator: { delayMs: 0 },
      // The defaults: an account-wide retry waits 5 s, doubling.
      receiptRetryMs: 5000,
      session: { responseTimeoutMs },
    });
    const clients: TestClient[] = [];
    try {
      const good = await bound(gw.addr.port, "receiver");
      const bad = await bound(gw.addr.port, "receiver");
      bad.autoAck = answer;
      const tx = await bound(gw.addr.port, "transmitter");
      clients.push(good, bad, tx);
      await submitAll(tx, 300);
      await receiptsAcked(gw, 300, 10_000);
      // Unbound after 5 failures in a row: at once when its first receipts fail together, or,
      // when it got only one before its first failure, after skips of 1 + 2 + 4 + 8 s (a loaded
      // CI machine stretches those: the bound is generous). It fails only receipts it is given:
      // a few more messages each second keep it given some once its skip ends.
      const deadline = Date.now() + 45_000;
      while (!(await within(bad.closed, 1000).then(() => true, () => false))) {
        assert.ok(Date.now() < deadline, "the bad receiver unbound within 45 s");
        await submitAll(tx, 5);
      }
      assert.equal(gw.gateway.receiptCounters.receiversUnbound, 1);
    } finally {
      for (const c of clients) c.close();
    }
  });
}

Deno.test("a lone receiver that fails is backed off, not dropped: its receipts arrive once it answers", async () => {
  // One receiver, failing twice then answering: receipts still all arrive (backoff, not loss).
  await using gw = await testGateway({ simulator: { delayMs: 0 }, receiptRetryMs: 50 });
  const clients: TestClient[] = [];
  try {
    const rx = await bound(gw.addr.port, "receiver");
    rx.autoAck = Status.ESME_RX_T_APPN;
    const tx = await bound(gw.addr.port, "transmitter");
    clients.push(rx, tx);
    await submitAll(tx, 2, 2);
    await waitUntil(() => gw.gateway.receiptCounters.retried >= 2, 10_000, "2 receipts retried");
    rx.autoAck = 0;
    await receiptsAcked(gw, 2, 10_000);
    assert.equal(gw.gateway.receiptCounters.receiversUnbound, 0);
  } finally {
    for (const c of clients) c.close();
  }
});
