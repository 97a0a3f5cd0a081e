import assert from "node:assert/strict";
import { encodeMessage } from "../../lib/store/layouts.ts";
import {
  decodeMessagePage,
  encodeMessagePage,
  MESSAGE_PAGE_BYTES,
  messagePageOps,
} from "../../lib/store/pages.ts";
import { Keys, Store } from "../../lib/store/store.ts";
import { messageRecord } from "../support/records.ts";

const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => String(from + i));

Deno.test("encodeMessagePage() round-trips its messages and names its last id", () => {
  const messages = ids(1000, 3).map((id) => ({ id, value: Uint8Array.of(Number(id) % 256, 7) }));
  const page = decodeMessagePage(encodeMessagePage(messages));
  assert.equal(page.last, "1002");
  assert.deepEqual(page.messages, messages);
});

Deno.test("messagePageOps() packs messages into pages under MESSAGE_PAGE_BYTES, keyed by their first id", () => {
  const small = ids(1000, 300).map((id) => ({ id, value: new Uint8Array(150) }));
  const big = ids(2000, 3).map((id) => ({ id, value: new Uint8Array(50_000) }));
  const ops = messagePageOps([...small, ...big]);
  const keys = ops.map((o) => o.key);
  assert.deepEqual(keys, [["mpage", "1000"], ["mpage", "2000"], ["mpage", "2001"], [
    "mpage",
    "2002",
  ]]);
  for (const o of ops) {
    if (o.type !== "set") throw new Error("a set");
    assert.ok((o.value as Uint8Array).length <= MESSAGE_PAGE_BYTES + 200);
  }
});

Deno.test("Store.message() and Store.pending() find messages in pages and on their own keys", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const store = new Store(kv);
    const rec = (id: string) => messageRecord({ id, route: "sim" });
    // An earlier release's message on its own key, older than the paged ones.
    await kv.set(Keys.message("0999"), encodeMessage(rec("0999")));
    for (
      const op of messagePageOps(ids(1000, 5).map((id) => ({ id, value: encodeMessage(rec(id)) })))
    ) {
      if (op.type === "set") await kv.set(op.key, op.value);
    }
    for (
      const op of messagePageOps(ids(1010, 2).map((id) => ({ id, value: encodeMessage(rec(id)) })))
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
