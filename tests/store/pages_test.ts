import assert from "node:assert/strict";
import { GroupCommitter } from "../../lib/store/committer.ts";
import { encodeMessage, INLINE_BODY, messageSize } from "../../lib/store/layouts.ts";
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

Deno.test("messageSize() is the exact length of encodeMessage() for any fields", () => {
  const cases = [
    messageRecord(),
    messageRecord({
      account: "acme-wholesale",
      route: "primary",
      serviceType: "CMT",
      preview: "Привет 😀 €",
      concat: { group: "AcmeBank|447700900123|8|201", ref: 201, total: 9, seq: 3 },
      userMessageReference: 7,
      body: new Uint8Array(140),
    }),
    messageRecord({ body: new Uint8Array(INLINE_BODY + 10) }),
  ];
  for (const m of cases) assert.equal(messageSize(m), encodeMessage(m).length);
});

Deno.test("messagePageOps() keeps every page under the 64 KiB KV value limit, also for concatenated parts", () => {
  const parts = ids(10_000, 450).map((id) =>
    messageRecord({
      id,
      account: "acme-wholesale",
      route: "primary",
      preview: "x".repeat(20),
      concat: { group: `AcmeBank|447700900123|8|${id}`, ref: 201, total: 3, seq: 1 },
      body: new Uint8Array(140),
    })
  );
  for (const op of messagePageOps(parts)) {
    if (op.type !== "set") throw new Error("a set");
    assert.ok((op.value as Uint8Array).length <= 65_536, `${(op.value as Uint8Array).length}`);
  }
});

Deno.test("GroupCommitter pages messages whose ids grow, and gives one whose id went back a key of its own", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const c = new GroupCommitter(kv);
    const rec = (id: string) => messageRecord({ id, route: "sim" });
    await c.write([{ type: "message", message: rec("2000") }, {
      type: "message",
      message: rec("2001"),
    }]);
    await c.write([{ type: "message", message: rec("1500") }]);
    const pages = await Array.fromAsync(kv.list({ prefix: ["mpage"] }));
    assert.deepEqual(pages.map((e) => e.key), [["mpage", "2000"]]);
    assert.ok((await kv.get(Keys.message("1500"))).value instanceof Uint8Array);
    const store = new Store(kv);
    for (const id of ["1500", "2000", "2001"]) assert.equal((await store.message(id))?.id, id);
    // The resume scan reads the paged message 2000 after 1500 on its own key: still settled.
    await kv.set(
      Keys.state("2000"),
      new Uint8Array([1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 48, 48, 48]),
    );
    await kv.set(Keys.message("2005"), encodeMessage(rec("2005")));
    const pending = (await Array.fromAsync(store.pending("sim", "", "9"))).map((m) => m.id);
    assert.deepEqual(pending.sort(), ["1500", "2001", "2005"]);
  } finally {
    kv.close();
  }
});
