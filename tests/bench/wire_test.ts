/** The load generator's in-place reading of receipts (bench/wire.ts). */
import assert from "node:assert/strict";
import { encode } from "../../lib/smpp/codec.ts";
import { Tag } from "../../lib/smpp/tlvs.ts";
import { cstringAt, DELIVER_RESP, receiptedId } from "../../bench/wire.ts";

const text = new TextEncoder().encode("id:0123456789 sub:001 dlvrd:001 stat:DELIVRD err:000 text:");

function receipt(tlvs: { tag: number; value: Uint8Array }[]): Uint8Array {
  return encode({
    command: "deliver_sm",
    seq: 7,
    body: {
      service_type: "CMT",
      source_addr: "447700900123",
      destination_addr: "Bench",
      esm_class: 4,
      schedule_delivery_time: "",
      short_message: text,
    },
    tlvs,
  });
}

Deno.test("receiptedId() reads receipted_message_id in place, after other TLVs", () => {
  const frame = receipt([
    { tag: Tag.message_state, value: Uint8Array.of(2) },
    { tag: Tag.receipted_message_id, value: new TextEncoder().encode("98765\0") },
  ]);
  assert.equal(receiptedId(frame), "98765");
});

Deno.test("receiptedId() falls back to the id: of the text without the TLV", () => {
  assert.equal(receiptedId(receipt([])), "0123456789");
});

Deno.test("receiptedId() does not throw on a cut frame", () => {
  const frame = receipt([{
    tag: Tag.receipted_message_id,
    value: new TextEncoder().encode("1\0"),
  }]);
  assert.equal(typeof receiptedId(frame.subarray(0, 30)), "string");
});

Deno.test("cstringAt() reads up to the NUL; DELIVER_RESP is an empty deliver_sm_resp", () => {
  assert.equal(cstringAt(Uint8Array.of(0x41, 0x42, 0, 0x43), 0), "AB");
  assert.deepEqual([...DELIVER_RESP], [0, 0, 0, 17, 0x80, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
});
