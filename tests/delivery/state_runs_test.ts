import assert from "node:assert/strict";
import { type Settlement, stateOps } from "../../lib/delivery/settle.ts";
import { PendingIds } from "../../lib/intake/pending.ts";
import type { Mutation } from "../../lib/store/committer.ts";
import { decodeStateRun, encodeMessage } from "../../lib/store/layouts.ts";
import { Keys, Store } from "../../lib/store/store.ts";
import { messageRecord } from "../support/records.ts";
import { Rng } from "../support/rng.ts";
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

/**
 * A model check of the state-run invariant over random histories: ids refused, stored, parked
 * for joining, of unknown fate, settled in random groups with random outcomes (states written as
 * settling writes them), and restarts (ids resumed). Afterwards every stored message must read
 * its own outcome (or none), runs must not overlap, and the resume scan from the checkpoint must
 * find exactly the unsettled messages.
 */
Deno.test("state runs never cover a message they did not settle (random histories)", async () => {
  for (let seed = 1; seed <= 40; seed++) {
    const rng = new Rng(seed);
    const kv = await Deno.openKv(":memory:");
    try {
      const store = new Store(kv);
      let pending = new PendingIds();
      /** Outcome (state) of every settled stored id; null for stored and unsettled. */
      const expect = new Map<string, number | null>();
      const joinLater = new Set<string>();
      let next = 1_000_000;
      const apply = async (ops: Mutation[]) => {
        const op = kv.atomic();
        for (const m of ops) if (m.type === "set") op.set(m.key, m.value);
        await op.commit();
      };
      const settle = async () => {
        const open = [...expect].filter(([id, s]) => s === null && !joinLater.has(id));
        const chosen = open.filter(() => rng.next() < 0.6);
        if (chosen.length === 0) return;
        const outcome = () => [2, 5][rng.int(0, 1)];
        const settled: Settlement[] = chosen.map(([id]) => ({
          job: messageRecord({ id }),
          state: { state: outcome(), doneAt: 1, err: "000" },
          ids: [id],
          jobDone: null,
          receipts: [],
        }));
        // Settled in one or two groups, as a big settle splits.
        const cut = rng.int(0, settled.length);
        for (const group of [settled.slice(0, cut), settled.slice(cut)]) {
          if (group.length === 0) continue;
          await apply(stateOps(group, pending));
          for (const s of group) {
            expect.set(s.ids[0], s.state.state);
            pending.delete(s.ids[0]);
          }
        }
      };
      for (let step = 0; step < 60; step++) {
        const r = rng.next();
        if (r < 0.6) {
          const id = String(next++);
          pending.add(id);
          const fate = rng.next();
          if (fate < 0.15) pending.refuse(id);
          else {
            const parked = fate < 0.25;
            const m = messageRecord({ id, route: "sim", ...(parked ? { joinLater: true } : {}) });
            await kv.set(Keys.message(id), encodeMessage(m));
            expect.set(id, null);
            if (parked) {
              joinLater.add(id);
              pending.delete(id);
            } else if (fate < 0.3) pending.delete(id); // a commit of unknown fate
          }
        } else if (r < 0.95) await settle();
        else {
          // A restart: unsettled messages are resumed into fresh PendingIds.
          const fresh = new PendingIds();
          for await (const m of store.pending("sim", "", "9")) fresh.add(m.id, { resumed: true });
          pending = fresh;
        }
      }
      for (const [id, want] of expect) {
        assert.equal((await store.state(id))?.state ?? null, want, `seed ${seed}: state of ${id}`);
      }
      let lastEnd = "";
      for await (const e of kv.list<Uint8Array>({ prefix: Keys.stateRuns() })) {
        const first = String(e.key[1]);
        assert.ok(first > lastEnd, `seed ${seed}: runs overlap at ${first}`);
        lastEnd = decodeStateRun(e.value).last;
      }
      const unsettled = [...expect].filter(([id, s]) => s === null && !joinLater.has(id))
        .map(([id]) => id).filter((id) => id >= pending.checkpoint());
      const resumed = (await Array.fromAsync(store.pending("sim", pending.checkpoint(), "9")))
        .map((m) => m.id);
      assert.deepEqual(resumed, unsettled, `seed ${seed}: resume scan`);
    } finally {
      kv.close();
    }
  }
});
