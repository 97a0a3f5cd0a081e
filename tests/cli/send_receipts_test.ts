import assert from "node:assert/strict";
import { doneDate, readReceipt, receiptLine, ReceiptWatch } from "../../lib/cli/send_receipts.ts";
import { decode, encode, type Pdu } from "../../lib/smpp/codec.ts";
import { intTlv, stringTlv, Tag } from "../../lib/smpp/tlvs.ts";

function deliver(text: string, esmClass = 4, tlvs = [] as ReturnType<typeof intTlv>[]) {
  return decode(encode({
    command: "deliver_sm",
    seq: 1,
    body: { esm_class: esmClass, short_message: new TextEncoder().encode(text) },
    tlvs,
  })) as Pdu<"deliver_sm">;
}

Deno.test("a receipt is read from its text, with the done date in ISO 8601", () => {
  const r = readReceipt(deliver(
    "id:1795643445615000000 sub:001 dlvrd:000 submit date:2611291000 done date:2611291001 stat:UNDELIV err:001 text:Hi",
  ));
  assert.deepEqual(r, {
    id: "1795643445615000000",
    stat: "UNDELIV",
    err: "001",
    done: "2026-11-29T10:01Z",
    final: true,
  });
  assert.equal(
    receiptLine(r!),
    "receipt 1795643445615000000: UNDELIV err 001 done 2026-11-29T10:01Z",
  );
  assert.equal(doneDate("done date:261129100159"), "2026-11-29T10:01:59Z");
  assert.equal(doneDate("no date"), "");
}); // deno-fmt-ignore

Deno.test("TLVs alone make a receipt; an inbound message is none; ENROUTE is not final", () => {
  const tlvOnly = readReceipt(deliver("", 4, [
    stringTlv(Tag.receipted_message_id, "ab12"),
    intTlv(Tag.message_state, 2),
  ]));
  assert.deepEqual([tlvOnly?.id, tlvOnly?.stat, tlvOnly?.final], ["ab12", "DELIVRD", true]);
  assert.equal(readReceipt(deliver("hello", 0)), null);
  const enroute = readReceipt(deliver("id:5 stat:ENROUTE"))!;
  assert.equal(enroute.final, false);
  assert.equal(receiptLine(enroute), "receipt 5: ENROUTE (not final)");
});

Deno.test("receipts match the submitted ids in decimal or hex, even when they come first", () => {
  const w = new ReceiptWatch();
  w.add({ id: "ff", stat: "DELIVRD", err: "000", done: "", final: true });
  w.expect("255");
  w.expect("7");
  assert.deepEqual([w.received, w.expected, w.undelivered], [1, 2, ["7"]]);
  w.add({ id: "7", stat: "EXPIRED", err: "000", done: "", final: true });
  assert.deepEqual([w.received, w.undelivered], [2, ["7"]]);
});
