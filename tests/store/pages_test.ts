import assert from "node:assert/strict";
import { encodeMessage } from "../../lib/store/layouts.ts";
import { decodeMessagePage, MESSAGE_PAGE_BYTES, messagePageOps } from "../../lib/store/pages.ts";
import { Keys, Store } from "../../lib/store/store.ts";
import { messageRecord } from "../support/records.ts";

const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => String(from + i));

Deno.test("messagePageOps() writes each record as encodeMessage() would, and names the last id", () => {
  const messages = ids(1000, 3).map((id) => messageRecord({ id, preview: `p${id}` }));
  const [op] = messagePageOps(messages);
  if (op.type !== "set") throw new Error("a set");
  const page = decodeMessagePage(op.value as Uint8Array);
  assert.equal(page.last, "1002");
  assert.deepEqual(page.messages, messages.map((m) => ({ id: m.id, value: encodeMessage(m) })));
});

Deno.test("messagePageOps() packs messages into pages under MESSAGE_PAGE_BYTES, keyed by their first id", () => {
  const small = ids(1000, 300).map((id) => messageRecord({ id, body: new Uint8Array(150) }));
  const big = ids(2000, 3).map((id) => messageRecord({ id, body: new Uint8Array(50_000) }));
  const ops = messagePageOps([...small, ...big]);
  const pages = ops.map((o) => {
    if (o.type !== "set") throw new Error("a set");
    assert.ok((o.value as Uint8Array).length <= MESSAGE_PAGE_BYTES + 400);
    return {
      first: o.key[1],
      ids: decodeMessagePage(o.value as Uint8Array).messages.map((m) => m.id),
    };
  });
  assert.deepEqual(
    pages.flatMap((p) => p.ids),
    [...ids(1000, 300), ...ids(2000, 3)],
    "all, in order",
  );
  for (const p of pages) assert.equal(p.first, p.ids[0], "keyed by the first id");
  assert.deepEqual(pages.slice(-3).map((p) => p.ids.length), [1, 1, 1], "a big one each");
  assert.ok(pages.length <= 5);
});

Deno.test("Store.message() and Store.pending() find messages in pages and on their own keys", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const store = new Store(kv);
    const rec = (id: string) => messageRecord({ id, route: "sim" });
    // An earlier release's message on its own key, older than the paged ones.
    await kv.set(Keys.message("0999"), encodeMessage(rec("0999")));
    for (
      const op of [
        ...messagePageOps(ids(1000, 5).map(rec)),
        ...messagePageOps(ids(1010, 2).map(rec)),
      ]
    ) {
      if (op.type === "set") await kv.set(op.key, op.value);
    }
    assert.equal((await store.message("1003"))?.id, "1003");
    assert.equal((await store.message("1011"))?.id, "1011");
    assert.equal((await store.message("0999"))?.id, "0999");
    assert.equal(await store.message("1007"), null, "between pages");
    assert.equal(await store.message("1012"), null, "past the last page");
    await kv.set(
      Keys.state("1001"),
      new Uint8Array([1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 48, 48, 48]),
    );
    const from = async (f: string, b = "9") =>
      (await Array.fromAsync(store.pending("sim", f, b))).map((m) => m.id);
    assert.deepEqual(await from(""), ["0999", "1000", "1002", "1003", "1004", "1010", "1011"]);
    assert.deepEqual(await from("1003", "1011"), ["1003", "1004", "1010"], "from inside a page");
  } finally {
    kv.close();
  }
});
