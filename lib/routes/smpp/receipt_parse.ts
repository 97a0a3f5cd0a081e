/**
 * Reading an upstream SMSC's delivery receipts: which deliver_sm are receipts, and their id,
 * final state and error code (TLVs or the Appendix B text, whose variants differ by vendor).
 */
import { alphabetOf } from "../../text/coding.ts";
import { ucs2Decode } from "../../text/ucs2.ts";
import { Tag, type Tlv, tlvInt, tlvString } from "../../smpp/tlvs.ts";
import { MessageState, type Stat } from "../../store/records.ts";

/** esm_class message-type bits (SMPP 3.4 §5.2.12). */
export const ESM_TYPE_MASK = 0x3c;
/** esm_class type of an SMSC delivery receipt. */
export const ESM_RECEIPT = 0x04;
/** esm_class type of an SME delivery acknowledgement (some SMSCs send receipts with it). */
export const ESM_SME_ACK = 0x08;
/** esm_class type of an intermediate delivery notification. */
export const ESM_INTERMEDIATE = 0x20;

/** What a deliver_sm (or data_sm) from the upstream is. */
export type UpstreamKind = "receipt" | "intermediate" | "message";

/** The kind of an upstream deliver_sm by its esm_class (bits masked, never compared whole). */
export function upstreamKind(esmClass: number): UpstreamKind {
  const type = esmClass & ESM_TYPE_MASK;
  if (type === ESM_RECEIPT || type === ESM_SME_ACK) return "receipt";
  if (type === ESM_INTERMEDIATE) return "intermediate";
  return "message";
}

/** The receipt-bearing parts of a deliver_sm or data_sm. */
export interface ReceiptPdu {
  /** short_message (empty for data_sm). */
  shortMessage: Uint8Array;
  /** data_coding of the text. */
  dataCoding: number;
  /** The PDU's TLVs. */
  tlvs: readonly Tlv[];
}

/** A parsed receipt: final (with stat and err), or an intermediate state to acknowledge only. */
export type ParsedReceipt =
  | { final: true; id: string; stat: Stat; err: string }
  | { final: false; id: string; state: string };

const STATS: Readonly<Record<string, Stat>> = {
  DELIVRD: "DELIVRD",
  DELIVERED: "DELIVRD",
  EXPIRED: "EXPIRED",
  DELETED: "DELETED",
  UNDELIV: "UNDELIV",
  UNDELIVERABLE: "UNDELIV",
  FAILED: "UNDELIV",
  ACCEPTD: "ACCEPTD",
  ACCEPTED: "ACCEPTD",
  UNKNOWN: "UNKNOWN",
  REJECTD: "REJECTD",
  REJECTED: "REJECTD",
};

/** message_state TLV values (§5.2.28) as final receipt words. */
const STATE_STATS: Readonly<Record<number, Stat>> = {
  [MessageState.DELIVERED]: "DELIVRD",
  [MessageState.EXPIRED]: "EXPIRED",
  [MessageState.DELETED]: "DELETED",
  [MessageState.UNDELIVERABLE]: "UNDELIV",
  [MessageState.ACCEPTED]: "ACCEPTD",
  [MessageState.UNKNOWN]: "UNKNOWN",
  [MessageState.REJECTED]: "REJECTD",
};

/** The receipt text: short_message, or message_payload when that is empty. */
export function receiptText(p: ReceiptPdu): string {
  const payload = p.tlvs.find((t) => t.tag === Tag.message_payload)?.value;
  const bytes = p.shortMessage.length > 0 ? p.shortMessage : payload ?? p.shortMessage;
  if (alphabetOf(p.dataCoding) === "ucs2" && bytes.length % 2 === 0) return ucs2Decode(bytes);
  // Receipt keys and values are ASCII in every coding an SMSC uses for them.
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/** The value after `key:` in a receipt text (keys case-insensitive), or undefined. */
function field(text: string, key: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)${key}:\\s*(\\S*)`, "i").exec(text);
  return m?.[1];
}

/** An `err:` value as three digits: numbers are padded (or keep their last three digits). */
export function normalizeErr(v: string | undefined): string {
  if (v === undefined || !/^\d+$/.test(v)) return "000";
  return v.length >= 3 ? v.slice(-3) : v.padStart(3, "0");
}

/**
 * Reads a receipt: the id from `receipted_message_id` or the text's `id:`, the state from the
 * text's `stat:` or the `message_state` TLV, the error from `err:` or `network_error_code`.
 * Returns null when it has no id or no state (nothing to match or settle).
 *
 * @example
 * ```ts
 * import { parseReceipt } from "./receipt_parse.ts";
 * const text = "id:4F2A0001 sub:001 dlvrd:000 submit date:2501151200 done date:2501151201 " +
 *   "stat:UNDELIV err:001 text:Hello";
 * const r = parseReceipt({
 *   shortMessage: new TextEncoder().encode(text),
 *   dataCoding: 0,
 *   tlvs: [],
 * });
 * console.log(r); // { final: true, id: "4F2A0001", stat: "UNDELIV", err: "001" }
 * ```
 */
export function parseReceipt(p: ReceiptPdu): ParsedReceipt | null {
  const text = receiptText(p);
  const id = tlvString(p.tlvs, Tag.receipted_message_id) || field(text, "id");
  if (!id) return null;
  const word = field(text, "stat")?.toUpperCase();
  const state = tlvInt(p.tlvs, Tag.message_state);
  let stat: Stat | undefined;
  if (word) {
    stat = STATS[word];
    if (stat === undefined) return { final: false, id, state: word };
  } else if (state !== undefined) {
    stat = STATE_STATS[state];
    if (stat === undefined) return { final: false, id, state: `message_state ${state}` };
  } else return null;
  const errText = field(text, "err");
  const err = errText !== undefined ? normalizeErr(errText) : networkError(p.tlvs);
  return { final: true, id, stat, err };
}

/** The error code of a `network_error_code` TLV (type, then a 2-octet code), or "000". */
function networkError(tlvs: readonly Tlv[]): string {
  const v = tlvs.find((t) => t.tag === Tag.network_error_code)?.value;
  if (!v || v.length !== 3) return "000";
  return normalizeErr(String((v[1] << 8) | v[2]));
}

/**
 * The forms an upstream message id may take in its receipts when they differ from the
 * submit_sm_resp (decimal in one, hex in the other; hex in either case), the id itself first.
 *
 * @example
 * ```ts
 * import { idVariants } from "./receipt_parse.ts";
 * console.log(idVariants("255")); // ["255", "ff", "FF", "597"]
 * console.log(idVariants("1A2B")); // ["1A2B", "1a2b", "6699"]
 * ```
 */
export function idVariants(id: string): string[] {
  const out = [id];
  const add = (v: string) => {
    if (!out.includes(v)) out.push(v);
  };
  const isHex = /^[0-9a-f]+$/i.test(id);
  if (isHex) {
    add(id.toLowerCase());
    add(id.toUpperCase());
  }
  // Ids longer than this are not numbers in another base (UUIDs and the like).
  if (id.length > 40) return out;
  if (/^\d+$/.test(id)) {
    const hex = BigInt(id).toString(16);
    add(hex);
    add(hex.toUpperCase());
  }
  if (isHex) add(BigInt(`0x${id}`).toString());
  return out;
}
