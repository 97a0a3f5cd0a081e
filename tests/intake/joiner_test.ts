/** Joiner unit tests without TCP: parts stored through a real Store/GroupCommitter on :memory: KV. */
import { messageRecord } from "../support/records.ts";
import assert from "node:assert/strict";
import { newCounters } from "../../lib/core/counters.ts";
import { IdGenerator } from "../../lib/intake/ids.ts";
import { Joiner } from "../../lib/intake/joiner.ts";
import { GroupCommitter } from "../../lib/store/committer.ts";
import type { JoinedRecord, MessageRecord } from "../../lib/store/records.ts";
import { Store } from "../../lib/store/store.ts";
import { waitUntil } from "../support/wait.ts";

const GROUP = "Acme|447700900123|8|7";
const TEXTS = ["First part, ", "second part, ", "third part."];

/** Part `seq` of a 3-part message, with a real message id (ids start with their time in ms). */
function part(ids: IdGenerator, seq: number, total = 3): MessageRecord {
  const text = TEXTS[seq - 1];
  return messageRecord({
    id: ids.next(),
    route: "sim",
    body: new TextEncoder().encode(text),
    concat: { group: GROUP, ref: 7, total, seq },
    preview: text,
    submitAt: Date.now(),
  });
}

/** A joiner over a fresh :memory: KV; disposing stops it, flushes writes and closes the KV. */
async function joinerOn(timeoutMs: number, kv?: Deno.Kv) {
  kv ??= await Deno.openKv(":memory:");
  const store = new Store(kv);
  const counters = newCounters();
  const committer = new GroupCommitter(kv, { counters });
  const joined: JoinedRecord[] = [];
  const joiner = new Joiner(store, committer, {
    timeoutMs,
    counters,
    onJoined: (j) => void joined.push(j),
  });
  return {
    kv,
    store,
    committer,
    joiner,
    joined,
    /** Stores a part (as intake does) and hands it to the joiner. */
    async add(m: MessageRecord) {
      await committer.write(Store.acceptOps(m));
      await joiner.add(m);
    },
    async pendingInKv(): Promise<number> {
      let n = 0;
      for await (const _ of store.allPendingParts()) n++;
      return n;
    },
    async stop() {
      joiner.stop();
      await committer.flush();
    },
    async [Symbol.asyncDispose]() {
      await this.stop();
      kv.close();
    },
  };
}

for (const order of [[1, 2, 3], [3, 1, 2], [2, 3, 1]]) {
  Deno.test(`Joiner joins parts arriving in order ${order.join(",")} once, in seq order`, async () => {
    await using j = await joinerOn(60_000);
    const ids = new IdGenerator();
    const parts = new Map(order.map((seq) => [seq, part(ids, seq)]));
    for (const seq of order) await j.add(parts.get(seq)!);
    assert.equal(j.joined.length, 1);
    const [joined] = j.joined;
    assert.equal(joined.complete, true);
    assert.deepEqual(joined.parts.map((p) => p?.id), [1, 2, 3].map((s) => parts.get(s)!.id));
    assert.equal(joined.id, parts.get(1)!.id);
    const read = await j.store.joinedOf(parts.get(3)!.id);
    assert.equal(read?.text, TEXTS.join(""));
    assert.equal(await j.pendingInKv(), 0, "the join queue is cleared");
    assert.deepEqual(j.joiner.counters, { joined: 1, incomplete: 0, duplicates: 0 });
  });
}

Deno.test("Joiner joins a message with a duplicate part once, using the first copy", async () => {
  await using j = await joinerOn(60_000);
  const ids = new IdGenerator();
  const first = part(ids, 1, 2);
  const copy = part(ids, 1, 2);
  const second = part(ids, 2, 2);
  await j.add(first);
  await j.add(copy);
  await j.add(first); // the very same part again
  await j.add(second);
  assert.equal(j.joined.length, 1);
  assert.deepEqual(j.joined[0].parts.map((p) => p?.id), [first.id, second.id]);
  assert.equal(j.joined[0].complete, true);
  assert.deepEqual(j.joiner.counters, { joined: 1, incomplete: 0, duplicates: 1 });
  assert.equal(await j.pendingInKv(), 0, "the duplicate left the join queue too");
  assert.notEqual(await j.store.joinedOf(copy.id), null, "the duplicate points at the message");
});

Deno.test("Joiner gives up on missing parts after the timeout with an incomplete joined record", async () => {
  await using j = await joinerOn(50);
  const ids = new IdGenerator();
  const p2 = part(ids, 2);
  await j.add(p2);
  await waitUntil(() => j.joined.length > 0, 10_000, "the join given up");
  await j.committer.flush();
  assert.equal(j.joined.length, 1);
  const [joined] = j.joined;
  assert.equal(joined.complete, false);
  assert.deepEqual(joined.parts.map((p) => p?.id ?? null), [null, p2.id, null]);
  assert.equal(j.joiner.counters.incomplete, 1);
  assert.equal(await j.pendingInKv(), 0);
  const read = await j.store.joinedOf(p2.id);
  assert.equal(read?.joined.complete, false);
});

Deno.test("Joiner.resume() rebuilds parts waiting in KV so the last part completes the message", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const ids = new IdGenerator();
    const p1 = part(ids, 1);
    const p2 = part(ids, 2);
    const before = await joinerOn(60_000, kv);
    await before.add(p1);
    await before.add(p2);
    await before.stop(); // a restart: the parts wait in KV only
    assert.equal(before.joined.length, 0);

    const after = await joinerOn(60_000, kv);
    try {
      await after.joiner.resume();
      assert.equal(await after.pendingInKv(), 2);
      const p3 = part(ids, 3);
      await after.add(p3);
      assert.equal(after.joined.length, 1);
      assert.equal(after.joined[0].complete, true);
      assert.deepEqual(after.joined[0].parts.map((p) => p?.id), [p1.id, p2.id, p3.id]);
      assert.equal(await after.pendingInKv(), 0);
    } finally {
      await after.stop();
    }
  } finally {
    kv.close();
  }
});

Deno.test("Joiner.resume() applies the timeout to parts that waited in KV across a restart", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const ids = new IdGenerator();
    const p1 = part(ids, 1);
    const before = await joinerOn(60_000, kv);
    await before.add(p1);
    await before.stop();

    const after = await joinerOn(50, kv);
    try {
      await after.joiner.resume();
      await waitUntil(() => after.joined.length > 0, 10_000, "the resumed join given up");
      await after.committer.flush();
      const [joined] = after.joined;
      assert.equal(joined.complete, false);
      assert.equal(joined.total, 3, "the total is read from the stored part");
      assert.deepEqual(joined.parts.map((p) => p?.id ?? null), [p1.id, null, null]);
      assert.equal(await after.pendingInKv(), 0);
    } finally {
      await after.stop();
    }
  } finally {
    kv.close();
  }
});
