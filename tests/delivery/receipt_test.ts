import assert from "node:assert/strict";
import { decode, encode } from "../../lib/smpp/codec.ts";
import { Tag, tlvInt, tlvString } from "../../lib/smpp/tlvs.ts";
import { formatReceipt, receiptDate, receiptPdu } from "../../lib/delivery/receipt.ts";
import type { ReceiptRecord } from "../../lib/store/records.ts";
import { renderReceiptTextBytes } from "../../lib/text/mod.ts";

const r: ReceiptRecord = {
  messageId: "7563423917286768871",
  account: "test",
  source: { ton: 1, npi: 1, addr: "447700900123" },
  dest: { ton: 5, npi: 0, addr: "Acme" },
  submitAt: Date.UTC(2018, 11, 27, 21, 14),
  doneAt: Date.UTC(2018, 11, 27, 21, 14, 30),
  stat: "DELIVRD",
  err: "000",
  preview: "Hello World, this is",
  attempts: 0,
  createdAt: 0,
};

Deno.test("receiptDate() formats YYMMDDhhmm in UTC", () => {
  assert.equal(receiptDate(Date.UTC(2018, 11, 27, 21, 14)), "1812272114");
  assert.equal(receiptDate(Date.UTC(2005, 0, 2, 3, 4)), "0501020304");
});

Deno.test("formatReceipt() writes the exact Appendix B text", () => {
  assert.equal(
    formatReceipt(r),
    "id:7563423917286768871 sub:001 dlvrd:001 submit date:1812272114 done date:1812272114 stat:DELIVRD err:000 text:Hello World, this is",
  );
});

Deno.test("formatReceipt() says dlvrd:000 for a failure and honours the text length", () => {
  const s = formatReceipt({ ...r, stat: "UNDELIV", err: "001" }, 5);
  assert.match(s, / dlvrd:000 .* stat:UNDELIV err:001 text:Hello$/);
});

Deno.test("receiptPdu() builds a deliver_sm with esm_class 0x04, swapped addresses and TLVs", () => {
  const p = decode(
    encode({
      ...receiptPdu({ ...r, userMessageReference: 42 }, { encode: renderReceiptTextBytes }),
      seq: 1,
    }),
  );
  assert.equal(p.body.esm_class, 0x04);
  assert.equal(p.body.data_coding, 0);
  assert.deepEqual([p.body.source_addr, p.body.destination_addr], ["447700900123", "Acme"]);
  assert.equal(tlvString(p.tlvs, Tag.receipted_message_id), r.messageId);
  assert.equal(tlvInt(p.tlvs, Tag.message_state), 2);
  assert.equal(tlvInt(p.tlvs, Tag.user_message_reference), 42);
});

Deno.test("receiptPdu() sends no TLVs to a 3.3 ESME", () => {
  assert.deepEqual(receiptPdu(r, { tlvs: false, encode: renderReceiptTextBytes }).tlvs, []);
});
