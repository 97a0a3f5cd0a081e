import assert from "node:assert/strict";
import { Keys } from "../../lib/store/store.ts";
import { ACCOUNT, TestClient, testGateway } from "../support/client.ts";
import { waitUntil } from "../support/wait.ts";

Deno.test("messages settled together share state runs; query_sm and a restart read them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "smppgw-runs-" });
  const kv = `${dir}/gw.kv`;
  try {
    const ids: string[] = [];
    {
      await using gw = await testGateway({ kv, simulator: { delayMs: 50 } });
      const c = await TestClient.connect(gw.addr.port);
      try {
        assert.equal((await c.bind(ACCOUNT.systemId, ACCOUNT.password)).status, 0);
        // Sent in one write: stored in one commit, settled together by the simulator.
        const rs = await Promise.all(
          c.sendBatch(Array.from({ length: 100 }, (_, i) => ({
            command: "submit_sm",
            body: { source_addr: "Acme", destination_addr: `4470${i}`, short_message: "hi" },
          }))),
        );
        for (const r of rs) {
          assert.equal(r.status, 0);
          ids.push(r.body.message_id as string);
        }
        const counters = gw.gateway.counters;
        await waitUntil(() => counters.settled >= 100, 10_000, "100 settled");
        const own = await Array.fromAsync(gw.kv.list({ prefix: ["state"] }));
        const runs = await Array.fromAsync(gw.kv.list({ prefix: Keys.stateRuns() }));
        assert.ok(
          runs.length >= 1 && own.length + runs.length < 20,
          `${own.length} + ${runs.length}`,
        );
        for (const id of [ids[0], ids[50], ids[99]]) {
          const q = await c.request({
            command: "query_sm",
            body: { message_id: id, source_addr: "Acme" },
          });
          assert.equal(q.status, 0);
          assert.equal(q.body.message_state, 2, `query_sm ${id}`);
        }
      } finally {
        c.close();
      }
    }
    // After a restart nothing is resumed: the runs count as states.
    await using again = await testGateway({ kv, simulator: { delayMs: 50 } });
    assert.equal(again.gateway.counters.settled, 0);
    const c = await TestClient.connect(again.addr.port);
    try {
      assert.equal((await c.bind(ACCOUNT.systemId, ACCOUNT.password)).status, 0);
      const q = await c.request({
        command: "query_sm",
        body: { message_id: ids[70], source_addr: "Acme" },
      });
      assert.equal(q.body.message_state, 2);
      assert.equal(again.gateway.counters.settled, 0, "no message settled twice");
    } finally {
      c.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
