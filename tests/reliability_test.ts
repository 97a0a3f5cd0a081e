import assert from "node:assert/strict";
import { encode } from "../lib/smpp/codec.ts";
import { Status } from "../lib/smpp/status.ts";
import { startGateway } from "../lib/mod.ts";
import { ACCOUNT, TestClient, testGateway, within } from "./support/client.ts";
import { waitUntil } from "./support/wait.ts";

async function bound(
  port: number,
  type: "transmitter" | "receiver" | "transceiver" = "transceiver",
) {
  const c = await TestClient.connect(port);
  assert.equal((await c.bind(ACCOUNT.systemId, ACCOUNT.password, type)).status, 0);
  return c;
}

const sm = (n = 1) => ({
  command: "submit_sm",
  body: { destination_addr: "1", short_message: new Uint8Array(n).fill(65) },
});

Deno.test("a failed KV commit answers submit_sm with 0x08, never OK", async () => {
  const kv = await Deno.openKv(":memory:");
  await using gw = await startGateway({
    port: 0,
    kv,
    accounts: [{ ...ACCOUNT }],
    unbindWaitMs: 200,
  });
  const c = await bound(gw.addr.port);
  try {
    assert.equal((await c.request(sm())).status, 0);
    kv.close();
    const rs = await within(Promise.all([c.send(sm()), c.send(sm()), c.send(sm())]));
    assert.deepEqual(rs.map((r) => r.status), [
      Status.ESME_RSYSERR,
      Status.ESME_RSYSERR,
      Status.ESME_RSYSERR,
    ]);
  } finally {
    c.close();
  }
});

Deno.test("tps limit answers 0x58 once the burst is used, counting message parts", async () => {
  await using gw = await testGateway({ accounts: [{ ...ACCOUNT, tps: 1, burst: 4 }] });
  const c = await bound(gw.addr.port);
  try {
    // A 300-character message_payload is 2 GSM parts.
    const long = await c.request({
      command: "submit_sm",
      body: { destination_addr: "1" },
      tlvs: [{ tag: 0x0424, value: new Uint8Array(300).fill(65) }],
    });
    assert.equal(long.status, 0);
    assert.equal((await c.request(sm())).status, 0);
    assert.equal((await c.request(sm())).status, 0);
    assert.equal((await c.request(sm())).status, Status.ESME_RTHROTTLED);
    assert.equal(gw.gateway.counters.submittedParts, 4, "counters count parts");
  } finally {
    c.close();
  }
});

Deno.test("the daily quota answers 0x58 when used up and survives a restart", async () => {
  const path = await Deno.makeTempFile({ suffix: ".kv" });
  try {
    for (const expected of [[0, 0, Status.ESME_RTHROTTLED], [Status.ESME_RTHROTTLED]]) {
      await using gw = await testGateway({ kv: path, accounts: [{ ...ACCOUNT, dailyQuota: 2 }] });
      const c = await bound(gw.addr.port);
      try {
        for (const status of expected) assert.equal((await c.request(sm())).status, status);
      } finally {
        c.close();
      }
    }
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("repeated bind failures lock out the system_id with 0x0D, even with the right password", async () => {
  await using gw = await testGateway({
    bindLockout: { maxFailures: 3, windowMs: 60_000, lockoutMs: 60_000 },
  });
  for (let i = 0; i < 3; i++) {
    const c = await TestClient.connect(gw.addr.port);
    assert.equal((await c.bind(ACCOUNT.systemId, "wrong")).status, Status.ESME_RINVPASWD);
    c.close();
  }
  const c = await TestClient.connect(gw.addr.port);
  assert.equal((await c.bind(ACCOUNT.systemId, ACCOUNT.password)).status, Status.ESME_RBINDFAIL);
  c.close();
});

Deno.test("a bind from an address outside the account's allowedIps gets 0x0D", async () => {
  await using gw = await testGateway({
    accounts: [{ ...ACCOUNT, allowedIps: ["10.0.0.0/8"] }, {
      systemId: "local",
      password: "pw",
      allowedIps: ["127.0.0.1"],
    }],
  });
  const c = await TestClient.connect(gw.addr.port);
  assert.equal((await c.bind(ACCOUNT.systemId, ACCOUNT.password)).status, Status.ESME_RBINDFAIL);
  c.close();
  const ok = await TestClient.connect(gw.addr.port);
  assert.equal((await ok.bind("local", "pw")).status, 0);
  ok.close();
});

Deno.test("connections past the per-IP limit are closed at once", async () => {
  await using gw = await testGateway({ maxConnectionsPerIp: 2 });
  const a = await TestClient.connect(gw.addr.port);
  const b = await TestClient.connect(gw.addr.port);
  const c = await TestClient.connect(gw.addr.port);
  try {
    await within(c.closed, 2000, "third connection closed");
    assert.equal((await a.request({ command: "enquire_link" })).status, 0);
    b.close();
    await within(b.closed, 2000);
    // Counting is released when a session ends; wait for the server to see b go.
    let d: TestClient | null = null;
    for (let i = 0; i < 50; i++) {
      d = await TestClient.connect(gw.addr.port);
      const r = await d.request({ command: "enquire_link" }, 500).catch(() => null);
      if (r) break;
      d.close();
      d = null;
    }
    assert.ok(d, "a new connection is accepted once one closed");
    d.close();
  } finally {
    [a, b, c].forEach((x) => x.close());
  }
});

Deno.test("a PDU dribbled slower than the PDU timeout gets the connection closed", async () => {
  await using gw = await testGateway({ session: { pduTimeoutMs: 100 } });
  const c = await bound(gw.addr.port);
  try {
    const bytes = encode({ command: "enquire_link", seq: 99 });
    await c.raw(bytes.subarray(0, 6)); // and never the rest
    await within(c.closed, 3000, "server close");
  } finally {
    c.close();
  }
});

Deno.test("a session silent past the inactivity limit is unbound and closed", async () => {
  await using gw = await testGateway({ session: { inactivityMs: 100, enquireLinkMs: 0 } });
  const c = await bound(gw.addr.port);
  try {
    await within(c.closed, 3000, "server close");
    assert.ok(c.inbox.some((p) => p.command === "unbind"), "unbind sent before closing");
  } finally {
    c.close();
  }
});

Deno.test("the deliver window caps unanswered receipts per session", async () => {
  await using gw = await testGateway({ session: { deliverWindow: 2 }, simulator: { delayMs: 0 } });
  const c = await bound(gw.addr.port);
  c.autoAck = false;
  try {
    for (let i = 0; i < 5; i++) assert.equal((await c.submit(`m${i}`)).status, 0);
    await c.next();
    await c.next();
    await assert.rejects(c.next(300), /no deliver_sm/);
  } finally {
    c.close();
  }
});

Deno.test("a receipt never acknowledged expires after the maximum age, with a counter", async () => {
  await using gw = await testGateway({
    receiptMaxAgeMs: 150,
    receiptRetryMs: 20,
    receiptRetryMaxMs: 20,
  });
  const c = await bound(gw.addr.port);
  c.autoAck = Status.ESME_RX_T_APPN;
  try {
    assert.equal((await c.submit("never acknowledged")).status, 0);
    await c.next();
    await waitUntil(() => gw.gateway.receiptCounters.expired > 0, 10_000, "a receipt expired");
    assert.equal(gw.gateway.receiptCounters.expired, 1);
    await waitUntil(
      async () => (await gw.gateway.store.receiptCount()) === 0,
      10_000,
      "the expired receipt left KV",
    );
    assert.equal(await gw.gateway.store.receiptCount(), 0, "the expired receipt left KV");
  } finally {
    c.close();
  }
});
