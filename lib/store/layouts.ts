/**
 * Byte layouts of the records written on the hot path: the message at submit, its state at
 * settle, and the queued receipt. Deno KV stores a `Uint8Array` value as its octets (no V8
 * serialization), so these cost a copy to write and a few field reads to load. Each layout starts
 * with a format octet; values of earlier releases (V8-serialized objects) are still read.
 *
 * ```ts
 * import { decodeState, encodeState } from "./layouts.ts";
 * const bytes = encodeState({ state: 2, doneAt: 1700000000000, err: "000" });
 * console.log(bytes.length, decodeState(bytes)); // 15 { state: 2, doneAt: 1700000000000, err: "000" }
 * ```
 */
import { userText } from "../text/mod.ts";
import type { Tlv } from "../smpp/tlvs.ts";
import { ByteReader, ByteWriter, RecordError } from "./byte_io.ts";
import {
  type MessageRecord,
  type ReceiptRecord,
  type Stat,
  STAT_STATES,
  type StateRecord,
} from "./records.ts";

/** Format octet of every layout below. */
const FORMAT = 1;
/** Format octet of a message record with a second flags octet (schema 6). */
const MESSAGE_FORMAT = 2;

/** Bodies above this many octets go to chunk entries (a KV value holds at most 64 KiB). */
export const INLINE_BODY = 60_000;

const F_CONCAT = 1;
const F_JOIN_LATER = 2;
const F_UMR = 4;
const F_PACKED = 8;
const F_CHUNKED = 16;
const F_VALIDITY = 32;
const F_SESSION = 64;
const F_SCHEDULE = 128;
/** Second flags octet of a message record: the id the ESME knows it by differs from its own. */
const F2_PUBLIC_ID = 1;
/** Second flags octet: submit TLVs are kept for the route. */
const F2_TLVS = 2;
/** Second flags octet: data_coding 0 is read as Latin-1 (the account's `dataCoding0`). */
const F2_LATIN1 = 4;
/** A receipt-page entry that carries the id the ESME knows the message by. */
const F_PUBLIC_ID = 8;
/** A receipt-page entry that is an inbound (mobile-originated) message, not a receipt. */
const F_MO = 32;
/** A receipt-page entry that is an intermediate notification. */
const F_INTERMEDIATE = 64;

const STATS = Object.fromEntries(
  Object.entries(STAT_STATES).map(([stat, state]) => [state, stat as Stat]),
) as Record<number, Stat>;

function format(r: ByteReader, what: string) {
  const f = r.u8();
  if (f !== FORMAT) throw new RecordError(`${what} record has unknown format ${f}`);
}

/**
 * The message as stored. A body above {@link INLINE_BODY} is left out (flagged as chunked); the
 * caller stores it in chunk entries.
 */
export function encodeMessage(m: MessageRecord): Uint8Array {
  return writeMessage(new ByteWriter(messageSize(m)), m).done();
}

/** Octets {@link writeMessage} takes for `m` (exactly, give or take nothing: pages rely on it). */
export function messageSize(m: MessageRecord): number {
  let n = 28 + 12 + (m.body.length > INLINE_BODY ? 0 : m.body.length);
  n += utf8Length(m.account) + utf8Length(m.route) + utf8Length(m.serviceType) +
    utf8Length(m.source.addr) + utf8Length(m.dest.addr) + utf8Length(m.preview);
  if (m.concat) n += 6 + utf8Length(m.concat.group);
  if (m.validUntil !== undefined) n += 8;
  if (m.session !== undefined) n += 8;
  if (m.scheduleAt !== undefined) n += 8;
  if (m.publicId !== undefined) n += 2 + utf8Length(m.publicId);
  if (m.tlvs) n += 4 + tlvsSize(m.tlvs);
  return n;
}

/** Octets of TLVs on the wire (tag, length, value each). */
function tlvsSize(tlvs: readonly Tlv[]): number {
  let n = 0;
  for (const t of tlvs) n += 4 + t.value.length;
  return n;
}

/** TLVs as they travel: 16-bit tag, 16-bit length, value. */
function encodeTlvs(tlvs: readonly Tlv[]): Uint8Array {
  const out = new Uint8Array(tlvsSize(tlvs));
  let o = 0;
  for (const t of tlvs) {
    out[o] = t.tag >>> 8;
    out[o + 1] = t.tag;
    out[o + 2] = t.value.length >>> 8;
    out[o + 3] = t.value.length;
    out.set(t.value, o + 4);
    o += 4 + t.value.length;
  }
  return out;
}

function decodeTlvs(b: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  let o = 0;
  while (o + 4 <= b.length) {
    const n = (b[o + 2] << 8) | b[o + 3];
    if (o + 4 + n > b.length) throw new RecordError("stored TLVs are truncated");
    out.push({ tag: (b[o] << 8) | b[o + 1], value: b.slice(o + 4, o + 4 + n) });
    o += 4 + n;
  }
  return out;
}

/** Octets of `s` in UTF-8. */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) n += c < 0x800 || (c & 0xfc00) === 0xd800 || (c & 0xfc00) === 0xdc00 ? 1 : 2;
  }
  return n;
}

/** Appends the message's stored form to `w` (as {@link encodeMessage} returns it). */
export function writeMessage(w: ByteWriter, m: MessageRecord): ByteWriter {
  const chunked = m.body.length > INLINE_BODY;
  const flags = (m.concat ? F_CONCAT : 0) | (m.joinLater ? F_JOIN_LATER : 0) |
    (m.userMessageReference !== undefined ? F_UMR : 0) | (m.packed ? F_PACKED : 0) |
    (chunked ? F_CHUNKED : 0) | (m.validUntil !== undefined ? F_VALIDITY : 0) |
    (m.session !== undefined ? F_SESSION : 0) | (m.scheduleAt !== undefined ? F_SCHEDULE : 0);
  const flags2 = (m.publicId !== undefined ? F2_PUBLIC_ID : 0) | (m.tlvs ? F2_TLVS : 0) |
    (m.latin1 ? F2_LATIN1 : 0);
  w.u8(MESSAGE_FORMAT).u8(flags).u8(flags2).f64(m.submitAt)
    .u8(m.esmClass).u8(m.protocolId).u8(m.priority).u8(m.registeredDelivery).u8(m.dataCoding)
    .u16(m.parts).u16(m.userMessageReference ?? 0)
    .u8(m.source.ton).u8(m.source.npi).u8(m.dest.ton).u8(m.dest.npi)
    .str(m.account).str(m.route).str(m.serviceType).str(m.source.addr).str(m.dest.addr)
    .str(m.preview);
  if (m.concat) {
    w.str(m.concat.group).u16(m.concat.ref).u8(m.concat.total).u8(m.concat.seq);
  }
  if (m.validUntil !== undefined) w.f64(m.validUntil);
  if (m.session !== undefined) w.f64(m.session);
  if (m.scheduleAt !== undefined) w.f64(m.scheduleAt);
  if (m.publicId !== undefined) w.str(m.publicId);
  if (m.tlvs) w.bytes(encodeTlvs(m.tlvs));
  return w.bytes(chunked ? new Uint8Array(0) : m.body);
}

/** A stored message, and whether its body is still to be read from chunk entries. */
export interface LoadedMessage {
  /** The message; its body is empty while `chunkedBody` is set. */
  message: MessageRecord;
  /** The body is in chunk entries, to be read and joined in key order. */
  chunkedBody: boolean;
}

/** Reads a stored message value (this layout, or an object from an earlier release). */
export function decodeMessage(id: string, v: unknown): LoadedMessage {
  if (!(v instanceof Uint8Array)) return legacyMessage(v as LegacyMessage);
  const r = new ByteReader(v);
  const f = r.u8();
  if (f !== FORMAT && f !== MESSAGE_FORMAT) {
    throw new RecordError(`message record has unknown format ${f}`);
  }
  const flags = r.u8();
  const flags2 = f === MESSAGE_FORMAT ? r.u8() : 0;
  const submitAt = r.f64();
  const esmClass = r.u8(), protocolId = r.u8(), priority = r.u8();
  const registeredDelivery = r.u8(), dataCoding = r.u8();
  const parts = r.u16(), umr = r.u16();
  const srcTon = r.u8(), srcNpi = r.u8(), dstTon = r.u8(), dstNpi = r.u8();
  const m: MessageRecord = {
    id,
    account: r.str(),
    route: r.str(),
    serviceType: r.str(),
    source: { ton: srcTon, npi: srcNpi, addr: r.str() },
    dest: { ton: dstTon, npi: dstNpi, addr: r.str() },
    esmClass,
    protocolId,
    priority,
    registeredDelivery,
    dataCoding,
    body: new Uint8Array(0),
    parts,
    preview: r.str(),
    submitAt,
  };
  if (flags & F_CONCAT) m.concat = { group: r.str(), ref: r.u16(), total: r.u8(), seq: r.u8() };
  if (flags & F_VALIDITY) m.validUntil = r.f64();
  if (flags & F_SESSION) m.session = r.f64();
  if (flags & F_SCHEDULE) m.scheduleAt = r.f64();
  if (flags2 & F2_PUBLIC_ID) m.publicId = r.str();
  if (flags2 & F2_TLVS) m.tlvs = decodeTlvs(r.bytes());
  if (flags2 & F2_LATIN1) m.latin1 = true;
  m.body = r.bytes();
  if (flags & F_JOIN_LATER) m.joinLater = true;
  if (flags & F_UMR) m.userMessageReference = umr;
  if (flags & F_PACKED) m.packed = true;
  return { message: m, chunkedBody: (flags & F_CHUNKED) !== 0 };
}

/** A message as an earlier release stored it: the record with its text, maybe chunked. */
type LegacyMessage = MessageRecord & {
  text?: string | null;
  textKind?: string;
  bodyChunks?: number;
  textChunks?: number;
};

function legacyMessage(v: LegacyMessage): LoadedMessage {
  const { text, textKind: _k, bodyChunks, textChunks: _c, ...message } = v;
  // Earlier releases stored the text, not whether GSM user data arrived packed: tell from it.
  if (typeof text === "string" && !message.packed && (bodyChunks ?? 0) === 0) {
    const packed = { ...message, packed: true };
    if (readsAs(message, text) !== true && readsAs(packed, text) === true) message.packed = true;
  }
  return { message, chunkedBody: (bodyChunks ?? 0) > 0 };
}

/** Whether the message's user data reads as `text` (null when it cannot be read at all). */
function readsAs(m: MessageRecord, text: string): boolean | null {
  try {
    return userText(m).text === text;
  } catch {
    return null;
  }
}

/** The delivery state as stored (15 octets with a three-digit error code). */
export function encodeState(s: StateRecord): Uint8Array {
  return new ByteWriter(16).u8(FORMAT).u8(s.state).f64(s.doneAt).str(s.err).done();
}

/** Reads a stored state value (this layout, or an object from an earlier release). */
export function decodeState(v: unknown): StateRecord {
  if (!(v instanceof Uint8Array)) return v as StateRecord;
  const r = new ByteReader(v);
  format(r, "state");
  return { state: r.u8(), doneAt: r.f64(), err: r.str() };
}

/** One state for every message from a run's first id (its key) to `last`, settled together. */
export interface StateRun extends StateRecord {
  /** The run's last message id. */
  last: string;
}

/** A state run as stored. */
export function encodeStateRun(r: StateRun): Uint8Array {
  return new ByteWriter(40).u8(FORMAT).str(r.last).u8(r.state).f64(r.doneAt).str(r.err).done();
}

/** Reads a stored state run. */
export function decodeStateRun(v: Uint8Array): StateRun {
  const r = new ByteReader(v);
  format(r, "state run");
  return { last: r.str(), state: r.u8(), doneAt: r.f64(), err: r.str() };
}

/** Receipts in one outbox page at most (a page also stays under {@link PAGE_BYTES}). */
export const PAGE_RECEIPTS = 200;
/** Octets of one outbox page at most (a KV value holds at most 64 KiB). */
export const PAGE_BYTES = 56_000;

function writeReceipt(w: ByteWriter, d: ReceiptRecord): ByteWriter {
  w.str(d.messageId).u8(STAT_STATES[d.stat])
    .u8(
      (d.userMessageReference !== undefined ? F_UMR : 0) | (d.mo ? F_MO : 0) |
        (d.intermediate ? F_INTERMEDIATE : 0) | (d.publicId !== undefined ? F_PUBLIC_ID : 0),
    )
    .u16(d.userMessageReference ?? 0).u16(Math.min(d.attempts, 0xffff))
    .f64(d.submitAt).f64(d.doneAt).f64(d.createdAt)
    .u8(d.source.ton).u8(d.source.npi).str(d.source.addr)
    .u8(d.dest.ton).u8(d.dest.npi).str(d.dest.addr)
    .str(d.err).str(d.preview);
  if (d.publicId !== undefined) w.str(d.publicId);
  if (d.mo) w.u8(d.mo.dataCoding).u8(d.mo.esmClass).bytes(d.mo.body);
  return w;
}

function readReceipt(r: ByteReader, account: string): ReceiptRecord {
  const messageId = r.str();
  const stat = STATS[r.u8()];
  if (!stat) throw new RecordError(`receipt for ${messageId} has an unknown state`);
  const flags = r.u8(), umr = r.u16(), attempts = r.u16();
  const submitAt = r.f64(), doneAt = r.f64(), createdAt = r.f64();
  const d: ReceiptRecord = {
    messageId,
    account,
    source: { ton: r.u8(), npi: r.u8(), addr: r.str() },
    dest: { ton: r.u8(), npi: r.u8(), addr: r.str() },
    submitAt,
    doneAt,
    stat,
    err: r.str(),
    preview: r.str(),
    attempts,
    createdAt,
  };
  if (flags & F_UMR) d.userMessageReference = umr;
  if (flags & F_PUBLIC_ID) d.publicId = r.str();
  if (flags & F_MO) d.mo = { dataCoding: r.u8(), esmClass: r.u8(), body: r.bytes() };
  if (flags & F_INTERMEDIATE) d.intermediate = true;
  return d;
}

/** Octets a receipt takes in a page, at most (strings counted as if every character took 3). */
export function receiptSize(d: ReceiptRecord): number {
  return 48 + (d.mo ? 8 + d.mo.body.length : 0) +
    3 *
      ((d.publicId?.length ?? 0) + d.messageId.length + d.source.addr.length + d.dest.addr.length +
        d.err.length +
        d.preview.length);
}

/**
 * An outbox page: receipts of one account, written together and removed together once all are
 * acknowledged. The account is in the key, not repeated here.
 */
export function encodeReceiptPage(receipts: readonly ReceiptRecord[]): Uint8Array {
  let size = 3;
  for (const d of receipts) size += receiptSize(d);
  const w = new ByteWriter(size).u8(FORMAT).u16(receipts.length);
  for (const d of receipts) writeReceipt(w, d);
  return w.done();
}

/**
 * The receipts of a stored outbox value of `account`: a page, or a single receipt object of an
 * earlier release.
 */
export function decodeReceiptPage(account: string, v: unknown): ReceiptRecord[] {
  if (!(v instanceof Uint8Array)) return [v as ReceiptRecord];
  const r = new ByteReader(v);
  format(r, "receipt page");
  const n = r.u16();
  const out: ReceiptRecord[] = [];
  for (let i = 0; i < n; i++) out.push(readReceipt(r, account));
  return out;
}
