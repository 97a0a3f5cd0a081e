import assert from "node:assert/strict";
import { ByteReader, ByteWriter, RecordError } from "../../lib/store/byte_io.ts";
import {
  decodeMessage,
  decodeReceiptPage,
  decodeState,
  encodeMessage,
  encodeReceiptPage,
  encodeState,
  INLINE_BODY,
  PAGE_BYTES,
  PAGE_RECEIPTS,
} from "../../lib/store/layouts.ts";
import { Store } from "../../lib/store/store.ts";
import { gsmEncode, pack7, userText } from "../../lib/text/mod.ts";
import { messageRecord, receiptRecord } from "../support/records.ts";

const SUBMIT_AT = 1_764_370_000_123;
const message = messageRecord;
const receipt = receiptRecord;

Deno.test("encodeMessage() round-trips every field through decodeMessage()", () => {
  const plain = message();
  assert.deepEqual(decodeMessage(plain.id, encodeMessage(plain)), {
    message: plain,
    chunkedBody: false,
  });
  const full = message({
    account: "ünï",
    serviceType: "CMT",
    source: { ton: 1, npi: 1, addr: "4479" },
    esmClass: 0x40,
    protocolId: 0x7f,
    priority: 3,
    registeredDelivery: 0x11,
    dataCoding: 8,
    body: Uint8Array.from([5, 0, 3, 9, 2, 1, 0, 0x41]),
    packed: true,
    parts: 7,
    concat: { group: "4479|447700900123|8|9", ref: 9, total: 2, seq: 1 },
    joinLater: true,
    preview: "Hi Привет 😀",
    userMessageReference: 0,
  });
  assert.deepEqual(decodeMessage(full.id, encodeMessage(full)).message, full);
});

Deno.test("encodeMessage() round-trips the submit's kept TLVs, unknown and empty ones too", () => {
  const m = message({
    publicId: "0000002A",
    latin1: true,
    tlvs: [
      { tag: 0x020a, value: Uint8Array.of(0x1f, 0x90) },
      { tag: 0x0381, value: Uint8Array.of(1, 1, 0x33, 0x36) },
      { tag: 0x0201, value: Uint8Array.of(2) },
      { tag: 0x1400, value: Uint8Array.of(0xde, 0xad, 0x01) },
      { tag: 0x0203, value: new Uint8Array(0) },
    ],
  });
  assert.deepEqual(decodeMessage(m.id, encodeMessage(m)).message, m);
  const none = message({ tlvs: undefined });
  assert.equal("tlvs" in decodeMessage(none.id, encodeMessage(none)).message, false);
});

Deno.test("ByteWriter keeps an ASCII prefix when a later non-ASCII character grows it", () => {
  const long = "a".repeat(40) + "é".repeat(100);
  const w = new ByteWriter(8).u8(1).str(long).str("x");
  const r = new ByteReader(w.done());
  assert.deepEqual([r.u8(), r.str(), r.str()], [1, long, "x"]);
});

Deno.test("encodeMessage() of a typical submit is a little over its body and addresses", () => {
  const m = message();
  const size = encodeMessage(m).length;
  assert.ok(size < m.body.length + 100, `${size} octets`);
});

Deno.test("encodeMessage() leaves a body above INLINE_BODY out and flags it as chunked", () => {
  const m = message({ body: new Uint8Array(INLINE_BODY + 1).fill(0x41) });
  const bytes = encodeMessage(m);
  assert.ok(bytes.length < 200);
  const loaded = decodeMessage(m.id, bytes);
  assert.equal(loaded.chunkedBody, true);
  assert.equal(loaded.message.body.length, 0);
});

Deno.test("decodeMessage() reads a message object of an earlier release, dropping its text", () => {
  const legacy = { ...message(), text: "Hello", textKind: "text", bodyChunks: 2, textChunks: 1 };
  const loaded = decodeMessage(legacy.id, legacy);
  assert.deepEqual(loaded, { message: message(), chunkedBody: true });
});

Deno.test("decodeMessage() tells packed GSM user data of an earlier release from its stored text", () => {
  const body = pack7(gsmEncode("hello packed world")!);
  const legacy = {
    ...message({ body, preview: "" }),
    text: "hello packed world",
    textKind: "text",
  };
  const { message: m } = decodeMessage(legacy.id, legacy);
  assert.equal(m.packed, true);
  assert.equal(userText(m).text, "hello packed world");
  const plain = { ...message(), text: "Hello from the smppgw load generator", textKind: "text" };
  assert.equal(decodeMessage(plain.id, plain).message.packed, undefined);
});

Deno.test("encodeState() writes 15 octets and decodeState() reads them back", () => {
  const s = { state: 5, doneAt: SUBMIT_AT, err: "404" };
  assert.equal(encodeState(s).length, 15);
  assert.deepEqual(decodeState(encodeState(s)), s);
  assert.deepEqual(decodeState({ ...s }), s, "an object of an earlier release");
});

Deno.test("encodeReceiptPage() round-trips receipts, taking the account from the key", () => {
  const rs = [
    receipt(),
    receipt({ messageId: "2", stat: "UNDELIV", userMessageReference: 42, attempts: 3 }),
    receipt({ messageId: "3", preview: "Привет", source: { ton: 0, npi: 0, addr: "" } }),
  ];
  const bytes = encodeReceiptPage(rs);
  assert.ok(bytes.length < 100 * rs.length, `${bytes.length} octets`);
  assert.deepEqual(decodeReceiptPage("acme", bytes), rs);
  const old = receipt();
  assert.deepEqual(decodeReceiptPage("acme", { ...old }), [old], "an object of an earlier release");
});

Deno.test("Store.pages() splits receipts by account and by size, keeping their order", () => {
  const many = Array.from({ length: 450 }, (_, i) => receipt({ messageId: String(1000 + i) }));
  const other = receipt({ messageId: "9", account: "other" });
  const pages = Store.pages([...many.slice(0, 10), other, ...many.slice(10)]);
  assert.deepEqual(pages.map((p) => [p.account, p.id, p.receipts.length]), [
    ["acme", "1000", PAGE_RECEIPTS],
    ["other", "9", 1],
    ["acme", "1200", PAGE_RECEIPTS],
    ["acme", "1400", 50],
  ]);
  for (const p of pages) assert.ok(Store.pageOp(p).value.length <= PAGE_BYTES);
  const big = Array.from(
    { length: 150 },
    (_, i) => receipt({ messageId: String(i), preview: "€".repeat(160) }),
  );
  for (const p of Store.pages(big)) assert.ok(Store.pageOp(p).value.length <= PAGE_BYTES);
});

Deno.test("decode*() throw RecordError on truncated or unknown-format bytes", () => {
  const bytes = encodeMessage(message());
  assert.throws(() => decodeMessage("1", bytes.subarray(0, bytes.length - 1)), RecordError);
  assert.throws(() => decodeState(Uint8Array.of(9, 2)), RecordError);
  assert.throws(
    () => decodeReceiptPage("a", encodeReceiptPage([receipt()]).subarray(0, 20)),
    RecordError,
  );
});
