import assert from "node:assert/strict";
import { IdGenerator } from "../../lib/intake/ids.ts";

Deno.test("IdGenerator.next() gives 19-digit decimal ids that grow", () => {
  const g = new IdGenerator(7);
  let last = "";
  for (let i = 0; i < 50_000; i++) {
    const id = g.next();
    assert.ok(/^\d{19}$/.test(id), id);
    assert.ok(id > last);
    last = id;
  }
});

Deno.test("IdGenerator stays above its floor when the clock goes back", () => {
  const floor = Date.UTC(2030, 0, 1);
  const g = new IdGenerator(0, floor, () => floor - 60_000);
  const id = g.next();
  assert.ok(Number(id.slice(0, 13)) > floor);
  assert.ok(g.highWater > floor);
});

Deno.test("IdGenerator borrows the next millisecond after 10 000 ids in one", () => {
  const g = new IdGenerator(1, 0, () => 1_700_000_000_000);
  const ids = new Set(Array.from({ length: 25_000 }, () => g.next()));
  assert.equal(ids.size, 25_000);
  assert.equal(g.highWater, 1_700_000_000_002);
});

Deno.test("IdGenerator puts the node id in every id and rejects a bad one", () => {
  const g = new IdGenerator(42, 0, () => 1_700_000_000_000);
  assert.equal(g.next().slice(13, 15), "42");
  assert.throws(() => new IdGenerator(100), RangeError);
});
