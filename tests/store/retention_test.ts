import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { ACCOUNT, TestClient, testGateway } from "../support/client.ts";
import { withTempKv } from "../support/kv_file.ts";
import { waitUntil } from "../support/wait.ts";

async function checkpoint(path: string): Promise<bigint> {
  const kv = await Deno.openKv(path);
  try {
    return (await kv.get<Deno.KvU64>(["ckpt", "simulator"])).value?.value ?? 0n;
  } finally {
    kv.close();
  }
}

Deno.test("the route checkpoint only moves forward, also across a run that only delivers receipts", async () => {
  await withTempKv(async (path) => {
    // Run 1: messages asking for receipts, no receiver bound; all settled.
    const one = await testGateway({ kv: path, simulator: { delayMs: 0 } });
    const tx = await TestClient.connect(one.addr.port);
    let last = "";
    try {
      assert.equal((await tx.bind(ACCOUNT.systemId, ACCOUNT.password, "transmitter")).status, 0);
      for (let i = 0; i < 20; i++) last = (await tx.submit(`m${i}`)).body.message_id as string;
      await waitUntil(() => one.gateway.counters.settled >= 20, 10_000, "20 messages settled");
      assert.equal(one.gateway.counters.settled, 20);
    } finally {
      tx.close();
      await one.close();
    }
    const first = await checkpoint(path);
    assert.ok(first >= BigInt(last), `checkpoint ${first} below the last settled id ${last}`);

    // Run 2: only receipts go out.
    const two = await testGateway({ kv: path });
    const rx = await TestClient.connect(two.addr.port);
    try {
      assert.equal((await rx.bind(ACCOUNT.systemId, ACCOUNT.password, "receiver")).status, 0);
      for (let i = 0; i < 20; i++) await rx.next(5000);
      await waitUntil(
        () => two.gateway.receiptCounters.acked >= 20,
        10_000,
        "20 receipts acknowledged",
      );
    } finally {
      rx.close();
      await two.close();
    }
    assert.ok(await checkpoint(path) >= first, "the checkpoint moved back");
  });
});

/** Encodes a string key part as Deno KV does (0x02, UTF-8, 0x00). */
function keyPart(s: string): Uint8Array {
  return new Uint8Array([0x02, ...new TextEncoder().encode(s), 0x00]);
}

Deno.test("finished message pages, states and state runs expire after retentionDays; accounts do not", async () => {
  await withTempKv(async (path) => {
    await using gw = await testGateway({ kv: path, retentionDays: 2, simulator: { delayMs: 20 } });
    const c = await TestClient.connect(gw.addr.port);
    try {
      assert.equal((await c.bind(ACCOUNT.systemId, ACCOUNT.password)).status, 0);
      assert.equal((await c.submit("hello")).status, 0);
      await c.next(5000); // its receipt: the state is written by now
      // Two more in one write settle together: one state run.
      const two = c.sendBatch(["a", "b"].map((t) => ({
        command: "submit_sm",
        body: { source_addr: "Acme", destination_addr: "4470", short_message: t },
      })));
      for (const r of await Promise.all(two)) assert.equal(r.status, 0);
      await waitUntil(() => gw.gateway.counters.settled >= 3, 5000, "3 settled");
    } finally {
      c.close();
    }
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      const rows = db.prepare("SELECT k, expiration_ms FROM kv").all() as {
        k: Uint8Array;
        expiration_ms: number;
      }[];
      const expiry = (prefix: string) => {
        const p = keyPart(prefix);
        return rows.filter((r) => p.every((b, i) => r.k[i] === b)).map((r) => r.expiration_ms);
      };
      const inTwoDays = Date.now() + 2 * 86_400_000;
      // Under load the two may settle apart (two states, no run): count states and runs together.
      assert.ok(expiry("state").length >= 1, "state");
      assert.ok(expiry("state").length + expiry("srun").length >= 2, "states and runs");
      for (const prefix of ["mpage", "state", "srun"]) {
        const got = expiry(prefix);
        if (prefix === "mpage") assert.ok(got.length >= 1, prefix);
        for (const e of got) {
          assert.ok(Math.abs(e - inTwoDays) < 60_000, `${prefix} expires in 2 days`);
        }
      }
      assert.ok(expiry("account").every((e) => e <= 0), "accounts never expire");
    } finally {
      db.close();
    }
  });
});
