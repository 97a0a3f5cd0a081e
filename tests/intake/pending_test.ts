import assert from "node:assert/strict";
import { PendingIds } from "../../lib/intake/pending.ts";
import { Rng } from "../support/rng.ts";
import type { MessageRecord } from "../../lib/store/records.ts";
import { Keys, Store } from "../../lib/store/store.ts";

Deno.test("PendingIds.checkpoint() is the lowest unsettled id, or the last id when none is", () => {
  const p = new PendingIds();
  assert.equal(p.checkpoint(), "");
  for (const id of ["a1", "a2", "a3", "a4"]) p.add(id);
  assert.equal(p.checkpoint(), "a1");
  p.delete("a2");
  assert.equal(p.checkpoint(), "a1");
  p.delete("a1");
  assert.equal(p.checkpoint(), "a3");
  p.delete("a3");
  p.delete("a4");
  assert.equal(p.checkpoint(), "a4");
  assert.equal(p.size, 0);
});

Deno.test("Store.pending() yields the route's messages without a state between checkpoint and bound", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const msg = (id: string, route = "sim", joinLater = false) =>
      ({ id, route, joinLater, body: new Uint8Array(0), text: "" }) as unknown as MessageRecord;
    const ids = ["100", "101", "102", "103", "104", "105"];
    for (const id of ids) {
      await kv.set(Keys.message(id), msg(id, id === "103" ? "other" : "sim", id === "104"));
    }
    await kv.set(Keys.state("101"), { state: 2 });
    await kv.set(Keys.state("102"), { state: 2 });
    const got = [];
    for await (const j of new Store(kv).pending("sim", "100", "105")) got.push(j.id);
    assert.deepEqual(
      got,
      ["100"],
      "101/102 settled, 103 other route, 104 joined later, 105 past the bound",
    );
    const fromCkpt = [];
    for await (const j of new Store(kv).pending("sim", "101", "999")) fromCkpt.push(j.id);
    assert.deepEqual(fromCkpt, ["105"]);
  } finally {
    kv.close();
  }
});

Deno.test("PendingIds.runs() groups ids handed out in a row, stepping only over refused ids", () => {
  const p = new PendingIds();
  for (const id of ["10", "11", "12", "13", "14", "15", "16", "17"]) p.add(id);
  p.refuse("12"); // refused: never stored, a run may step over it
  p.delete("15"); // stored (e.g. a part joined later, or settled already): a run stops there
  assert.deepEqual(p.runs(["14", "10", "11", "13", "16", "17"]), [["10", "11", "13", "14"], [
    "16",
    "17",
  ]]);
  assert.deepEqual(p.runs(["10", "14"]), [["10"], ["14"]], "11 and 13 are not in this batch");
  assert.deepEqual(p.runs(["99", "10"]), [["99"], ["10"]], "an unknown id is a run of its own");
});

Deno.test("PendingIds.runs() keeps resumed ids apart: settled ids of the earlier run lie between", () => {
  const p = new PendingIds();
  p.add("5", { resumed: true });
  p.add("9", { resumed: true });
  p.add("20");
  p.add("21");
  assert.deepEqual(p.runs(["5", "9", "20", "21"]), [["5"], ["9"], ["20", "21"]]);
});

Deno.test("PendingIds.runs() still finds runs after checkpoint() dropped settled ids", () => {
  const p = new PendingIds();
  const ids = Array.from({ length: 10_000 }, (_, i) => String(100_000 + i));
  for (const id of ids) p.add(id);
  for (const id of ids.slice(0, 9_000)) p.delete(id);
  p.checkpoint(); // drops the settled front
  assert.deepEqual(p.runs(ids.slice(9_000, 9_100)), [ids.slice(9_000, 9_100)]);
});

Deno.test("a state run settles the messages it covers for Store.state() and Store.pending()", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const store = new Store(kv);
    const msg = (id: string) =>
      ({ id, route: "sim", body: new Uint8Array(0) }) as unknown as MessageRecord;
    for (const id of ["100", "101", "102", "103", "104"]) await kv.set(Keys.message(id), msg(id));
    const delivered = { state: 2, doneAt: 1, err: "000" };
    const op = Store.stateRunOp("101", "103", delivered);
    if (op.type !== "set") throw new Error("a set");
    await kv.set(op.key, op.value);
    assert.deepEqual(await store.state("102"), delivered);
    assert.deepEqual(await store.state("103"), delivered);
    assert.equal(await store.state("100"), null);
    assert.equal(await store.state("104"), null);
    const from = async (f: string) =>
      (await Array.fromAsync(store.pending("sim", f, "999"))).map((m) => m.id);
    assert.deepEqual(await from(""), ["100", "104"]);
    assert.deepEqual(await from("102"), ["104"], "the run starting below the checkpoint counts");
  } finally {
    kv.close();
  }
});

Deno.test("PendingIds copes with ids out of order: deletes them, checkpoints the lowest, no runs", () => {
  const p = new PendingIds();
  p.add("1010", { resumed: true });
  p.add("1007"); // a clock stepped back under another node id
  p.add("1011");
  assert.equal(p.checkpoint(), "1007");
  p.delete("1007");
  assert.equal(p.size, 2);
  assert.equal(p.checkpoint(), "1010");
  assert.deepEqual(p.runs(["1011"]), [["1011"]]);
  p.delete("1010");
  p.delete("1011");
  assert.equal(p.size, 0);
  assert.equal(p.checkpoint(), "1011", "the highest id once every id is settled");
});

Deno.test("PendingIds.has() and checkpoint() follow a model through random adds, lookups and settles", () => {
  const rng = new Rng(0x9e4d);
  const p = new PendingIds();
  const open = new Set<string>();
  const all: string[] = [];
  let next = 1764370000000000000n;
  for (let step = 0; step < 30_000; step++) {
    const op = rng.int(0, 9);
    if (op < 4 || all.length === 0) {
      const id = String(next += BigInt(rng.int(1, 3)));
      p.add(id);
      open.add(id);
      all.push(id);
      continue;
    }
    // Lookups mostly among the last ids added, some anywhere.
    const id = all[Math.max(0, all.length - 1 - rng.int(0, rng.chance(0.8) ? 50 : all.length))];
    if (op < 6) assert.equal(p.has(id), open.has(id), `has ${id} at step ${step}`);
    else if (op < 8) {
      rng.chance(0.1) ? p.refuse(id) : p.delete(id);
      open.delete(id);
    } else if (op === 8) {
      // The oldest open one settles (routes settle mostly in order): the checkpoint moves on.
      const oldest = all.find((x) => open.has(x));
      if (oldest) {
        p.delete(oldest);
        open.delete(oldest);
      }
    } else {
      const low = all.find((x) => open.has(x)) ?? all.at(-1);
      assert.equal(p.checkpoint(), low, `checkpoint at step ${step}`);
    }
    assert.equal(p.size, open.size);
  }
});
