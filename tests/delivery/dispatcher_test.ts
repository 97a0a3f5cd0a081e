/**
 * ReceiptDispatcher unit tests without TCP: fake receivers answer the deliver_sm, a real Store
 * and GroupCommitter over an in-memory KV hold the outbox.
 */
import { receiptRecord } from "../support/records.ts";
import assert from "node:assert/strict";
import { newCounters } from "../../lib/core/counters.ts";
import {
  type DispatcherOptions,
  ReceiptDispatcher,
  type Receiver,
} from "../../lib/delivery/dispatcher.ts";
import type { PduInit } from "../../lib/smpp/codec.ts";
import { Status } from "../../lib/smpp/status.ts";
import { GroupCommitter, type Mutation } from "../../lib/store/committer.ts";
import type { ReceiptRecord } from "../../lib/store/records.ts";
import { type OutboxPage, Store } from "../../lib/store/store.ts";
import { waitUntil } from "../support/wait.ts";

const ACCOUNT = "acme";

/** A receiver that records what it was sent and answers with `status` (or throws). */
class FakeReceiver implements Receiver {
  readonly interfaceVersion = 0x34;
  /** Message ids of the receipts sent to it, in order. */
  readonly got: string[] = [];
  unbinds = 0;
  room = true;

  constructor(public status: number | "timeout" = Status.ESME_ROK) {}

  canDeliver(): boolean {
    return this.room;
  }
  deliver(pdu: Omit<PduInit, "seq">): Promise<number> {
    this.got.push(pdu.body!.receipt as string);
    if (this.status === "timeout") return Promise.reject(new Error("response timeout"));
    return Promise.resolve(this.status);
  }
  unbind(): Promise<void> {
    this.unbinds++;
    return Promise.resolve();
  }
}

function receipt(id: string): ReceiptRecord {
  const now = Date.now();
  return receiptRecord({
    messageId: id,
    account: ACCOUNT,
    doneAt: now,
    createdAt: now,
    submitAt: now,
  });
}

/** A committer whose writes of resend pages wait until `release()` (to reorder commits). */
class HoldingCommitter extends GroupCommitter {
  hold = false;
  readonly #held: (() => void)[] = [];
  override write(ops: Mutation[], bytes?: number): Promise<void> {
    const resend = ops.some((m) => m.type === "set" && String(m.key[2]).includes(":"));
    if (!this.hold || !resend) return super.write(ops, bytes);
    return new Promise<void>((resolve) => this.#held.push(resolve)).then(() =>
      super.write(ops, bytes)
    );
  }
  /** How many writes wait. */
  get held(): number {
    return this.#held.length;
  }
  release() {
    for (const r of this.#held.splice(0)) r();
  }
}

/** A dispatcher over a fresh in-memory KV; disposing stops it and closes the KV. */
async function outbox(receivers: () => Receiver[], opts: Partial<DispatcherOptions> = {}) {
  const kv = await Deno.openKv(":memory:");
  const store = new Store(kv);
  const counters = newCounters();
  const committer = new HoldingCommitter(kv, { counters });
  const dispatcher = new ReceiptDispatcher(store, committer, {
    receivers: () => receivers(),
    build: (r) => ({ command: "deliver_sm", body: { receipt: r.messageId } }),
    counters,
    ...opts,
  });
  return {
    kv,
    store,
    committer,
    dispatcher,
    /** Stores receipts in outbox pages (as settling does), without telling the dispatcher. */
    async queue(ids: string[]): Promise<OutboxPage[]> {
      const pages = Store.pages(ids.map(receipt));
      await committer.write(pages.map((p) => Store.pageOp(p)));
      return pages;
    },
    async [Symbol.asyncDispose]() {
      dispatcher.stop();
      await committer.flush();
      kv.close();
    },
  };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `m${i + 1}`);

Deno.test("ReceiptDispatcher sends an account's receipts round robin over its receivers", async () => {
  const rx = [new FakeReceiver(), new FakeReceiver(), new FakeReceiver()];
  await using o = await outbox(() => rx);
  await o.queue(ids(6));
  o.dispatcher.pump(ACCOUNT);
  await waitUntil(() => o.dispatcher.counters.acked === 6, 10_000, "6 receipts acknowledged");
  assert.deepEqual(rx.map((r) => r.got), [["m1", "m4"], ["m2", "m5"], ["m3", "m6"]]);
});

Deno.test("ReceiptDispatcher deletes an acknowledged receipt from KV", async () => {
  const rx = new FakeReceiver();
  await using o = await outbox(() => [rx]);
  const [page] = await o.queue(["m1"]);
  assert.equal(await o.store.receiptCount(), 1);
  o.dispatcher.added(page);
  await waitUntil(async () => await o.store.receiptCount() === 0, 10_000, "receipt deleted");
  assert.deepEqual(rx.got, ["m1"]);
  assert.equal(o.dispatcher.counters.acked, 1);
  assert.equal(o.dispatcher.counters.retried, 0);
});

for (const answer of [Status.ESME_RSYSERR, "timeout"] as const) {
  Deno.test(`ReceiptDispatcher skips a receiver that ${answer === "timeout" ? "times out" : "answers an error"} and sends its receipts to a healthy one`, async () => {
    const bad = new FakeReceiver(answer);
    const good = new FakeReceiver();
    // A long account-wide retry: only the hand-over to the healthy receiver can deliver in time.
    await using o = await outbox(() => [bad, good], { retryBaseMs: 600_000 });
    await o.queue(ids(4));
    o.dispatcher.pump(ACCOUNT);
    await waitUntil(async () => await o.store.receiptCount() === 0, 10_000, "all receipts acked");
    assert.deepEqual([...good.got].sort(), ids(4), "the healthy receiver got every receipt");
    assert.ok(bad.got.length >= 1 && bad.got.length <= 2, `bad got ${bad.got}`);
    assert.equal(o.dispatcher.counters.retried, bad.got.length);
    assert.equal(o.dispatcher.counters.acked, 4);
    assert.equal(bad.unbinds, 0, "fewer failures than maxReceiverFailures");
  });
}

Deno.test("ReceiptDispatcher unbinds a receiver that fails maxReceiverFailures times in a row", async () => {
  const bad = new FakeReceiver(Status.ESME_RSYSERR);
  const good = new FakeReceiver();
  await using o = await outbox(() => [bad, good], {
    maxReceiverFailures: 3,
    retryBaseMs: 600_000,
  });
  await o.queue(ids(6));
  // One pump sends all six at once, alternating: the bad receiver gets three before it answers.
  o.dispatcher.pump(ACCOUNT);
  await waitUntil(async () => await o.store.receiptCount() === 0, 10_000, "all receipts acked");
  assert.deepEqual(bad.got, ["m1", "m3", "m5"]);
  assert.equal(bad.unbinds, 1);
  assert.equal(o.dispatcher.counters.receiversUnbound, 1);
  assert.deepEqual([...good.got].sort(), ids(6));
});

Deno.test("ReceiptDispatcher keeps a receipt in KV while no receiver is bound and sends it on a later pump()", async () => {
  let rx: FakeReceiver[] = [];
  await using o = await outbox(() => rx);
  const [page] = await o.queue(["m1"]);
  o.dispatcher.added(page);
  o.dispatcher.pump(ACCOUNT);
  await o.committer.flush();
  assert.equal(await o.store.receiptCount(), 1, "still queued");
  assert.equal(o.dispatcher.counters.sent, 0);

  const late = new FakeReceiver();
  rx = [late];
  o.dispatcher.pump(ACCOUNT); // what a receiver's bind does
  await waitUntil(async () => await o.store.receiptCount() === 0, 10_000, "receipt delivered");
  assert.deepEqual(late.got, ["m1"]);
});

/**
 * Records the timers of at least `minMs` started while installed, and which were cleared (Deno
 * 2.9's sanitizers do not flag a pending timer, so a test checks its timers itself).
 */
function watchTimers(minMs: number) {
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  type Id = ReturnType<typeof setTimeout>;
  const started = new Set<Id>();
  const cleared = new Set<Id>();
  globalThis.setTimeout = ((fn: () => void, ms?: number) => {
    const id = realSet(fn, ms);
    if ((ms ?? 0) >= minMs) started.add(id);
    return id;
  }) as typeof setTimeout;
  globalThis.clearTimeout = ((id?: Id) => {
    if (id !== undefined && started.has(id)) cleared.add(id);
    realClear(id);
  }) as typeof clearTimeout;
  return {
    /** Long timers started and not cleared. */
    pending: () => [...started].filter((id) => !cleared.has(id)),
    started: () => started.size,
    [Symbol.dispose]() {
      globalThis.setTimeout = realSet;
      globalThis.clearTimeout = realClear;
    },
  };
}

Deno.test("ReceiptDispatcher.stop() clears its retry timers and sends nothing more", async () => {
  const lone = new FakeReceiver(Status.ESME_RSYSERR);
  await using o = await outbox(() => [lone], { retryBaseMs: 60_000 });
  const [page] = await o.queue(["m1"]);
  using timers = watchTimers(1000);
  o.dispatcher.added(page);
  await waitUntil(() => o.dispatcher.counters.retried === 1, 10_000, "a retry scheduled");
  assert.equal(timers.started(), 1, "the one-minute retry timer");
  o.dispatcher.stop();
  assert.deepEqual(timers.pending(), [], "stop() cleared it");
  await o.committer.flush();
  const stored = await Array.fromAsync(o.store.receiptPages(ACCOUNT));
  assert.deepEqual(
    stored.map((p) => [p.id.split(".")[0], p.receipts.map((r) => r.attempts)]),
    [["m1:1", [1]]],
    "the receipt stays in KV, in a page of its own with its attempt counted",
  );
  lone.status = Status.ESME_ROK;
  o.dispatcher.pump(ACCOUNT);
  o.dispatcher.added(Store.pages([receipt("m2")])[0]);
  assert.deepEqual(lone.got, ["m1"], "nothing sent after stop()");
  assert.equal(timers.started(), 1, "no timer started after stop()");
});

Deno.test("ReceiptDispatcher resends a receipt, and removes the page it left, only once its new page is stored", async () => {
  const rx = new FakeReceiver(Status.ESME_RSYSERR);
  const other = new FakeReceiver();
  let receivers: FakeReceiver[] = [rx];
  await using o = await outbox(() => receivers, { retryBaseMs: 10 });
  o.committer.hold = true;
  const [page] = await o.queue(["m1", "m2"]);
  o.dispatcher.added(page);
  await waitUntil(() => o.committer.held === 2, 10_000, "both resends held");
  // While the resend pages are not stored: nothing is sent again, and the first page stays.
  rx.status = Status.ESME_ROK;
  receivers = [rx, other];
  o.dispatcher.pump(ACCOUNT);
  await o.committer.flush();
  assert.deepEqual(rx.got, ["m1", "m2"]);
  assert.deepEqual((await Array.fromAsync(o.store.receiptPages(ACCOUNT))).map((p) => p.id), ["m1"]);
  o.committer.hold = false;
  o.committer.release();
  await waitUntil(async () => await o.store.receiptCount() === 0, 10_000, "both delivered");
  assert.deepEqual([...rx.got, ...other.got].sort(), ["m1", "m1", "m2", "m2"]);
});

Deno.test("ReceiptDispatcher rests a receiver that answers ESME_RTHROTTLED but never unbinds it", async () => {
  const busy = new FakeReceiver(Status.ESME_RTHROTTLED);
  await using o = await outbox(() => [busy], { maxReceiverFailures: 2, retryBaseMs: 10 });
  const [page] = await o.queue(ids(4));
  o.dispatcher.added(page);
  await waitUntil(() => o.dispatcher.counters.retried >= 4, 10_000, "4 throttled");
  busy.status = Status.ESME_ROK;
  await waitUntil(async () => await o.store.receiptCount() === 0, 10_000, "all delivered");
  assert.equal(busy.unbinds, 0);
  assert.equal(o.dispatcher.counters.receiversUnbound, 0);
});
