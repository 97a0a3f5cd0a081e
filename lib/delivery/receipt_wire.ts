/**
 * The receipt deliver_sm written straight into one buffer: the same octets as
 * `encode(receiptPdu(r, …))` with sequence number 0 (the session sets it), without the PDU object,
 * its TLV objects or the receipt string in between. Receipts are the gateway's most frequent
 * PDU; anything unusual (long or non-ASCII addresses, text GSM carries only with its own table,
 * an inbound message) takes the general path: {@link encodeReceiptSm} returns null.
 *
 * ```ts
 * import { encodeReceiptSm } from "./receipt_wire.ts";
 * const r = {
 *   messageId: "1", account: "a", source: { ton: 1, npi: 1, addr: "447700900123" },
 *   dest: { ton: 0, npi: 0, addr: "Acme" }, submitAt: 0, doneAt: 0, stat: "DELIVRD" as const,
 *   err: "000", preview: "hi", attempts: 0, createdAt: 0,
 * };
 * console.log(encodeReceiptSm(r, 20, true)?.length); // 150
 * ```
 */
import { ESM_CLASS } from "../core/defaults.ts";
import { Tag } from "../smpp/tlvs.ts";
import { MessageState, type ReceiptRecord, STAT_STATES } from "../store/records.ts";
import { gsmEncodeAsciiInto } from "../text/mod.ts";
import { receiptDate } from "./receipt.ts";

/** deliver_sm's command_id. */
const DELIVER_SM = 0x00000005;
/** Longest address a deliver_sm carries (C-Octet String of 21). */
const MAX_ADDR = 20;

/** Octets of `s` as a C-Octet String of ASCII, or -1 when it has another character or a NUL. */
function asciiLength(s: string, max: number): number {
  if (s.length > max) return -1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c >= 0x80) return -1;
  }
  return s.length + 1;
}

function putAscii(b: Uint8Array, at: number, s: string): number {
  for (let i = 0; i < s.length; i++) b[at + i] = s.charCodeAt(i);
  return at + s.length;
}

/**
 * The receipt's deliver_sm with sequence number 0, or null when it needs the general encoder.
 * `tlvs`: the receiver bound with interface_version 0x34 or later.
 */
export function encodeReceiptSm(
  r: ReceiptRecord,
  textLength: number,
  tlvs: boolean,
): Uint8Array | null {
  if (r.mo) return null;
  const src = asciiLength(r.source.addr, MAX_ADDR);
  const dst = asciiLength(r.dest.addr, MAX_ADDR);
  const id = r.publicId ?? r.messageId;
  const idLen = asciiLength(id, 64);
  if (src < 0 || dst < 0 || idLen < 0 || asciiLength(r.err, 3) < 0) return null;
  const head = `id:${id} sub:001 dlvrd:${r.stat === "DELIVRD" ? "001" : "000"} submit date:${
    receiptDate(r.submitAt)
  } done date:${receiptDate(r.doneAt)} stat:${r.stat} err:${r.err} text:`;
  const preview = r.preview.length > textLength ? r.preview.slice(0, textLength) : r.preview;
  const sm = head.length + preview.length;
  if (sm > 254) return null;
  const umr = r.userMessageReference !== undefined;
  const tlvSize = tlvs ? 4 + idLen + 5 + 7 + (umr ? 6 : 0) : 0;
  // header, service_type, 2 + source, 2 + dest, 3 fixed, 2 times, 4 fixed, sm_length, text, TLVs
  const size = 16 + 1 + 2 + src + 2 + dst + 3 + 2 + 4 + 1 + sm + tlvSize;
  const b = new Uint8Array(size);
  b[0] = size >>> 24;
  b[1] = size >>> 16;
  b[2] = size >>> 8;
  b[3] = size;
  b[7] = DELIVER_SM;
  let o = 17; // service_type ""
  b[o++] = r.source.ton;
  b[o++] = r.source.npi;
  o = putAscii(b, o, r.source.addr) + 1;
  b[o++] = r.dest.ton;
  b[o++] = r.dest.npi;
  o = putAscii(b, o, r.dest.addr) + 1;
  b[o] = r.intermediate ? ESM_CLASS.intermediate : ESM_CLASS.deliveryReceipt;
  o += 3 + 2 + 4; // protocol_id, priority_flag, two empty times, flags, data_coding 0, default id
  b[o++] = sm;
  o = gsmEncodeAsciiInto(head, b, o);
  if (o >= 0) o = gsmEncodeAsciiInto(preview, b, o);
  if (o < 0) return null;
  if (tlvs) {
    o = tlvHead(b, o, Tag.receipted_message_id, idLen);
    o = putAscii(b, o, id) + 1;
    o = tlvHead(b, o, Tag.message_state, 1);
    b[o++] = r.intermediate ? MessageState.ENROUTE : STAT_STATES[r.stat];
    const err = Number.parseInt(r.err, 10);
    o = tlvHead(b, o, Tag.network_error_code, 3);
    b[o++] = 3;
    b[o++] = (err >> 8) & 0xff;
    b[o++] = err & 0xff;
    if (umr) {
      o = tlvHead(b, o, Tag.user_message_reference, 2);
      b[o++] = r.userMessageReference! >>> 8;
      b[o++] = r.userMessageReference!;
    }
  }
  return b;
}

function tlvHead(b: Uint8Array, o: number, tag: number, len: number): number {
  b[o] = tag >>> 8;
  b[o + 1] = tag;
  b[o + 2] = len >>> 8;
  b[o + 3] = len;
  return o + 4;
}
