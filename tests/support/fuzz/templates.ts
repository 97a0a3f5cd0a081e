/**
 * Valid SMPP PDUs with random field values, built with the gateway's own encoder: the raw
 * material the fuzz cases send as they are, cut short or mutated.
 */
import { encode, type FieldValue, type PduInit } from "../../../lib/smpp/codec.ts";
import { Tag, type Tlv, tlvFixedSize } from "../../../lib/smpp/tlvs.ts";
import type { Rng } from "../rng.ts";

/** One encoded PDU and what the mutators need to know about it. */
export interface Template {
  /** Command name. */
  command: string;
  /** sequence_number in the header. */
  seq: number;
  /** The encoded PDU. */
  bytes: Uint8Array;
  /** Offset of sm_length (submit_sm/deliver_sm/replace_sm), else -1. */
  smLengthAt: number;
  /** Octets of mandatory fields plus header (TLVs start here). */
  mandatoryEnd: number;
}

/** Credentials the templates use for binds that are meant to succeed. */
export interface Credentials {
  /** system_id. */
  systemId: string;
  /** password. */
  password: string;
}

/** Requests an ESME may legitimately send. */
export const ESME_REQUESTS = [
  "submit_sm",
  "data_sm",
  "submit_multi",
  "query_sm",
  "cancel_sm",
  "replace_sm",
  "enquire_link",
  "unbind",
] as const;

/** Responses an ESME sends (here always to nothing the gateway asked). */
export const ESME_RESPONSES = [
  "generic_nack",
  "deliver_sm_resp",
  "enquire_link_resp",
  "unbind_resp",
  "data_sm_resp",
  "submit_sm_resp",
  "bind_transceiver_resp",
] as const;

/** PDUs only an SMSC sends. */
export const SMSC_ONLY = ["outbind", "alert_notification", "deliver_sm"] as const;

const BINDS = ["bind_transmitter", "bind_receiver", "bind_transceiver"] as const;
const DIGITS = "0123456789";
const PRINTABLE =
  " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";

/** A sequence number: usually small, sometimes at or past the edges of 1..0x7FFFFFFF. */
export function randomSeq(rng: Rng): number {
  return rng.chance(0.85) ? rng.int(1, 5000) : rng.pick([0, 1, 0x7fffffff, 0x80000000, 0xffffffff]);
}

function addr(rng: Rng, max: number): string {
  return rng.chance(0.8)
    ? rng.str(rng.int(1, Math.min(15, max)), DIGITS)
    : rng.str(rng.int(0, max));
}

function time(rng: Rng): string {
  return rng.pick([
    "",
    "",
    "",
    "000001000000000R",
    "300101120000000+",
    `${rng.str(12, DIGITS)}${rng.int(0, 9)}${rng.str(2, DIGITS)}${rng.pick(["+", "-", "R"])}`,
  ]);
}

function shortMessage(rng: Rng, esmClass: number): Uint8Array {
  const n = rng.int(0, rng.chance(0.2) ? 254 : 60);
  const text = rng.chance(0.6) ? new TextEncoder().encode(rng.str(n, PRINTABLE)) : rng.bytes(n);
  if (!(esmClass & 0x40) || rng.chance(0.3)) return text;
  // A concatenation UDH (8-bit ref) in front of the text, as real multipart messages carry.
  const udh = [5, 0, 3, rng.int(0, 255), rng.int(1, 3), rng.int(1, 3)];
  const out = new Uint8Array(Math.min(254, udh.length + text.length));
  out.set(udh);
  out.set(text.subarray(0, out.length - udh.length), udh.length);
  return out;
}

function int(tag: number, size: number, rng: Rng): Tlv {
  return { tag, value: rng.bytes(size) };
}

/** A few TLVs: known tags with their right sizes, and sometimes unknown or vendor tags. */
export function randomTlvs(rng: Rng, allowPayload: boolean): Tlv[] {
  const out: Tlv[] = [];
  const n = rng.int(0, 3);
  for (let i = 0; i < n; i++) {
    switch (rng.int(0, 6)) {
      case 0:
        out.push(int(Tag.user_message_reference, 2, rng));
        break;
      case 1:
        out.push(int(Tag.sar_msg_ref_num, 2, rng));
        out.push({ tag: Tag.sar_total_segments, value: Uint8Array.of(rng.int(0, 4)) });
        out.push({ tag: Tag.sar_segment_seqnum, value: Uint8Array.of(rng.int(0, 4)) });
        break;
      case 2:
        out.push(int(Tag.source_port, 2, rng), int(Tag.destination_port, 2, rng));
        break;
      case 3:
        out.push({ tag: rng.int(0x1400, 0x3fff), value: rng.bytes(rng.int(0, 20)) });
        break;
      case 4: {
        const tag = rng.u32() & 0xffff;
        out.push({ tag, value: rng.bytes(tlvFixedSize(tag) ?? rng.int(0, 8)) });
        break;
      }
      case 5:
        out.push({ tag: Tag.callback_num, value: rng.bytes(rng.int(4, 19)) });
        break;
      default:
        if (allowPayload) {
          // Mostly small; now and then as big as the length field allows.
          const len = rng.chance(0.08) ? rng.int(60_000, 65_535) : rng.int(0, 400);
          out.push({ tag: Tag.message_payload, value: rng.bytes(len) });
        }
    }
  }
  return out;
}

function submitBody(rng: Rng): Record<string, FieldValue> {
  const esm = rng.pick([0, 0, 0, 0x40, 0x03, 0x02, 0x01, rng.int(0, 255)]);
  return {
    service_type: rng.pick(["", "", "CMT", rng.str(rng.int(0, 5))]),
    source_addr_ton: rng.pick([0, 1, 5, rng.int(0, 255)]),
    source_addr_npi: rng.pick([0, 1, rng.int(0, 255)]),
    source_addr: addr(rng, 20),
    dest_addr_ton: rng.pick([0, 1, rng.int(0, 255)]),
    dest_addr_npi: rng.pick([0, 1, rng.int(0, 255)]),
    destination_addr: addr(rng, 20),
    esm_class: esm,
    protocol_id: rng.chance(0.8) ? 0 : rng.int(0, 255),
    priority_flag: rng.chance(0.9) ? rng.int(0, 3) : rng.int(0, 255),
    schedule_delivery_time: time(rng),
    validity_period: time(rng),
    registered_delivery: rng.pick([0, 0, 1, 2, 3, rng.int(0, 255)]),
    replace_if_present_flag: rng.chance(0.9) ? 0 : rng.int(0, 255),
    data_coding: rng.pick([0, 0, 1, 3, 4, 8, 0xf0, 0xf4, rng.int(0, 255)]),
    sm_default_msg_id: 0,
    short_message: shortMessage(rng, esm),
  };
}

function bindBody(rng: Rng, cred: Credentials): Record<string, FieldValue> {
  const good = rng.chance(0.6);
  return {
    system_id: good ? cred.systemId : rng.str(rng.int(0, 15)),
    password: good || rng.chance(0.5) ? cred.password : rng.str(rng.int(0, 8)),
    system_type: rng.chance(0.7) ? "" : rng.str(rng.int(0, 12)),
    interface_version: rng.pick([0x34, 0x34, 0x33, 0x50, 0, rng.int(0, 255)]),
    addr_ton: rng.int(0, 2),
    addr_npi: rng.int(0, 2),
    address_range: rng.chance(0.8) ? "" : rng.str(rng.int(0, 40)),
  };
}

function bodyFor(command: string, rng: Rng, cred: Credentials): PduInit["body"] {
  switch (command) {
    case "bind_transmitter":
    case "bind_receiver":
    case "bind_transceiver":
      return bindBody(rng, cred);
    case "submit_sm":
    case "deliver_sm":
      return submitBody(rng);
    case "data_sm": {
      const b = submitBody(rng);
      return {
        service_type: b.service_type,
        source_addr: addr(rng, 64),
        destination_addr: addr(rng, 64),
        esm_class: b.esm_class,
        registered_delivery: b.registered_delivery,
        data_coding: b.data_coding,
      };
    }
    case "submit_multi": {
      const b = submitBody(rng);
      const n = rng.int(1, 4);
      const dests = Array.from(
        { length: n },
        () =>
          rng.chance(0.8)
            ? { dest_flag: 1, dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: addr(rng, 20) }
            : { dest_flag: 2, dl_name: rng.str(rng.int(0, 20)) },
      );
      return { ...b, dests };
    }
    case "query_sm":
    case "cancel_sm":
      return {
        message_id: rng.chance(0.6) ? String(rng.int(1, 1e9)) : rng.str(rng.int(0, 64)),
        source_addr: addr(rng, 20),
        destination_addr: addr(rng, 20),
      };
    case "replace_sm":
      return {
        message_id: String(rng.int(1, 1e9)),
        source_addr: addr(rng, 20),
        schedule_delivery_time: time(rng),
        validity_period: time(rng),
        short_message: shortMessage(rng, 0),
      };
    case "outbind":
      return { system_id: cred.systemId, password: cred.password };
    case "alert_notification":
      return { source_addr: addr(rng, 64), esme_addr: addr(rng, 64) };
    case "submit_sm_resp":
    case "deliver_sm_resp":
    case "data_sm_resp":
      return { message_id: rng.chance(0.5) ? "" : String(rng.int(1, 1e9)) };
    case "bind_transceiver_resp":
      return { system_id: rng.str(rng.int(0, 15)) };
    default:
      return {};
  }
}

const WITH_TLVS = new Set([
  "submit_sm",
  "deliver_sm",
  "data_sm",
  "submit_multi",
  "alert_notification",
]);

/** Encodes `command` with random (mostly valid) field values. */
export function template(
  rng: Rng,
  command: string,
  cred: Credentials,
  opts: { seq?: number; tlvs?: boolean; status?: number } = {},
): Template {
  const seq = opts.seq ?? randomSeq(rng);
  const body = bodyFor(command, rng, cred);
  const withTlvs = (opts.tlvs ?? rng.chance(0.5)) && WITH_TLVS.has(command);
  const tlvs = withTlvs ? randomTlvs(rng, command !== "deliver_sm") : [];
  // message_payload with a short_message is refused outright: mostly send the payload alone.
  if (body && tlvs.some((t) => t.tag === Tag.message_payload) && rng.chance(0.8)) {
    if ("short_message" in body) body.short_message = new Uint8Array(0);
  }
  const base = encode({ command, seq, status: opts.status ?? 0, body });
  const bytes = tlvs.length > 0 ? encode({ command, seq, body, tlvs }) : base;
  const sm = body?.short_message as Uint8Array | undefined;
  const smLengthAt = sm && command !== "submit_multi" ? base.length - 1 - sm.length : -1;
  return { command, seq, bytes, smLengthAt, mandatoryEnd: base.length };
}

/** bind_transceiver with sequence number 1: how each case and health check starts. */
export function transceiverBind(cred: Credentials): Uint8Array {
  return encode({
    command: "bind_transceiver",
    seq: 1,
    body: { system_id: cred.systemId, password: cred.password, interface_version: 0x34 },
  });
}

/** A valid bind of a random type with the given (good) credentials. */
export function goodBind(rng: Rng, cred: Credentials, seq = randomSeq(rng)): Uint8Array {
  return encode({
    command: rng.pick(BINDS),
    seq,
    body: { system_id: cred.systemId, password: cred.password, interface_version: 0x34 },
  });
}

/** Any command the fuzzer sends whole: mostly ESME requests, sometimes the others. */
export function randomCommand(rng: Rng): string {
  const r = rng.next();
  if (r < 0.6) return rng.pick(ESME_REQUESTS);
  if (r < 0.75) return rng.pick(BINDS);
  if (r < 0.9) return rng.pick(ESME_RESPONSES);
  return rng.pick(SMSC_ONLY);
}
