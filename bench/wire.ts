/** The bytes the load generator sends and picks out of what it receives. */
import { decode, encode } from "../lib/smpp/codec.ts";
import { Tag, tlvString } from "../lib/smpp/tlvs.ts";

/** The submit_sm every connection sends, encoded once; only the sequence number changes. */
export function submitTemplate(registeredDelivery: number): Uint8Array {
  return encode({
    command: "submit_sm",
    seq: 0,
    body: {
      source_addr: "Bench",
      dest_addr_ton: 1,
      dest_addr_npi: 1,
      destination_addr: "447700900123",
      registered_delivery: registeredDelivery,
      short_message: new TextEncoder().encode("Hello from the smppgw load generator"),
    },
  });
}

/** Writes `seq` into the header of the PDU at `off`. */
export function setSeq(b: Uint8Array, off: number, seq: number) {
  b[off + 12] = seq >>> 24;
  b[off + 13] = seq >>> 16;
  b[off + 14] = seq >>> 8;
  b[off + 15] = seq;
}

const latin1 = new TextDecoder("latin1");

/** The C-octet string at `off` (e.g. a submit_sm_resp's message_id). */
export function cstringAt(frame: Uint8Array, off: number): string {
  let end = off;
  while (end < frame.length && frame[end] !== 0) end++;
  return latin1.decode(frame.subarray(off, end));
}

/** The receipted_message_id TLV of a receipt, else the `id:` of its text. */
export function receiptedId(frame: Uint8Array): string {
  try {
    const p = decode(frame);
    const id = tlvString(p.tlvs, Tag.receipted_message_id);
    if (id !== undefined) return id;
    const text = latin1.decode(p.body.short_message as Uint8Array);
    return /^id:(\S+)/.exec(text)?.[1] ?? text;
  } catch {
    return "(undecodable)";
  }
}
