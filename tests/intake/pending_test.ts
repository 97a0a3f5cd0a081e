import assert from "node:assert/strict";
import { PendingIds } from "../../lib/intake/pending.ts";
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
