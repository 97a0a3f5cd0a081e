/** Reading upstream receipts: which deliver_sm are receipts, their id, state and error code. */
import assert from "node:assert/strict";
import { intTlv, stringTlv, Tag, type Tlv } from "../../lib/smpp/tlvs.ts";
import {
  idVariants,
  normalizeErr,
  parseReceipt,
  upstreamKind,
} from "../../lib/routes/smpp/receipt_parse.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const parse = (text: string, tlvs: Tlv[] = [], dataCoding = 0) =>
  parseReceipt({ shortMessage: enc(text), dataCoding, tlvs });

Deno.test("smpp receipts: esm_class message-type bits tell receipts from messages", () => {
  assert.equal(upstreamKind(0x04), "receipt");
  assert.equal(upstreamKind(0x44), "receipt", "UDHI does not hide the type");
  assert.equal(upstreamKind(0x08), "receipt", "SME delivery ack, as some SMSCs send receipts");
  assert.equal(upstreamKind(0x20), "intermediate");
  assert.equal(upstreamKind(0x00), "message");
  assert.equal(upstreamKind(0x40), "message");
  assert.equal(upstreamKind(0x03), "message");
});

Deno.test("smpp receipts: the Appendix B text gives id, stat and err", () => {
  const t = "id:4F2A0001 sub:001 dlvrd:000 submit date:2501151200 done date:2501151201 " +
    "stat:UNDELIV err:001 text:Hello";
  assert.deepEqual(parse(t), { final: true, id: "4F2A0001", stat: "UNDELIV", err: "001" });
});

Deno.test("smpp receipts: vendor variants (case, missing fields, 4-digit err, long stat words)", () => {
  assert.deepEqual(
    parse("ID:123 Submit date:2501151200 Done date:2501151201 Stat:delivrd Err:0000 Text:x"),
    { final: true, id: "123", stat: "DELIVRD", err: "000" },
  );
  assert.deepEqual(parse("id:9 stat:DELIVERED"), {
    final: true,
    id: "9",
    stat: "DELIVRD",
    err: "000",
  });
  assert.deepEqual(parse("id:9 stat:FAILED err:34"), {
    final: true,
    id: "9",
    stat: "UNDELIV",
    err: "034",
  });
  assert.deepEqual(parse("id:9 stat:REJECTD err:abc"), {
    final: true,
    id: "9",
    stat: "REJECTD",
    err: "000",
  });
  assert.equal(normalizeErr("1"), "001");
  assert.equal(normalizeErr("1234"), "234");
});

Deno.test("smpp receipts: intermediate states are not final", () => {
  assert.deepEqual(parse("id:7 stat:ENROUTE err:000"), { final: false, id: "7", state: "ENROUTE" });
  assert.deepEqual(parse("id:7 stat:BUFFRED"), { final: false, id: "7", state: "BUFFRED" });
});

Deno.test("smpp receipts: TLVs give the id and, without stat:, the state and network error", () => {
  const tlvs = [
    stringTlv(Tag.receipted_message_id, "abc-1"),
    intTlv(Tag.message_state, 5),
    { tag: Tag.network_error_code, value: Uint8Array.of(3, 0, 21) },
  ];
  assert.deepEqual(parse("", tlvs), { final: true, id: "abc-1", stat: "UNDELIV", err: "021" });
  assert.deepEqual(parse("id:other stat:DELIVRD err:000", tlvs), {
    final: true,
    id: "abc-1",
    stat: "DELIVRD",
    err: "000",
  });
  assert.deepEqual(
    parse("", [stringTlv(Tag.receipted_message_id, "x"), intTlv(Tag.message_state, 1)]),
    {
      final: false,
      id: "x",
      state: "message_state 1",
    },
  );
});

Deno.test("smpp receipts: text in message_payload or UCS2 is read too", () => {
  const payload = { tag: Tag.message_payload, value: enc("id:55 stat:EXPIRED err:002") };
  assert.deepEqual(
    parseReceipt({ shortMessage: new Uint8Array(0), dataCoding: 0, tlvs: [payload] }),
    {
      final: true,
      id: "55",
      stat: "EXPIRED",
      err: "002",
    },
  );
  const text = "id:56 stat:DELIVRD err:000";
  const ucs2 = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) ucs2[2 * i + 1] = text.charCodeAt(i);
  assert.deepEqual(parseReceipt({ shortMessage: ucs2, dataCoding: 8, tlvs: [] }), {
    final: true,
    id: "56",
    stat: "DELIVRD",
    err: "000",
  });
});

Deno.test("smpp receipts: no id or no state gives null", () => {
  assert.equal(parse("stat:DELIVRD err:000"), null);
  assert.equal(parse("id:5 err:000"), null);
  assert.equal(parse(""), null);
});

Deno.test("smpp receipts: id variants cover decimal ⇄ hex and hex case", () => {
  assert.deepEqual(idVariants("255"), ["255", "ff", "FF", "597"]);
  assert.deepEqual(idVariants("1A2B"), ["1A2B", "1a2b", "6699"]);
  assert.deepEqual(idVariants("ff"), ["ff", "FF", "255"]);
  assert.deepEqual(idVariants("msg-1"), ["msg-1"]);
  const long = "1795643445615000000";
  assert.ok(idVariants(long).includes(BigInt(long).toString(16)));
  const uuid = "0123456789abcdef0123456789abcdef0123456789";
  assert.deepEqual(idVariants(uuid), [uuid, uuid.toUpperCase()], "no base change for long ids");
});
