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
import { outgoingBytes } from "../smpp/slab.ts";
import { Tag } from "../smpp/tlvs.ts";
import { MessageState, type ReceiptRecord, STAT_STATES } from "../store/records.ts";
import { gsmEncodeAsciiInto } from "../text/mod.ts";
import { receiptDate } from "./receipt.ts";

/** deliver_sm's command_id. */
const DELIVER_SM = 0x00000005;
/** Longest address a deliver_sm carries (C-Octet String of 21). */
const MAX_ADDR = 20;

/** ASCII text as octets (the constant parts of the receipt text). */
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const ID = ascii("id:");
const SUB_DLVRD = ascii(" sub:001 dlvrd:");
const DLVRD_1 = ascii("001");
const DLVRD_0 = ascii("000");
const SUBMIT_DATE = ascii(" submit date:");
const DONE_DATE = ascii(" done date:");
const STAT = ascii(" stat:");
const ERR = ascii(" err:");
const TEXT = ascii(" text:");
/** Octets of the receipt text besides the id, the two dates, the stat, the err and the text. */
const FIXED = ID.length + SUB_DLVRD.length + 3 + SUBMIT_DATE.length + DONE_DATE.length +
  STAT.length + ERR.length + TEXT.length;

/**
 * Writes `s` at `at` as ASCII of GSM's basic table that maps to itself (letters, digits, space,
 * ':' …); -1 for any other character (or a NUL), which the general encoder then handles.
 */
function putPlain(b: Uint8Array, at: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (PLAIN[c] !== 1) return -1;
    b[at + i] = c;
  }
  return at + s.length;
}

/** 1 for the ASCII codes written as themselves both in a C-Octet String and in GSM 03.38. */
const PLAIN = Uint8Array.from(
  { length: 128 },
  (_, c) =>
    (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
      (c === 0x20 || c === 0x2b || c === 0x2d || c === 0x2e || c === 0x3a)
      ? 1
      : 0,
);

/**
 * Writes `s` at `at` as a C-Octet String of ASCII (NUL included); -1 for a NUL or another
 * character (the general encoder then handles it).
 */
function putCstr(b: Uint8Array, at: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c >= 0x80) return -1;
    b[at + i] = c;
  }
  b[at + s.length] = 0;
  return at + s.length + 1;
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
  const source = r.source.addr, dest = r.dest.addr;
  const id = r.publicId ?? r.messageId;
  if (source.length > MAX_ADDR || dest.length > MAX_ADDR || id.length > 64) return null;
  const submitDate = receiptDate(r.submitAt), doneDate = receiptDate(r.doneAt);
  const preview = r.preview.length > textLength ? r.preview.slice(0, textLength) : r.preview;
  const sm = FIXED + id.length + submitDate.length + doneDate.length + r.stat.length +
    r.err.length + preview.length;
  if (sm > 254) return null;
  const umr = r.userMessageReference !== undefined;
  const tlvSize = tlvs ? 4 + id.length + 1 + 5 + 7 + (umr ? 6 : 0) : 0;
  // header, service_type, ton, npi, source, ton, npi, dest, 3 octets, two empty times,
  // 4 octets, sm_length, the text, TLVs
  const size = 16 + 1 + 2 + source.length + 1 + 2 + dest.length + 1 + 3 + 2 + 4 + 1 + sm +
    tlvSize;
  const b = outgoingBytes(size);
  b[0] = size >>> 24;
  b[1] = size >>> 16;
  b[2] = size >>> 8;
  b[3] = size;
  b[7] = DELIVER_SM;
  let o = 17; // service_type ""
  b[o++] = r.source.ton;
  b[o++] = r.source.npi;
  o = putCstr(b, o, source);
  if (o < 0) return null;
  b[o++] = r.dest.ton;
  b[o++] = r.dest.npi;
  o = putCstr(b, o, dest);
  if (o < 0) return null;
  b[o] = r.intermediate ? ESM_CLASS.intermediate : ESM_CLASS.deliveryReceipt;
  o += 3 + 2 + 4; // protocol_id, priority_flag, two empty times, flags, data_coding 0, default id
  b[o++] = sm;
  b.set(ID, o);
  o = putPlain(b, o + ID.length, id);
  if (o < 0) return null;
  b.set(SUB_DLVRD, o);
  b.set(r.stat === "DELIVRD" ? DLVRD_1 : DLVRD_0, o += SUB_DLVRD.length);
  b.set(SUBMIT_DATE, o += 3);
  o = putPlain(b, o + SUBMIT_DATE.length, submitDate);
  b.set(DONE_DATE, o);
  o = putPlain(b, o + DONE_DATE.length, doneDate);
  b.set(STAT, o);
  o = putPlain(b, o + STAT.length, r.stat);
  b.set(ERR, o);
  o = putPlain(b, o + ERR.length, r.err);
  if (o < 0) return null;
  b.set(TEXT, o);
  o = gsmEncodeAsciiInto(preview, b, o + TEXT.length);
  if (o < 0) return null;
  if (tlvs) {
    o = tlvHead(b, o, Tag.receipted_message_id, id.length + 1);
    o = putCstr(b, o, id);
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
