/** A joined message's whole content, read from its parts in a real KV store. */
import assert from "node:assert/strict";
import { wholeContent } from "../../lib/delivery/joined.ts";
import { GroupCommitter } from "../../lib/store/committer.ts";
import type { JobRecord, MessageRecord } from "../../lib/store/records.ts";
import { Store } from "../../lib/store/store.ts";
import { ucs2Encode } from "../../lib/text/mod.ts";
import { messageRecord } from "../support/records.ts";

/** Part `seq` of 2 with an 8-bit reference UDH before `payload`. */
const udhPart = (id: string, seq: number, payload: Uint8Array, dataCoding: number) =>
  messageRecord({
    id,
    esmClass: 0x40,
    dataCoding,
    body: new Uint8Array([0x05, 0x00, 0x03, 7, 2, seq, ...payload]),
  });

async function joined(parts: MessageRecord[], extra: { id: string; seq: number }[] = []) {
  const kv = await Deno.openKv(":memory:");
  const store = new Store(kv);
  const committer = new GroupCommitter(kv);
  for (const m of parts) await committer.write(Store.acceptOps(m));
  const refs = parts.map((m, i) => ({ id: m.id, seq: i + 1, preview: "" }));
  for (const e of extra) refs.push({ ...e, preview: "" });
  const job: JobRecord = { ...parts[0], id: "9", body: new Uint8Array(0), joinedParts: refs };
  return { kv, store, job };
}

Deno.test("wholeContent() joins UCS2 parts without UDH, keeps a flash class, and reads a repeated part once", async () => {
  const a = udhPart("1000000000000000001", 1, ucs2Encode("Привет, "), 0x18);
  const b = udhPart("1000000000000000002", 2, ucs2Encode("мир"), 0x18);
  const t = await joined([a, b], [{ id: "1000000000000000002", seq: 2 }]);
  try {
    const w = await wholeContent(t.store, t.job);
    assert.equal(w.dataCoding, 0x18, "UCS2, class 0 (flash) kept");
    assert.equal(w.esmClass & 0x40, 0, "no UDH");
    assert.deepEqual(w.body, ucs2Encode("Привет, мир"));
    assert.equal(w.joinedParts, undefined);
  } finally {
    t.kv.close();
  }
});

Deno.test("wholeContent() sends joined GSM text as GSM 7-bit, class bits kept", async () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const a = udhPart("1000000000000000011", 1, enc("Hello "), 0x10);
  const b = udhPart("1000000000000000012", 2, enc("world"), 0x10);
  const t = await joined([a, b]);
  try {
    const w = await wholeContent(t.store, t.job);
    assert.equal(w.dataCoding, 0x10);
    assert.equal(new TextDecoder().decode(w.body), "Hello world");
    assert.equal(w.parts, 1);
  } finally {
    t.kv.close();
  }
});
