/** Delivery receipts: the Appendix B text and the deliver_sm that carries it. */
import { ESM_CLASS, RECEIPT_DEFAULTS } from "../core/defaults.ts";
import type { PduInit } from "../smpp/codec.ts";
import { intTlv, stringTlv, Tag, type Tlv } from "../smpp/tlvs.ts";
import { MessageState, type ReceiptRecord, STAT_STATES } from "../store/records.ts";

/** The last minute formatted by {@link receiptDate} (receipts come in bursts within a minute). */
let lastMinute = NaN;
let lastDate = "";

/** YYMMDDhhmm in UTC. */
export function receiptDate(ms: number): string {
  const minute = Math.floor(ms / 60_000);
  if (minute === lastMinute) return lastDate;
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  lastDate = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${
    p(d.getUTCHours())
  }${p(d.getUTCMinutes())}`;
  lastMinute = minute;
  return lastDate;
}

/**
 * The receipt text, e.g. `id:7563423917286768871 sub:001 dlvrd:001 submit date:1812272114
 * done date:1812272114 stat:DELIVRD err:000 text:Hello World, this is`.
 */
export function formatReceipt(
  r: ReceiptRecord,
  textLength: number = RECEIPT_DEFAULTS.textLength,
): string {
  const dlvrd = r.stat === "DELIVRD" ? "001" : "000";
  return `id:${r.publicId ?? r.messageId} sub:001 dlvrd:${dlvrd} submit date:${
    receiptDate(r.submitAt)
  } done date:${receiptDate(r.doneAt)} stat:${r.stat} err:${r.err} text:${
    r.preview.slice(0, textLength)
  }`;
}

/** TLVs of a receipt; only for ESMEs bound with interface_version 0x34 or later. */
export function receiptTlvs(r: ReceiptRecord): Tlv[] {
  const err = Number.parseInt(r.err, 10);
  const tlvs = [
    stringTlv(Tag.receipted_message_id, r.publicId ?? r.messageId),
    // An intermediate notification: the message is on its way (ENROUTE).
    intTlv(Tag.message_state, r.intermediate ? MessageState.ENROUTE : STAT_STATES[r.stat]),
    // network_error_code: type 3 (GSM) + 2-octet code.
    { tag: Tag.network_error_code, value: new Uint8Array([3, (err >> 8) & 0xff, err & 0xff]) },
  ];
  if (r.userMessageReference !== undefined) {
    tlvs.push(intTlv(Tag.user_message_reference, r.userMessageReference, 2));
  }
  return tlvs;
}

/** esm_class of a receipt: 0x04 (SMSC delivery receipt), or 0x20 for an intermediate one. */
function esmClassOf(r: ReceiptRecord): number {
  return r.intermediate ? ESM_CLASS.intermediate : ESM_CLASS.deliveryReceipt;
}

/** Longest address deliver_sm carries (C-Octet String of 21); data_sm allows 64. */
const DELIVER_SM_ADDR = 20;

/**
 * The deliver_sm (without sequence number) carrying a receipt. A message submitted by data_sm
 * may have addresses too long for deliver_sm: its receipt goes as data_sm (text in
 * message_payload), or, to a 3.3 ESME (no TLVs, no data_sm), as deliver_sm with the addresses cut.
 */
export function receiptPdu(
  r: ReceiptRecord,
  opts: { textLength?: number; tlvs?: boolean; encode: (text: string) => Uint8Array },
): Omit<PduInit, "seq"> {
  if (r.mo) return moPdu(r);
  const text = opts.encode(formatReceipt(r, opts.textLength));
  const tlvs = opts.tlvs === false ? [] : receiptTlvs(r);
  const long = Math.max(r.source.addr.length, r.dest.addr.length) > DELIVER_SM_ADDR;
  const cut = (a: string) => long && tlvs.length === 0 ? a.slice(0, DELIVER_SM_ADDR) : a;
  const addrs = {
    source_addr_ton: r.source.ton,
    source_addr_npi: r.source.npi,
    source_addr: cut(r.source.addr),
    dest_addr_ton: r.dest.ton,
    dest_addr_npi: r.dest.npi,
    destination_addr: cut(r.dest.addr),
  };
  if (long && tlvs.length > 0) {
    return {
      command: "data_sm",
      body: { ...addrs, esm_class: esmClassOf(r), data_coding: 0 },
      tlvs: [{ tag: Tag.message_payload, value: text }, ...tlvs],
    };
  }
  return {
    command: "deliver_sm",
    body: { ...addrs, esm_class: esmClassOf(r), data_coding: 0, short_message: text },
    tlvs,
  };
}

/** The deliver_sm carrying an inbound (mobile-originated) message queued in the outbox. */
export function moPdu(r: ReceiptRecord): Omit<PduInit, "seq"> {
  const mo = r.mo!;
  return {
    command: "deliver_sm",
    body: {
      source_addr_ton: r.source.ton,
      source_addr_npi: r.source.npi,
      source_addr: r.source.addr.slice(0, DELIVER_SM_ADDR),
      dest_addr_ton: r.dest.ton,
      dest_addr_npi: r.dest.npi,
      destination_addr: r.dest.addr.slice(0, DELIVER_SM_ADDR),
      esm_class: mo.esmClass,
      data_coding: mo.dataCoding,
      short_message: mo.body,
    },
  };
}
