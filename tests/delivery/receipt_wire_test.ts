/** The receipt deliver_sm written straight to octets is the general encoder's, octet for octet. */
import assert from "node:assert/strict";
import { encodeReceiptSm } from "../../lib/delivery/receipt_wire.ts";
import { receiptPdu } from "../../lib/delivery/receipt.ts";
import { encode } from "../../lib/smpp/codec.ts";
import type { ReceiptRecord } from "../../lib/store/records.ts";
import { renderReceiptTextBytes } from "../../lib/text/mod.ts";

const base: ReceiptRecord = {
  messageId: "1795643445615000000",
  account: "acme",
  source: { ton: 1, npi: 1, addr: "447700900123" },
  dest: { ton: 5, npi: 0, addr: "Acme" },
  submitAt: Date.UTC(2026, 10, 25, 21, 50),
  doneAt: Date.UTC(2026, 10, 25, 21, 51),
  stat: "DELIVRD",
  err: "000",
  preview: "Hello World, this is",
  attempts: 0,
  createdAt: 0,
};

const general = (r: ReceiptRecord, textLength: number, tlvs: boolean) =>
  encode({ ...receiptPdu(r, { textLength, tlvs, encode: renderReceiptTextBytes }), seq: 0 });

Deno.test("encodeReceiptSm() writes the octets encode(receiptPdu()) writes", () => {
  const cases: ReceiptRecord[] = [
    base,
    { ...base, stat: "UNDELIV", err: "123", userMessageReference: 0xbeef },
    { ...base, intermediate: true, stat: "ACCEPTD" },
    { ...base, publicId: "0000002A" },
    { ...base, preview: "" },
    { ...base, preview: "a long preview text that is cut at the text length" },
    {
      ...base,
      source: { ton: 0, npi: 0, addr: "" },
      dest: { ton: 0, npi: 0, addr: "12345678901234567890" },
    },
  ];
  for (const r of cases) {
    for (const tlvs of [true, false]) {
      for (const len of [20, 5, 0]) {
        const fast = encodeReceiptSm(r, len, tlvs);
        assert.ok(fast, JSON.stringify(r));
        assert.deepEqual(
          fast,
          general(r, len, tlvs),
          `${JSON.stringify(r)} tlvs=${tlvs} len=${len}`,
        );
      }
    }
  }
});

Deno.test("encodeReceiptSm() leaves unusual receipts to the general encoder", () => {
  for (
    const r of [
      { ...base, preview: "café @ 5€" }, // GSM characters outside ASCII, or with their own codes
      { ...base, dest: { ton: 0, npi: 0, addr: "x".repeat(21) } }, // too long for deliver_sm
      { ...base, source: { ton: 0, npi: 0, addr: "Müller" } },
      { ...base, mo: { dataCoding: 0, esmClass: 0, body: new Uint8Array([0x41]) } },
    ] satisfies ReceiptRecord[]
  ) assert.equal(encodeReceiptSm(r, 20, true), null, JSON.stringify(r));
});
