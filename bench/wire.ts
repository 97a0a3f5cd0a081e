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

/** A deliver_sm_resp (status 0, empty message_id) with sequence number 0: set it with setSeq. */
export const DELIVER_RESP: Uint8Array = encode({ command: "deliver_sm_resp", seq: 0 });

/** Writes `seq` into the header of the PDU at `off`. */
export function setSeq(b: Uint8Array, off: number, seq: number) {
  b[off + 12] = seq >>> 24;
  b[off + 13] = seq >>> 16;
  b[off + 14] = seq >>> 8;
  b[off + 15] = seq;
}

/** The C-octet string at `off` (e.g. a submit_sm_resp's message_id). */
export function cstringAt(frame: Uint8Array, off: number): string {
  let s = "";
  for (let i = off; i < frame.length && frame[i] !== 0; i++) s += String.fromCharCode(frame[i]);
  return s;
}

/** Offset just past the NUL of the C-octet string at `off` (the frame's end when it has none). */
function skipCstring(frame: Uint8Array, off: number): number {
  while (off < frame.length && frame[off] !== 0) off++;
  return off + 1;
}

/**
 * The receipted_message_id TLV of a receipt, read in place (no PDU decoded: the load generator
 * must cost as little as it can on the 2 cores it shares with the server); else, as decoded, the
 * `id:` of its text.
 */
export function receiptedId(frame: Uint8Array): string {
  const end = Math.min(
    frame.length,
    ((frame[0] << 24) | (frame[1] << 16) | (frame[2] << 8) | frame[3]) >>> 0,
  );
  // deliver_sm: service_type, source (ton, npi, addr), dest (ton, npi, addr), esm_class,
  // protocol_id, priority_flag, two times, registered_delivery, replace flag, data_coding,
  // sm_default_msg_id, sm_length and short_message; then the TLVs.
  let off = skipCstring(frame, 16) + 2;
  off = skipCstring(frame, off) + 2;
  off = skipCstring(frame, off) + 3;
  off = skipCstring(frame, off);
  off = skipCstring(frame, off) + 4;
  off += 1 + (frame[off] ?? 0);
  while (off + 4 <= end) {
    const tag = (frame[off] << 8) | frame[off + 1];
    const len = (frame[off + 2] << 8) | frame[off + 3];
    off += 4;
    if (tag === Tag.receipted_message_id && off + len <= end) {
      return cstringAt(frame.subarray(0, off + len), off);
    }
    off += len;
  }
  return idOfText(frame);
}

function idOfText(frame: Uint8Array): string {
  try {
    const p = decode(frame);
    const id = tlvString(p.tlvs, Tag.receipted_message_id);
    if (id !== undefined) return id;
    const sm = p.body.short_message as Uint8Array;
    const text = cstringAt(Uint8Array.of(...sm, 0), 0);
    return /^id:(\S+)/.exec(text)?.[1] ?? text;
  } catch {
    return "(undecodable)";
  }
}
