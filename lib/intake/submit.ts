/**
 * Checks a submit_sm (or data_sm) against the spec and the account, decodes its text, finds its
 * place in a concatenated message, counts its parts, and turns it into a record to store.
 */
import { MAX_VALIDITY_MS } from "../core/defaults.ts";
import { SmppError } from "../smpp/errors.ts";
import { parseSmppTime } from "../smpp/time.ts";
import type { Pdu } from "../smpp/codec.ts";
import { Status } from "../smpp/status.ts";
import { findTlv, Tag, type Tlv, tlvInt } from "../smpp/tlvs.ts";
import { type AccountRecord, type MessageRecord, STORED_APART } from "../store/records.ts";
import {
  alphabetOf,
  checkUserText,
  concatInfo,
  encodeText,
  ESM_UDHI,
  gsmSeptetCount,
  parseUdh,
  partsFor,
  receiptTextField,
  userText,
} from "../text/mod.ts";

const patternCache = new Map<string, RegExp>();

function pattern(p: string): RegExp {
  let re = patternCache.get(p);
  if (!re) patternCache.set(p, re = new RegExp(`^(?:${p})$`));
  return re;
}

/** True when `addr` is allowed by the account's sourceAddrs patterns (none = any address). */
export function sourceAllowed(account: AccountRecord, addr: string): boolean {
  if (account.sourceAddrs.length === 0) return true;
  return account.sourceAddrs.some((p) => pattern(p).test(addr));
}

/** The user data: short_message or the message_payload TLV, never both. */
function userData(pdu: Pdu<"submit_sm" | "data_sm">): { body: Uint8Array; payload: boolean } {
  const sm = pdu.body.short_message ?? new Uint8Array(0);
  // sm_length is at most 254 (spec §5.2.21); 255 is refused, not read as a full octet.
  if (sm.length > 254) throw new SmppError(Status.ESME_RINVMSGLEN, `sm_length ${sm.length}`);
  const payload = findTlv(pdu.tlvs, Tag.message_payload);
  if (payload && sm.length > 0) {
    throw new SmppError(Status.ESME_RINVMSGLEN, "short_message and message_payload both present");
  }
  return payload ? { body: payload.value, payload: true } : { body: sm, payload: false };
}

/** Octets of user data after the user data header. */
function userOctets(body: Uint8Array, esmClass: number): number {
  return esmClass & ESM_UDHI ? parseUdh(body).payload.length : body.length;
}

/** SMS parts a text of this coding needs (GSM septets, UCS2 units, or octets). */
export function countParts(dcs: number, text: string | null, octets: number): number {
  switch (alphabetOf(dcs)) {
    case "gsm":
      return partsFor(dcs, (text === null ? null : gsmSeptetCount(text)) ?? octets);
    case "ucs2":
      return partsFor(dcs, octets / 2);
    default:
      return partsFor(dcs, octets);
  }
}

/** Inputs of {@link buildMessage} that do not come from the PDU. */
export interface SubmitContext {
  account: AccountRecord;
  id: string;
  route: string;
  now: number;
  previewLength?: number;
  /** Longest validity allowed (ms); a longer validity_period is cut to it. */
  maxValidityMs?: number;
  /** Id of the session it came on (0: not from a session). */
  session?: number;
  /** Canned messages by sm_default_msg_id (config `cannedMessages`). */
  canned?: Readonly<Record<string, string>>;
}

/**
 * The canned text a submit_sm's `sm_default_msg_id` names, or null for 0 (none). Throws SmppError
 * ESME_RINVDFTMSGID (0x63) for an id the config does not define.
 */
function cannedText(
  pdu: Pdu<"submit_sm" | "data_sm">,
  canned: Readonly<Record<string, string>> | undefined,
): string | null {
  const id = pdu.command === "submit_sm" ? pdu.body.sm_default_msg_id ?? 0 : 0;
  if (id === 0) return null;
  const text = canned?.[String(id)];
  if (text === undefined) {
    throw new SmppError(Status.ESME_RINVDFTMSGID, `sm_default_msg_id ${id} is not defined`);
  }
  return text;
}

/**
 * When a scheduled message may go (`schedule_delivery_time`): null when not scheduled. Throws
 * SmppError ESME_RINVSCHED (0x61) for a malformed or past time. A schedule after the validity is
 * allowed: the message then expires unsent.
 */
export function scheduleAt(time: string, now: number): number | null {
  let at: number | null;
  try {
    at = parseSmppTime(time, now);
  } catch (e) {
    throw new SmppError(Status.ESME_RINVSCHED, `schedule_delivery_time: ${(e as Error).message}`);
  }
  if (at === null) return null;
  if (at < now - 1000) {
    throw new SmppError(Status.ESME_RINVSCHED, `schedule_delivery_time "${time}" has passed`);
  }
  return at;
}

/**
 * When a message asking for `validity_period` expires: null when none was asked (the gateway's
 * maximum then applies); capped at `maxMs` from now. Throws SmppError ESME_RINVEXPIRY (0x62) for
 * a malformed or past time.
 */
export function validUntil(period: string, now: number, maxMs: number): number | null {
  let at: number | null;
  try {
    at = parseSmppTime(period, now);
  } catch (e) {
    throw new SmppError(Status.ESME_RINVEXPIRY, `validity_period: ${(e as Error).message}`);
  }
  if (at === null) return null;
  if (at <= now) {
    throw new SmppError(Status.ESME_RINVEXPIRY, `validity_period "${period}" has passed`);
  }
  return Math.min(at, now + maxMs);
}

/**
 * Validates a submit_sm/data_sm and builds the message to store. Throws SmppError with the
 * status to answer (see README "Error codes").
 */
export function buildMessage(pdu: Pdu<"submit_sm" | "data_sm">, ctx: SubmitContext): MessageRecord {
  const b = pdu.body;
  const esmClass = b.esm_class;
  const priority = b.priority_flag ?? 0;
  const registeredDelivery = b.registered_delivery;
  // An empty source_addr takes the account's default (so its receipt has somewhere to go).
  const source = b.source_addr || ctx.account.defaultSource || "";
  const dest = b.destination_addr;
  if (priority > 3) throw new SmppError(Status.ESME_RINVPRTFLG, `priority_flag ${priority}`);
  if ((registeredDelivery & 0x03) === 0x03 || registeredDelivery & 0xe0) {
    throw new SmppError(
      Status.ESME_RINVREGDLVFLG,
      `registered_delivery 0x${registeredDelivery.toString(16)}`,
    );
  }
  if (pdu.command === "submit_sm" && (esmClass & 0x03) === 0x02) {
    throw new SmppError(
      Status.ESME_RINVESMCLASS,
      "transaction mode is not available for submit_sm",
    );
  }
  if (dest === "") throw new SmppError(Status.ESME_RINVDSTADR, "destination_addr is empty");
  if (pdu.command === "submit_sm" && (b.replace_if_present_flag ?? 0) > 1) {
    throw new SmppError(
      Status.ESME_RINVREPFLAG,
      `replace_if_present_flag ${b.replace_if_present_flag} (0 or 1)`,
    );
  }
  if (pdu.command === "data_sm" && !findTlv(pdu.tlvs, Tag.message_payload)) {
    throw new SmppError(
      Status.ESME_RMISSINGOPTPARAM,
      "data_sm carries its text in message_payload",
    );
  }
  if (!sourceAllowed(ctx.account, source)) {
    throw new SmppError(
      Status.ESME_RINVSRCADR,
      `source_addr "${source}" not allowed for this account`,
    );
  }
  const schedule = pdu.command === "submit_sm"
    ? scheduleAt(b.schedule_delivery_time ?? "", ctx.now)
    : null;
  const maxMs = ctx.maxValidityMs ?? MAX_VALIDITY_MS;
  const validity = pdu.command === "submit_sm"
    ? validUntil(b.validity_period ?? "", ctx.now, maxMs)
    : null;
  const canned = cannedText(pdu, ctx.canned);
  const given = userData(pdu);
  // A canned message (sm_default_msg_id) with no text of its own sends the configured one.
  const useCanned = canned !== null && given.body.length === 0;
  const encoded = useCanned ? encodeText(canned) : null;
  const body = encoded ? encoded.bytes : given.body;
  const payload = encoded ? true : given.payload;
  const dataCoding = encoded ? encoded.dcs : b.data_coding;
  const info = concatInfo(esmClass, body, pdu.tlvs);
  const packed = ctx.account.gsmPacked === true;
  const latin1 = ctx.account.dataCoding0 === "latin1" && dataCoding === 0 && !encoded;
  // Decoding checks the octets against the coding (0x01 when they do not fit); the text itself
  // is not stored: it is read from the body again when needed. Only a message_payload (its
  // parts are counted from the text) and a message asking for a receipt (its text field) need
  // the text now; the others are only checked.
  const user = { body, esmClass, dataCoding, packed, latin1 };
  const wantsReceipt = (registeredDelivery & 0x03) !== 0;
  const decoded = payload || wantsReceipt ? userText(user) : (checkUserText(user), null);
  const tlvs = keptTlvs(pdu.tlvs);
  // Optional fields are assigned, not spread: no temporary objects on the submit path.
  const m: MessageRecord = {
    id: ctx.id,
    account: ctx.account.systemId,
    route: ctx.route,
    serviceType: b.service_type,
    source: { ton: b.source_addr_ton, npi: b.source_addr_npi, addr: source },
    dest: { ton: b.dest_addr_ton, npi: b.dest_addr_npi, addr: dest },
    esmClass,
    protocolId: b.protocol_id ?? 0,
    priority,
    registeredDelivery,
    dataCoding,
    body,
    // A part in short_message is one SMS; a message_payload counts as the parts it would need
    // (Latin-1 text as it goes on: GSM 7-bit when it fits, else UCS2).
    parts: !decoded || !payload
      ? 1
      : latin1
      ? latin1Parts(decoded.text ?? "")
      : countParts(dataCoding, decoded.text, userOctets(body, esmClass)),
    // Only a message that can get a receipt needs the receipt's text.
    preview: decoded && wantsReceipt
      ? receiptTextField(decoded.text, decoded.kind, ctx.previewLength)
      : "",
    userMessageReference: tlvInt(pdu.tlvs, Tag.user_message_reference),
    submitAt: ctx.now,
  };
  if (packed) m.packed = true;
  if (latin1) m.latin1 = true;
  if (info) {
    m.concat = {
      group: `${source}|${dest}|${info.refBits}|${info.ref}`,
      ref: info.ref,
      total: info.total,
      seq: info.seq,
    };
  }
  if (ctx.session) m.session = ctx.session;
  // Without validity_period a message may live as long as its cap (72 h is assumed).
  if (validity !== null) m.validUntil = validity;
  else if (maxMs !== MAX_VALIDITY_MS) m.validUntil = ctx.now + maxMs;
  if (schedule !== null && schedule > ctx.now) m.scheduleAt = schedule;
  if (tlvs.length > 0) m.tlvs = tlvs;
  return m;
}

/**
 * Octets of TLVs a message may keep for its route at most (tag, length and value each): more
 * gets ESME_RINVPARLEN. Real ones are a few octets; the record holding them must fit a KV value.
 */
export const MAX_KEPT_TLV_BYTES = 2048;

const NO_TLVS: Tlv[] = [];

/**
 * The submit's TLVs kept for the route: all but those stored otherwise (unknown ones too). Throws
 * SmppError ESME_RINVPARLEN (0xC2) when they take more than {@link MAX_KEPT_TLV_BYTES}.
 */
export function keptTlvs(tlvs: readonly Tlv[]): Tlv[] {
  if (tlvs.length === 0) return NO_TLVS;
  const out: Tlv[] = [];
  let bytes = 0;
  for (const t of tlvs) {
    if (STORED_APART.has(t.tag)) continue;
    out.push(t);
    bytes += 4 + t.value.length;
  }
  if (bytes > MAX_KEPT_TLV_BYTES) {
    throw new SmppError(
      Status.ESME_RINVPARLEN,
      `optional parameters of ${bytes} octets (at most ${MAX_KEPT_TLV_BYTES} are kept)`,
    );
  }
  return out;
}

/** SMS parts of a Latin-1 text as it goes on: GSM 7-bit when every character fits, else UCS2. */
function latin1Parts(text: string): number {
  const septets = gsmSeptetCount(text);
  return septets !== null ? partsFor(0x00, septets) : partsFor(0x08, text.length);
}
