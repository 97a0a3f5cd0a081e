/** The expiry sweep's hand-off to the route hosts: only messages still ENROUTE expire. */
import assert from "node:assert/strict";
import { RouteHosts } from "../../lib/delivery/route_host.ts";
import type { Outcome, Route } from "../../lib/delivery/route.ts";
import { PendingIds } from "../../lib/intake/pending.ts";
import { GroupCommitter } from "../../lib/store/committer.ts";
import { MessageState } from "../../lib/store/records.ts";
import { Store } from "../../lib/store/store.ts";
import { messageRecord } from "../support/records.ts";
import { within } from "../support/wait.ts";

function fixture(kv: Deno.Kv, settle: (outcomes: Outcome[]) => Promise<void>) {
  const store = new Store(kv);
  const committer = new GroupCommitter(kv);
  const hosts = new RouteHosts({
    store,
    committer,
    pending: new PendingIds(),
    settle,
    inbound: () => Promise.resolve("no-rule"),
    hasRoute: () => true,
    intermediate: () => Promise.resolve(),
  });
  return { store, committer, hosts };
}

Deno.test("RouteHosts.expire() settles only messages still ENROUTE, not one a receipt settled since the sweep read it", async () => {
  await using kv = await Deno.openKv(":memory:");
  const settled: Outcome[] = [];
  const { committer, hosts } = fixture(kv, (outcomes) => {
    settled.push(...outcomes);
    return Promise.resolve();
  });
  const enroute = messageRecord({ id: "1764370000123000001" });
  const delivered = messageRecord({ id: "1764370000123000002" });
  const unknown = messageRecord({ id: "1764370000123000003" });
  await committer.write([
    Store.stateOp(enroute.id, { state: MessageState.ENROUTE, doneAt: 0, err: "000" }),
    // A DLR settled it after the sweep listed it as ENROUTE.
    Store.stateOp(delivered.id, { state: MessageState.DELIVERED, doneAt: Date.now(), err: "000" }),
  ]);
  await hosts.expire([enroute, delivered, unknown].map((job) => ({
    job,
    stat: "EXPIRED" as const,
    err: "000",
  })));
  assert.deepEqual(settled.map((o) => o.job.id), [enroute.id]);
  assert.equal(settled[0].stat, "EXPIRED");
});

Deno.test("RouteHosts.expire() leaves a message a receipt is settling right now", async () => {
  await using kv = await Deno.openKv(":memory:");
  const settled: Outcome[] = [];
  const receiptSettling = Promise.withResolvers<void>();
  const release = Promise.withResolvers<void>();
  const { committer, hosts } = fixture(kv, async (outcomes) => {
    settled.push(...outcomes);
    if (outcomes[0].stat === "DELIVRD") {
      receiptSettling.resolve();
      await release.promise;
    }
  });
  const m = messageRecord({ id: "1764370000123000001" });
  await committer.write([
    ...Store.acceptOps(m),
    Store.stateOp(m.id, { state: MessageState.ENROUTE, doneAt: 0, err: "000" }),
  ]);
  const host = hosts.host({ name: m.route } as Route);
  const receipt = host.receipt({ id: m.id, stat: "DELIVRD", err: "000" });
  await within(receiptSettling.promise, 5000, "the receipt settling");
  await hosts.expire([{ job: m, stat: "EXPIRED", err: "000" }]);
  release.resolve();
  assert.equal(await within(receipt, 5000, "the receipt"), "settled");
  assert.deepEqual(settled.map((o) => o.stat), ["DELIVRD"]);
});
