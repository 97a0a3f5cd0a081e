/**
 * Released parts (JobRecord.released): parts that waited to be joined, sent on their own by a
 * route that sends parts. Their hand-over and receipt are their own, not their joined message's.
 */
import assert from "node:assert/strict";
import { ExpirySweep } from "../../lib/delivery/expiry.ts";
import { RouteHosts } from "../../lib/delivery/route_host.ts";
import type { Outcome, Route } from "../../lib/delivery/route.ts";
import { PendingIds } from "../../lib/intake/pending.ts";
import { GroupCommitter } from "../../lib/store/committer.ts";
import {
  type JobRecord,
  type JoinedRecord,
  MessageState,
  type PartRef,
} from "../../lib/store/records.ts";
import { Keys, Store } from "../../lib/store/store.ts";
import { messageRecord } from "../support/records.ts";

/** Two released parts of one joined message, stored, and route hosts that record settles. */
async function releasedPair(kv: Deno.Kv, validUntil?: number) {
  const store = new Store(kv);
  const committer = new GroupCommitter(kv);
  const settled: Outcome[] = [];
  const hosts = new RouteHosts({
    store,
    committer,
    pending: new PendingIds(),
    settle: (outcomes) => {
      settled.push(...outcomes);
      return Promise.resolve();
    },
    inbound: () => Promise.resolve("no-rule"),
    hasRoute: () => true,
    intermediate: () => Promise.resolve(),
  });
  const concat = { group: "g", ref: 5, total: 2 };
  const parts = [1, 2].map((seq) =>
    messageRecord({
      id: `176437000012300000${seq}`,
      joinLater: true,
      concat: { ...concat, seq },
      ...(validUntil ? { validUntil } : {}),
    })
  );
  const refs: PartRef[] = parts.map((m, i) => ({ id: m.id, seq: i + 1, preview: "" }));
  const j: JoinedRecord = {
    id: "1764370000123000009",
    account: parts[0].account,
    group: "g",
    total: 2,
    parts: refs,
    complete: true,
    createdAt: 0,
    released: true,
  };
  const jobs: JobRecord[] = parts.map((m) => ({ ...m, released: true }));
  await committer.write([
    ...parts.flatMap((m) => Store.acceptOps(m)),
    ...Store.joinedOps(j, refs),
    ...jobs.map((job) => Store.jobOp(job)),
  ]);
  const host = hosts.host({ name: parts[0].route } as Route);
  for (const job of jobs) hosts.release(job.id);
  return { store, committer, hosts, host, parts, jobs, settled };
}

Deno.test("a released part is handed over and settled by its own receipt, its siblings untouched", async () => {
  await using kv = await Deno.openKv(":memory:");
  const { store, host, parts, jobs, settled } = await releasedPair(kv);

  assert.equal(host.take(jobs[0]), true);
  await host.handedOver(jobs[0], "P-1");
  assert.equal((await store.state(parts[0].id))?.state, MessageState.ENROUTE);
  assert.equal((await kv.get(Keys.job(jobs[0].route, jobs[0].id))).value, null, "job record gone");
  assert.equal(host.isOpen(jobs[0]), false, "handed over: not sent again");
  assert.equal(host.isOpen(jobs[1]), true);

  assert.equal(await host.receipt({ providerId: "P-1", stat: "DELIVRD", err: "000" }), "settled");
  assert.deepEqual(settled.map((o) => [o.job.id, o.job.released, o.stat]), [
    [parts[0].id, true, "DELIVRD"],
  ]);
  assert.equal(await store.state(parts[1].id), null, "the other part waits for its own outcome");
});

Deno.test("a released part is stored without its body, retried, handed over once, and expires alone", async () => {
  await using kv = await Deno.openKv(":memory:");
  const { store, committer, hosts, host, parts, jobs, settled } = await releasedPair(
    kv,
    Date.now() + 200,
  );
  const stored = (await kv.get<JobRecord>(Keys.job(jobs[0].route, jobs[0].id))).value!;
  assert.equal(stored.body.length, 0, "read from the message when resumed");
  assert.equal(host.take(jobs[0]), true);
  await host.retry(jobs[0], 1, Date.now() + 10);
  assert.equal(host.take({ ...jobs[0], attempts: 1 }), true, "the retry takes it again");
  await host.handedOver(jobs[0], "P-1");
  assert.equal(host.take(jobs[0]), false, "handed over: not sent again");
  assert.equal(await store.routeJob(jobs[0].id), null, "its retry record went at hand-over");
  // The sweep settles what expired by its end: after the part's validity.
  const sweep = new ExpirySweep(store, committer, (o) => hosts.expire(o));
  assert.equal(await sweep.sweep(Date.now() + 60_000), 1);
  assert.deepEqual(settled.map((o) => [o.job.id, o.job.released, o.stat]), [
    [parts[0].id, true, "EXPIRED"],
  ]);
});
