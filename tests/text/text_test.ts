import assert from "node:assert/strict";
import { SmppError } from "../../lib/smpp/errors.ts";
import { Status } from "../../lib/smpp/status.ts";
import { intTlv, Tag, type Tlv } from "../../lib/smpp/tlvs.ts";
import {
  buildUdh,
  concatInfo,
  decodeText,
  encodeText,
  gsmDecode,
  gsmEncode,
  gsmFits,
  gsmSeptetCount,
  messageParts,
  pack7,
  parseUdh,
  partsFor,
  receiptTextField,
  renderReceiptTextBytes,
  splitEncoded,
  splitText,
  ucs2Decode,
  ucs2Encode,
  udhFillBits,
  unpack7,
} from "../../lib/text/mod.ts";

const bytes = (...b: number[]) => Uint8Array.from(b);
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

function assertStatus(fn: () => unknown, status: number): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SmppError, `expected SmppError, got ${e}`);
    assert.equal(e.status, status);
    assert.ok(e.message.length > 10, "message should explain the failure");
    return true;
  });
}

// Golden table written independently of lib/: 3GPP 23.038 §6.2.1 code → Unicode, built as
// "ASCII unless listed" from the SMPP34.md §9.1 difference list.
// deno-fmt-ignore
const GSM_DIFFS: Record<number, number> = {
  0x00: 0x40, 0x01: 0xa3, 0x02: 0x24, 0x03: 0xa5, 0x04: 0xe8, 0x05: 0xe9, 0x06: 0xf9,
  0x07: 0xec, 0x08: 0xf2, 0x09: 0xc7, 0x0a: 0x0a, 0x0b: 0xd8, 0x0c: 0xf8, 0x0d: 0x0d,
  0x0e: 0xc5, 0x0f: 0xe5, 0x10: 0x394, 0x11: 0x5f, 0x12: 0x3a6, 0x13: 0x393, 0x14: 0x39b,
  0x15: 0x3a9, 0x16: 0x3a0, 0x17: 0x3a8, 0x18: 0x3a3, 0x19: 0x398, 0x1a: 0x39e, 0x1c: 0xc6,
  0x1d: 0xe6, 0x1e: 0xdf, 0x1f: 0xc9, 0x24: 0xa4, 0x40: 0xa1, 0x5b: 0xc4, 0x5c: 0xd6,
  0x5d: 0xd1, 0x5e: 0xdc, 0x5f: 0xa7, 0x60: 0xbf, 0x7b: 0xe4, 0x7c: 0xf6, 0x7d: 0xf1,
  0x7e: 0xfc, 0x7f: 0xe0,
};
const GOLDEN_BASIC: [number, string][] = [];
for (let code = 0; code < 128; code++) {
  if (code === 0x1b) continue;
  GOLDEN_BASIC.push([code, String.fromCodePoint(GSM_DIFFS[code] ?? code)]);
}
const GOLDEN_EXT: [number, string][] = [
  [0x0a, "\u000c"],
  [0x14, "^"],
  [0x28, "{"],
  [0x29, "}"],
  [0x2f, "\\"],
  [0x3c, "["],
  [0x3d, "~"],
  [0x3e, "]"],
  [0x40, "|"],
  [0x65, "\u20ac"],
];

// --- GSM 03.38 tables ---

Deno.test("gsmDecode() maps every basic-table code 0x00-0x7F (except ESC) to its 23.038 character", () => {
  assert.equal(GOLDEN_BASIC.length, 127);
  for (const [code, ch] of GOLDEN_BASIC) {
    assert.equal(gsmDecode(bytes(code)), ch, `code 0x${code.toString(16)}`);
  }
});

Deno.test("gsmEncode() maps every basic-table character to its single code", () => {
  for (const [code, ch] of GOLDEN_BASIC) {
    assert.deepEqual(gsmEncode(ch), bytes(code), `char U+${ch.codePointAt(0)!.toString(16)}`);
  }
});

Deno.test("decodeText() maps GSM 0x00 to @ and ASCII traps $ _ to 0x02 0x11", () => {
  assert.equal(decodeText(bytes(0x00), 0).text, "@");
  assert.deepEqual(gsmEncode("@$_"), bytes(0x00, 0x02, 0x11));
});

Deno.test("gsmDecode() maps every extension-table sequence ESC+code to its character", () => {
  for (const [code, ch] of GOLDEN_EXT) {
    assert.equal(gsmDecode(bytes(0x1b, code)), ch, `ESC 0x${code.toString(16)}`);
  }
});

Deno.test("gsmEncode() writes every extension character as ESC+code (2 septets)", () => {
  for (const [code, ch] of GOLDEN_EXT) {
    assert.deepEqual(gsmEncode(ch), bytes(0x1b, code), `char ${JSON.stringify(ch)}`);
    assert.equal(gsmSeptetCount(ch), 2);
  }
});

Deno.test("gsmDecode() decodes the whole basic table in one message", () => {
  const codes = GOLDEN_BASIC.map(([c]) => c);
  assert.equal(gsmDecode(Uint8Array.from(codes)), GOLDEN_BASIC.map(([, ch]) => ch).join(""));
});

Deno.test("gsmDecode() reads ESC + unassigned code as the basic-table character (Kannel)", () => {
  assert.equal(gsmDecode(bytes(0x1b, 0x41)), "A");
  assert.equal(gsmDecode(bytes(0x1b, 0x00)), "@");
  assert.equal(gsmDecode(bytes(0x1b, 0x24, 0x31)), "¤1");
});

Deno.test("gsmDecode() reads the reserved ESC ESC as a space", () => {
  assert.equal(gsmDecode(bytes(0x41, 0x1b, 0x1b, 0x42)), "A B");
});

Deno.test("gsmEncode() writes both ç and Ç as 0x09, which decodes to Ç", () => {
  assert.deepEqual(gsmEncode("çÇ"), bytes(0x09, 0x09));
  assert.equal(gsmDecode(bytes(0x09)), "Ç");
});

Deno.test("gsmEncode() returns null when a character has no GSM form", () => {
  for (const s of ["`", "a中b", "😀", "ą", "\t"]) {
    assert.equal(gsmEncode(s), null, s);
    assert.equal(gsmFits(s), false, s);
    assert.equal(gsmSeptetCount(s), null, s);
  }
  assert.equal(gsmFits("Hello £€ {x}"), true);
  assert.equal(gsmSeptetCount("Hello £€ {x}"), 15);
});

Deno.test("gsmDecode() rejects a trailing lone ESC with ESME_RINVMSGLEN", () => {
  assertStatus(() => gsmDecode(bytes(0x41, 0x1b)), Status.ESME_RINVMSGLEN);
  assertStatus(() => decodeText(bytes(0x1b), 0), Status.ESME_RINVMSGLEN);
});

Deno.test("gsmDecode() rejects octets above 0x7F with ESME_RINVMSGLEN", () => {
  assertStatus(() => gsmDecode(bytes(0x41, 0x80)), Status.ESME_RINVMSGLEN);
  assertStatus(() => gsmDecode(bytes(0xff)), Status.ESME_RINVMSGLEN);
  assertStatus(() => gsmDecode(bytes(0x1b, 0x9b)), Status.ESME_RINVMSGLEN);
});

// --- packing ---

Deno.test("pack7() packs hello to E8 32 9B FD 06 and unpack7() reverses it", () => {
  const septets = gsmEncode("hello")!;
  assert.equal(hex(pack7(septets)), "e8 32 9b fd 06");
  assert.equal(gsmDecode(unpack7(bytes(0xe8, 0x32, 0x9b, 0xfd, 0x06))), "hello");
});

Deno.test("pack7()/unpack7() round-trip every length 0-40 with every fill-bit count", () => {
  for (let fill = 0; fill < 7; fill++) {
    for (let n = 0; n <= 40; n++) {
      // Avoid 0x00 last so the padding rule never applies; counts are passed anyway below.
      const septets = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 5) % 127 + 1);
      const packed = pack7(septets, fill);
      assert.equal(packed.length, Math.ceil((fill + 7 * n) / 8));
      assert.deepEqual(unpack7(packed, n, fill), septets, `n=${n} fill=${fill}`);
      assert.deepEqual(unpack7(packed, undefined, fill), septets, `n=${n} fill=${fill} no count`);
    }
  }
});

Deno.test("unpack7() drops the phantom @ from 7 spare bits unless a count is given", () => {
  const packed = pack7(gsmEncode("1234567")!);
  assert.equal(packed.length, 7);
  assert.equal(gsmDecode(unpack7(packed)), "1234567");
  assert.equal(gsmDecode(unpack7(packed, 8)), "1234567@");
});

Deno.test("udhFillBits() is 1 after a 6-octet UDH and 0 after a 7-octet UDH", () => {
  assert.equal(udhFillBits(6), 1);
  assert.equal(udhFillBits(7), 0);
});

Deno.test("decodeText() unpacks GSM when the account sends packed septets", () => {
  const packed = bytes(0xe8, 0x32, 0x9b, 0xfd, 0x06);
  assert.deepEqual(decodeText(packed, 0, { packed: true }), { kind: "text", text: "hello" });
  assert.equal(decodeText(packed, 0, { packed: true, septets: 3 }).text, "hel");
});

// --- UCS2 ---

Deno.test("ucs2Encode() writes an emoji as the surrogate pair D8 3D DE 00", () => {
  assert.equal(hex(ucs2Encode("😀")), "d8 3d de 00");
  assert.equal(ucs2Decode(bytes(0xd8, 0x3d, 0xde, 0x00)), "😀");
});

Deno.test("ucs2Decode() rejects an odd length with ESME_RINVMSGLEN", () => {
  assertStatus(() => ucs2Decode(bytes(0x00, 0x41, 0x00)), Status.ESME_RINVMSGLEN);
  assertStatus(() => decodeText(bytes(0x04), 8), Status.ESME_RINVMSGLEN);
});

Deno.test("ucs2Decode() handles text longer than one internal chunk", () => {
  const text = "Привет 😀 ".repeat(1000);
  assert.equal(ucs2Decode(ucs2Encode(text)), text);
});

// --- data_coding ---

Deno.test("decodeText() reads IA5 (dcs 1) as ASCII and rejects octets above 0x7F", () => {
  assert.deepEqual(decodeText(ascii("a@$_`"), 1), { kind: "text", text: "a@$_`" });
  assertStatus(() => decodeText(bytes(0x41, 0xe9), 1), Status.ESME_RINVMSGLEN);
});

Deno.test("decodeText() reads Latin-1 (dcs 3) octet by octet", () => {
  assert.equal(decodeText(bytes(0x63, 0x61, 0x66, 0xe9, 0xa3), 3).text, "café£");
});

Deno.test("decodeText() reports dcs 2 and 4 as binary without text", () => {
  assert.deepEqual(decodeText(bytes(0xff, 0x00), 2), { kind: "binary", text: null });
  assert.deepEqual(decodeText(bytes(0xff, 0x00), 4), { kind: "binary", text: null });
});

Deno.test("decodeText() follows the alphabet bits of GSM general-coding and class values", () => {
  assert.equal(decodeText(bytes(0x00), 0x10).text, "@"); // GSM class 0 (flash)
  assert.equal(decodeText(bytes(0x00), 0x13).text, "@"); // GSM class 3
  assert.equal(decodeText(bytes(0x00, 0x41), 0x18).text, "A"); // UCS2 class 0
  assert.equal(decodeText(bytes(0x01), 0x14).kind, "binary"); // 8-bit class 0
  assert.equal(decodeText(bytes(0x01), 0x1c).kind, "unknown"); // reserved alphabet 11
  assert.equal(decodeText(bytes(0x00), 0xf0).text, "@"); // class control, GSM 7-bit
  assert.equal(decodeText(bytes(0x01), 0xf4).kind, "binary"); // class control, 8-bit
  assertStatus(() => decodeText(bytes(0x80), 0xf1), Status.ESME_RINVMSGLEN);
});

Deno.test("decodeText() reports other data_coding values as unknown without text", () => {
  for (const dcs of [0x05, 0x06, 0x09, 0x0e, 0x20, 0xc0, 0xd0, 0xe0]) {
    assert.deepEqual(decodeText(bytes(0x41), dcs), { kind: "unknown", text: null }, `${dcs}`);
  }
});

Deno.test("encodeText() picks GSM (dcs 0) when every character fits, else UCS2 (dcs 8)", () => {
  assert.deepEqual(encodeText("hi €"), { dcs: 0, bytes: bytes(0x68, 0x69, 0x20, 0x1b, 0x65) });
  assert.deepEqual(encodeText("hi 中"), { dcs: 8, bytes: ucs2Encode("hi 中") });
});

Deno.test("encodeText() honours a preferred coding only when the text fits it", () => {
  assert.deepEqual(encodeText("abc", "ascii"), { dcs: 1, bytes: ascii("abc") });
  assert.equal(encodeText("é", "ascii").dcs, 8);
  assert.deepEqual(encodeText("café", "latin1"), { dcs: 3, bytes: bytes(0x63, 0x61, 0x66, 0xe9) });
  assert.equal(encodeText("€", "latin1").dcs, 8);
  assert.equal(encodeText("abc", "ucs2").dcs, 8);
  assert.equal(encodeText("`", "gsm").dcs, 8);
});

Deno.test("decodeText(encodeText(x)) round-trips in every coding", () => {
  const cases: [string, "gsm" | "ucs2" | "latin1" | "ascii", number][] = [
    ["@£$¥ Hello {world} [€] ~|^\\ \f ÄÖÑÜ§¿äöñüà ΔΦΓΛΩΠΨΣΘΞ", "gsm", 0],
    ["Hello, world! `~{}|", "ascii", 1],
    ["café ÿ ¤ ß ©", "latin1", 3],
    ["中文 😀 Привет 👍🏽 ok", "ucs2", 8],
  ];
  for (const [text, pref, dcs] of cases) {
    const enc = encodeText(text, pref);
    assert.equal(enc.dcs, dcs, text);
    assert.deepEqual(decodeText(enc.bytes, enc.dcs), { kind: "text", text });
  }
});

// --- parts ---

Deno.test("messageParts() fits 160 GSM characters in one part and 161 in two", () => {
  assert.deepEqual(messageParts("a".repeat(160)), { dcs: 0, parts: 1, perPart: 160, units: 160 });
  assert.deepEqual(messageParts("a".repeat(161)), { dcs: 0, parts: 2, perPart: 153, units: 161 });
  assert.equal(messageParts("a".repeat(306)).parts, 2);
  assert.equal(messageParts("a".repeat(307)).parts, 3);
});

Deno.test("messageParts() fits 70 UCS2 characters in one part and 71 in two", () => {
  assert.deepEqual(messageParts("中".repeat(70)), { dcs: 8, parts: 1, perPart: 70, units: 70 });
  assert.deepEqual(messageParts("中".repeat(71)), { dcs: 8, parts: 2, perPart: 67, units: 71 });
});

Deno.test("messageParts() counts an extension character as 2 septets at the single-part limit", () => {
  assert.equal(messageParts("a".repeat(158) + "€").parts, 1);
  assert.equal(messageParts("a".repeat(159) + "€").parts, 2);
});

Deno.test("splitText() moves an extension character that would straddle the 153 cut", () => {
  const { dcs, segments } = splitText("a".repeat(152) + "€" + "b".repeat(10));
  assert.equal(dcs, 0);
  assert.deepEqual(segments.map((s) => s.length), [152, 12]);
  assert.equal(gsmDecode(segments[1]), "€" + "b".repeat(10));
});

Deno.test("splitText() moves an emoji that would straddle the 67 cut", () => {
  const { dcs, segments } = splitText("a".repeat(66) + "😀" + "b".repeat(10));
  assert.equal(dcs, 8);
  assert.deepEqual(segments.map((s) => s.length / 2), [66, 12]);
  assert.equal(ucs2Decode(segments[1]), "😀" + "b".repeat(10));
  assert.equal(messageParts("a".repeat(65) + "😀" + "b".repeat(10)).parts, 2);
});

Deno.test("splitText() cuts 161 GSM characters into 153 + 8 that rejoin to the original", () => {
  const text = "x".repeat(161);
  const { segments } = splitText(text);
  assert.deepEqual(segments.map((s) => s.length), [153, 8]);
  assert.equal(segments.map(gsmDecode).join(""), text);
});

Deno.test("splitText() keeps an empty message as one empty part", () => {
  assert.deepEqual(splitText(""), { dcs: 0, segments: [new Uint8Array(0)] });
  assert.equal(messageParts("").parts, 1);
});

Deno.test("splitEncoded() cuts binary at 140 single / 134 per part", () => {
  assert.equal(splitEncoded(4, new Uint8Array(140)).length, 1);
  assert.deepEqual(splitEncoded(4, new Uint8Array(141)).map((s) => s.length), [134, 7]);
  assertStatus(() => splitEncoded(8, new Uint8Array(141)), Status.ESME_RINVMSGLEN);
});

Deno.test("partsFor() uses 160/153 GSM, 70/67 UCS2 and 140/134 octet sizes", () => {
  assert.deepEqual(
    [partsFor(0, 0), partsFor(0, 160), partsFor(0, 161), partsFor(0, 306), partsFor(0, 307)],
    [1, 1, 2, 2, 3],
  );
  assert.deepEqual([partsFor(8, 70), partsFor(8, 71), partsFor(8, 134), partsFor(8, 135)], [
    1,
    2,
    2,
    3,
  ]);
  assert.deepEqual([partsFor(4, 140), partsFor(4, 141), partsFor(2, 268), partsFor(2, 269)], [
    1,
    2,
    2,
    3,
  ]);
});

// --- UDH / SAR ---

const sar = (ref: number, total: number, seq: number): Tlv[] => [
  intTlv(Tag.sar_msg_ref_num, ref, 2),
  intTlv(Tag.sar_total_segments, total),
  intTlv(Tag.sar_segment_seqnum, seq),
];

Deno.test("parseUdh() splits UDHL, each IE and the payload", () => {
  const sm = bytes(0x0b, 0x05, 0x04, 0x0b, 0x84, 0x23, 0xf0, 0x00, 0x03, 0x2a, 0x02, 0x01, 0x68);
  const { ies, payload } = parseUdh(sm);
  assert.deepEqual(ies, [
    { iei: 0x05, data: bytes(0x0b, 0x84, 0x23, 0xf0) },
    { iei: 0x00, data: bytes(0x2a, 0x02, 0x01) },
  ]);
  assert.deepEqual(payload, bytes(0x68));
});

Deno.test("concatInfo() reads an 8-bit-reference UDH when esm_class has UDHI", () => {
  const sm = bytes(0x05, 0x00, 0x03, 0x2a, 0x03, 0x02, 0x68, 0x69);
  assert.deepEqual(concatInfo(0x43, sm, []), {
    ref: 0x2a,
    total: 3,
    seq: 2,
    refBits: 8,
    payload: bytes(0x68, 0x69),
  });
});

Deno.test("concatInfo() reads a 16-bit-reference UDH after another IE", () => {
  const sm = bytes(0x0a, 0x05, 0x02, 0x00, 0x00, 0x08, 0x04, 0x12, 0x34, 0x02, 0x02, 0x41);
  assert.deepEqual(concatInfo(0x40, sm, []), {
    ref: 0x1234,
    total: 2,
    seq: 2,
    refBits: 16,
    payload: bytes(0x41),
  });
});

Deno.test("concatInfo() reads SAR TLVs when UDHI is clear", () => {
  const sm = ascii("hi");
  assert.deepEqual(concatInfo(0x00, sm, sar(0xbeef, 4, 4)), {
    ref: 0xbeef,
    total: 4,
    seq: 4,
    refBits: "sar",
    payload: sm,
  });
});

Deno.test("concatInfo() returns null for a single message or an incomplete SAR set", () => {
  assert.equal(concatInfo(0x00, ascii("hi"), []), null);
  assert.equal(concatInfo(0x00, bytes(0x05, 0x00, 0x03, 1, 2, 1), []), null); // no UDHI
  assert.equal(concatInfo(0x00, ascii("hi"), sar(1, 2, 1).slice(0, 2)), null);
  assert.equal(concatInfo(0x40, bytes(0x03, 0x24, 0x01, 0x01, 0x41), []), null); // no concat IE
});

Deno.test("concatInfo() rejects a SAR part number outside 1..total with ESME_RINVOPTPARAMVAL", () => {
  for (const [total, seq] of [[3, 0], [3, 4], [0, 0], [0, 1]]) {
    assertStatus(() => concatInfo(0, ascii("x"), sar(1, total, seq)), Status.ESME_RINVOPTPARAMVAL);
  }
});

Deno.test("concatInfo() rejects a UDH part number outside 1..total with ESME_RINVMSGLEN", () => {
  assertStatus(() => concatInfo(0x40, bytes(5, 0, 3, 1, 2, 0, 0x41), []), Status.ESME_RINVMSGLEN);
  assertStatus(() => concatInfo(0x40, bytes(5, 0, 3, 1, 2, 3, 0x41), []), Status.ESME_RINVMSGLEN);
  assertStatus(() => concatInfo(0x40, bytes(5, 0, 3, 1, 0, 0, 0x41), []), Status.ESME_RINVMSGLEN);
});

Deno.test("parseUdh() rejects a malformed UDH with ESME_RINVMSGLEN", () => {
  const cases = [
    bytes(), // UDHI with no octets
    bytes(0x05, 0x00, 0x03, 0x01), // UDHL past end
    bytes(0x03, 0x00, 0x03, 0x01, 0x02, 0x03), // IE length past UDH
    bytes(0x01, 0x00, 0x41), // IE cut before its length octet
  ];
  for (const sm of cases) {
    assertStatus(() => parseUdh(sm), Status.ESME_RINVMSGLEN);
    assertStatus(() => concatInfo(0x40, sm, []), Status.ESME_RINVMSGLEN);
  }
});

Deno.test("concatInfo() rejects a concat IE of the wrong length with ESME_RINVMSGLEN", () => {
  assertStatus(() => concatInfo(0x40, bytes(4, 0x00, 2, 1, 1), []), Status.ESME_RINVMSGLEN);
  assertStatus(() => concatInfo(0x40, bytes(5, 0x08, 3, 1, 1, 1), []), Status.ESME_RINVMSGLEN);
});

Deno.test("buildUdh() builds 05 00 03 and 06 08 04 headers that concatInfo() reads back", () => {
  assert.equal(hex(buildUdh(0x2a, 3, 1)), "05 00 03 2a 03 01");
  assert.equal(hex(buildUdh(0x1234, 2, 2, 16)), "06 08 04 12 34 02 02");
  const sm = new Uint8Array([...buildUdh(0xabcd, 5, 3, 16), 0x41]);
  assert.deepEqual(concatInfo(0x40, sm, []), {
    ref: 0xabcd,
    total: 5,
    seq: 3,
    refBits: 16,
    payload: bytes(0x41),
  });
  assert.throws(() => buildUdh(1, 2, 3), RangeError);
  assert.throws(() => buildUdh(1, 256, 1), RangeError);
});

// --- receipt text ---

Deno.test("receiptTextField() keeps ASCII text and cuts it to 20 characters", () => {
  assert.equal(receiptTextField("Hello", "text"), "Hello");
  assert.equal(receiptTextField("abcdefghijklmnopqrstuvwxyz", "text"), "abcdefghijklmnopqrst");
  assert.equal(receiptTextField("abcdef", "text", 3), "abc");
});

Deno.test("receiptTextField() keeps GSM characters such as € £ é for GSM encoding", () => {
  const field = receiptTextField("€uro £5 café", "text");
  assert.equal(field, "€uro £5 café");
  assert.deepEqual(
    gsmEncode(field),
    bytes(0x1b, 0x65, 0x75, 0x72, 0x6f, 0x20, 0x01, 0x35, 0x20, 0x63, 0x61, 0x66, 0x05),
  );
});

Deno.test("receiptTextField() replaces Chinese and emoji with one ? per character", () => {
  assert.equal(receiptTextField("你好 world", "text"), "?? world");
  assert.equal(receiptTextField("hi 😀👍", "text"), "hi ??");
  assert.equal(receiptTextField("a`b", "text"), "a?b");
  assert.equal(receiptTextField("😀".repeat(30), "text"), "?".repeat(20));
});

Deno.test("receiptTextField() gives an empty field for binary or unknown content", () => {
  assert.equal(receiptTextField(null, "binary"), "");
  assert.equal(receiptTextField(null, "unknown"), "");
});

Deno.test("renderReceiptTextBytes() encodes a receipt as GSM septets with ? for the rest", () => {
  const out = renderReceiptTextBytes("id:1 err:000 text:£中");
  assert.deepEqual(out, new Uint8Array([...ascii("id:1 err:000 text:"), 0x01, 0x3f]));
  assert.deepEqual(renderReceiptTextBytes("a_b@"), bytes(0x61, 0x11, 0x62, 0x00));
});
