/**
 * A job as the submit_sm PDUs for the upstream: text re-encoded (GSM 7-bit, one septet per octet,
 * when it fits, else UCS2), long text as UDH-concatenated parts, binary data as it came, the
 * submit's TLVs passed on as they came.
 */
import type { PduInit } from "../../smpp/codec.ts";
import { Tag, type Tlv } from "../../smpp/tlvs.ts";
import { STORED_APART } from "../tlvs.ts";
import { buildUdh, ESM_UDHI, parseUdh } from "../../text/concat.ts";
import { splitText } from "../../text/parts.ts";
import { userText } from "../../text/user_text.ts";
import { concatBytes } from "../../smpp/bytes.ts";
import type { JobRecord } from "../../store/records.ts";

/** A submit_sm without its sequence number. */
export type SubmitInit = Omit<PduInit, "seq">;

/** Address overrides of the route (TON/NPI sent instead of the message's own). */
export interface AddressOverrides {
  /** source_addr_ton. */
  sourceTon?: number;
  /** source_addr_npi. */
  sourceNpi?: number;
  /** dest_addr_ton. */
  destTon?: number;
  /** dest_addr_npi. */
  destNpi?: number;
}

/** What the route's config changes in its submit_sm: TON/NPI, and whether TLVs may go. */
export interface SubmitOptions extends AddressOverrides {
  /** interface_version the route binds with (default 0x34); below 0x34 (3.3) no TLVs are sent. */
  interfaceVersion?: number;
}

/** The interface version from which a link carries TLVs (SMPP 3.4). */
const TLV_VERSION = 0x34;

/** Largest short_message; longer binary bodies go in message_payload. */
const MAX_SHORT_MESSAGE = 254;

/**
 * The submit_sm PDUs for `job`, in order. `ref` is the concatenation reference used when the
 * text needs several parts. A job that is itself one part of a concatenated message keeps its
 * place (reference, total, number) in a UDH. Every PDU (each part) carries the submit's kept TLVs
 * (`job.tlvs`, unknown tags too) after the route's own; none to a 3.3 upstream. Throws SmppError
 * when the stored octets do not fit their coding.
 *
 * @example
 * ```ts
 * import { submitsFor } from "./submit.ts";
 * import type { JobRecord } from "../../store/records.ts";
 * declare const job: JobRecord; // a 200-character GSM text
 * const pdus = submitsFor(job, 7);
 * console.log(pdus.length, pdus[0].body?.esm_class); // 2 64
 * ```
 */
export function submitsFor(job: JobRecord, ref: number, o: SubmitOptions = {}): SubmitInit[] {
  const base = {
    service_type: job.serviceType,
    source_addr_ton: o.sourceTon ?? job.source.ton,
    source_addr_npi: o.sourceNpi ?? job.source.npi,
    source_addr: job.source.addr,
    dest_addr_ton: o.destTon ?? job.dest.ton,
    dest_addr_npi: o.destNpi ?? job.dest.npi,
    destination_addr: job.dest.addr,
    protocol_id: job.protocolId,
    priority_flag: job.priority,
    registered_delivery: 1,
  };
  const passed = (o.interfaceVersion ?? TLV_VERSION) >= TLV_VERSION ? passedTlvs(job.tlvs) : [];
  const one = (esmClass: number, dataCoding: number, sm: Uint8Array): SubmitInit =>
    sm.length > MAX_SHORT_MESSAGE
      ? {
        command: "submit_sm",
        body: { ...base, esm_class: esmClass, data_coding: dataCoding },
        tlvs: [{ tag: Tag.message_payload, value: sm }, ...passed],
      }
      : {
        command: "submit_sm",
        body: { ...base, esm_class: esmClass, data_coding: dataCoding, short_message: sm },
        ...(passed.length > 0 ? { tlvs: passed } : {}),
      };
  const { text } = userText(job);
  if (text === null) return [one(job.esmClass & ESM_UDHI, job.dataCoding, job.body)];
  const { dcs, segments } = splitText(text);
  const part = partUdh(job);
  if (part !== null) {
    // One part of a longer message: it stays one part, re-encoded when that fits, else as it came.
    if (segments.length === 1) return [one(ESM_UDHI, dcs, concatBytes([part, segments[0]]))];
    return [one(job.esmClass & ESM_UDHI, job.dataCoding, job.body)];
  }
  if (segments.length === 1) return [one(0, dcs, segments[0])];
  return segments.map((s, i) =>
    one(ESM_UDHI, dcs, concatBytes([buildUdh(ref, segments.length, i + 1), s]))
  );
}

/**
 * The job's TLVs that go upstream as they came: all but those the message stores apart
 * (message_payload, SAR, user_message_reference), which the route sets itself when it needs them.
 */
function passedTlvs(tlvs: readonly Tlv[] | undefined): Tlv[] {
  return (tlvs ?? []).filter((t) => !STORED_APART.has(t.tag));
}

/** The UDH (UDHL included) placing a part of a concatenated message, or null for a whole one. */
function partUdh(job: JobRecord): Uint8Array | null {
  if (job.esmClass & ESM_UDHI) {
    parseUdh(job.body); // throws on a malformed UDH
    return job.body.slice(0, 1 + job.body[0]);
  }
  const c = job.concat;
  if (c === undefined) return null;
  return buildUdh(c.ref, c.total, c.seq, c.ref > 0xff ? 16 : 8);
}
