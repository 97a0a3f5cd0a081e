import assert from "node:assert/strict";
import {
  AtomicExtras,
  CHECKPOINT_EVERY_MS,
  ID_RESERVE_MS,
} from "../../lib/intake/atomic_extras.ts";
import { IdGenerator } from "../../lib/intake/ids.ts";
import { PendingIds } from "../../lib/intake/pending.ts";
import type { KeyedMutation } from "../../lib/store/committer.ts";

function fixture(now: { ms: number }) {
  const ids = new IdGenerator(3, 0, () => now.ms);
  const extras = new AtomicExtras({
    node: 3,
    ids: () => ids,
    pending: new PendingIds(),
    routes: () => ["a", "b"],
    shortIds: () => undefined,
    now: () => now.ms,
  });
  return { ids, extras };
}

function floorOf(ms: readonly KeyedMutation[]): bigint | undefined {
  const m = ms.find((m) => m.key[0] === "ids");
  return m?.type === "max" ? m.value : undefined;
}
const checkpoints = (ms: readonly KeyedMutation[]) => ms.filter((m) => m.key[0] === "ckpt").length;

Deno.test("AtomicExtras carries the id floor ahead of the newest id until one atomic with it committed", () => {
  const now = { ms: 1_764_400_000_000 };
  const { ids, extras } = fixture(now);
  ids.next();
  const first = extras.mutations();
  assert.equal(floorOf(first), BigInt(now.ms + ID_RESERVE_MS));
  // Not committed yet: the next atomic carries it too.
  assert.equal(floorOf(extras.mutations()), BigInt(now.ms + ID_RESERVE_MS));
  extras.committed(first);
  now.ms += ID_RESERVE_MS / 2 - 1;
  ids.next();
  assert.equal(floorOf(extras.mutations()), undefined, "well within the stored floor");
  now.ms += 2;
  ids.next();
  assert.equal(floorOf(extras.mutations()), BigInt(now.ms + ID_RESERVE_MS), "reserved again");
});

Deno.test("AtomicExtras never lets an id out above a floor stored or carried with it", () => {
  const now = { ms: 1_764_400_000_000 };
  const { ids, extras } = fixture(now);
  let stored = 0n;
  const inFlight: KeyedMutation[][] = [];
  for (let i = 0; i < 5000; i++) {
    now.ms += i % 7 === 0 ? 400 : 1;
    const newest = BigInt(ids.next().slice(0, 13));
    const extra = extras.mutations();
    const carried = floorOf(extra);
    assert.ok(newest <= (carried ?? stored), `id at ${newest} over floor ${carried ?? stored}`);
    inFlight.push(extra);
    // Atomics commit out of order, some late.
    if (inFlight.length > 3 || i % 5 === 0) {
      const done = inFlight.splice(i % inFlight.length, 1)[0];
      extras.committed(done);
      const f = floorOf(done);
      if (f !== undefined && f > stored) stored = f;
    }
  }
});

Deno.test("AtomicExtras writes the routes' checkpoints at most every interval, and next after checkpointNext()", () => {
  const now = { ms: 1_764_400_000_000 };
  const { extras } = fixture(now);
  assert.equal(checkpoints(extras.mutations()), 2, "one per route");
  now.ms += CHECKPOINT_EVERY_MS - 1;
  assert.equal(checkpoints(extras.mutations()), 0);
  now.ms += 1;
  assert.equal(checkpoints(extras.mutations()), 2);
  extras.checkpointNext();
  assert.equal(checkpoints(extras.mutations()), 2);
});

Deno.test("AtomicExtras reserves no further ahead while ids run ahead of the clock (after a restart)", () => {
  const now = { ms: 1_764_400_000_000 };
  // The stored floor is 10 s ahead of the clock: ids start past it.
  const ids = new IdGenerator(3, now.ms + 10_000, () => now.ms);
  const extras = new AtomicExtras({
    node: 3,
    ids: () => ids,
    pending: new PendingIds(),
    routes: () => [],
    shortIds: () => undefined,
    now: () => now.ms,
  });
  ids.next();
  assert.equal(
    floorOf(extras.mutations()),
    BigInt(ids.highWater),
    "the newest id, not 2 s past it",
  );
});

Deno.test("AtomicExtras writes checkpoints at once after the clock stepped back", () => {
  const now = { ms: 1_764_400_000_000 };
  const { extras } = fixture(now);
  assert.equal(checkpoints(extras.mutations()), 2);
  now.ms -= 3_600_000;
  assert.equal(checkpoints(extras.mutations()), 2);
});
