/**
 * cancel_sm and replace_sm against routes: a message being cancelled or replaced cannot be taken
 * by its route meanwhile, and two changes of one message do not both count.
 */
import assert from "node:assert/strict";
import { Delivery } from "../../lib/delivery/delivery.ts";
import { Router } from "../../lib/delivery/router.ts";
import { Store } from "../../lib/store/store.ts";
import { GroupCommitter } from "../../lib/store/committer.ts";
import { PendingIds } from "../../lib/intake/pending.ts";
import { IdGenerator } from "../../lib/intake/ids.ts";
import { newCounters } from "../../lib/core/counters.ts";
import { manualRoute } from "../support/manual_route.ts";
import { messageRecord } from "../support/records.ts";

/** A delivery over a :memory: KV with one manual route "m" holding one stored message. */
async function withMessage() {
  const kv = await Deno.openKv(":memory:");
  const store = new Store(kv);
  const committer = new GroupCommitter(kv);
  const pending = new PendingIds();
  const route = manualRoute("m");
  const delivery = new Delivery({
    store,
    committer,
    router: new Router([{ route }]),
    pending,
    counters: newCounters(),
    receivers: () => [],
    ids: new IdGenerator(),
  });
  await delivery.start("1");
  const m = messageRecord({ id: "1000000000000000001", route: "m" });
  pending.add(m.id);
  await committer.write(Store.acceptOps(m));
  return {
    m,
    route,
    delivery,
    store,
    async [Symbol.asyncDispose]() {
      await delivery.stop();
      await committer.flush();
      kv.close();
    },
  };
}

Deno.test("a route cannot take a message while its cancel is being stored; two cancels count once", async () => {
  await using t = await withMessage();
  const first = t.delivery.cancel([t.m]);
  const second = t.delivery.cancel([t.m]);
  assert.equal(t.route.host().take(t.m), false, "not taken while the DELETED state is stored");
  assert.deepEqual([await first, await second], [1, 0]);
  assert.equal((await t.store.state(t.m.id))?.state, 4);
  assert.equal(t.route.host().take(t.m), false);
});

Deno.test("a replacement makes the route's copies stale, retry copies too; a concurrent one fails", async () => {
  await using t = await withMessage();
  const next = { ...t.m, body: new TextEncoder().encode("new"), preview: "new" };
  const replacing = t.delivery.replace(next);
  assert.equal(t.route.host().take(t.m), false, "not taken while the replacement is stored");
  assert.equal(await t.delivery.replace({ ...next }), false, "a second replace meanwhile fails");
  assert.equal(await replacing, true);
  const host = t.route.host();
  assert.equal(host.isOpen(t.m), false, "the old copy is stale");
  assert.equal(host.isOpen({ ...t.m, attempts: 1 }), false, "and so is a retry copy of it");
  const job = t.route.jobs.at(-1)!;
  assert.equal(new TextDecoder().decode(job.body), "new");
  assert.equal(host.isOpen({ ...job, attempts: 1 }), true, "a retry copy of the new one is open");
  assert.equal(new TextDecoder().decode((await t.store.message(t.m.id))!.body), "new");
});
