/**
 * Concatenation info of one message part: UDH IEs 0x00/0x08 when esm_class has UDHI (0x40),
 * otherwise the sar_* TLVs (SMPP 3.4 §5.3.2.22-24). Bad UDH → ESME_RINVMSGLEN (it is part of
 * short_message); bad SAR values → ESME_RINVOPTPARAMVAL.
 */
import { ESM_CLASS } from "../core/defaults.ts";
import { SmppError } from "../smpp/errors.ts";
import { Status } from "../smpp/status.ts";
import { Tag, type Tlv, tlvInt } from "../smpp/tlvs.ts";

/** esm_class bit saying short_message starts with a User Data Header. */
export const ESM_UDHI: number = ESM_CLASS.udhi;

/** IEI of the concatenation element with an 8-bit reference. */
export const IEI_CONCAT_8 = 0x00;

/** IEI of the concatenation element with a 16-bit reference. */
export const IEI_CONCAT_16 = 0x08;

/** One UDH information element. */
export interface UdhIe {
  /** Information element identifier. */
  iei: number;
  /** The element's data octets (without IEI and length). */
  data: Uint8Array;
}

/** Where a part belongs: reference, total parts, 1-based part number, and the text after any UDH. */
export interface ConcatInfo {
  /** Concatenation reference shared by all parts. */
  ref: number;
  /** Total number of parts. */
  total: number;
  /** This part's number, 1-based. */
  seq: number;
  /** Where the reference came from: an 8- or 16-bit UDH IE, or the sar_* TLVs. */
  refBits: 8 | 16 | "sar";
  /** short_message after any UDH. */
  payload: Uint8Array;
}

/** Splits UDHL ‖ IEs ‖ payload; a UDHL or IE length running past its bounds throws ESME_RINVMSGLEN. */
export function parseUdh(sm: Uint8Array): { ies: UdhIe[]; payload: Uint8Array } {
  if (sm.length === 0) throw udhError("UDHI is set but short_message is empty");
  const end = 1 + sm[0];
  if (end > sm.length) {
    throw udhError(`UDH length ${sm[0]} runs past the ${sm.length - 1} octets that follow it`);
  }
  const ies: UdhIe[] = [];
  let p = 1;
  while (p < end) {
    if (p + 2 > end) throw udhError(`UDH IE at offset ${p} is cut off before its length octet`);
    const len = sm[p + 1];
    if (p + 2 + len > end) {
      throw udhError(`UDH IE 0x${sm[p].toString(16)} length ${len} runs past the UDH`);
    }
    ies.push({ iei: sm[p], data: sm.subarray(p + 2, p + 2 + len) });
    p += 2 + len;
  }
  return { ies, payload: sm.subarray(end) };
}

/**
 * Concatenation info from the UDH (when UDHI is set) or else the sar_* TLVs, or null for a
 * single message. A UDH concat IE wins over SAR TLVs; SAR TLVs only count when all three appear.
 */
export function concatInfo(
  esmClass: number,
  sm: Uint8Array,
  tlvs: readonly Tlv[],
): ConcatInfo | null {
  let payload = sm;
  if (esmClass & ESM_UDHI) {
    const udh = parseUdh(sm);
    payload = udh.payload;
    const fromUdh = concatFromIes(udh.ies, payload);
    if (fromUdh) return fromUdh;
  }
  const ref = tlvInt(tlvs, Tag.sar_msg_ref_num);
  const total = tlvInt(tlvs, Tag.sar_total_segments);
  const seq = tlvInt(tlvs, Tag.sar_segment_seqnum);
  // §5.3.2.22-24: a partial SAR set is ignored, not rejected.
  if (ref === undefined || total === undefined || seq === undefined) return null;
  checkSeq(total, seq, Status.ESME_RINVOPTPARAMVAL, "sar_segment_seqnum/sar_total_segments");
  return { ref, total, seq, refBits: "sar", payload };
}

/** Builds the concatenation UDH (UDHL included) for one outgoing part. */
export function buildUdh(ref: number, total: number, seq: number, refBits: 8 | 16 = 8): Uint8Array {
  if (total < 1 || total > 255 || seq < 1 || seq > total) {
    throw new RangeError(`UDH part ${seq} of ${total} is out of range (1..total, total ≤ 255)`);
  }
  if (refBits === 8) return Uint8Array.of(5, IEI_CONCAT_8, 3, ref & 0xff, total, seq);
  return Uint8Array.of(6, IEI_CONCAT_16, 4, (ref >> 8) & 0xff, ref & 0xff, total, seq);
}

function concatFromIes(ies: UdhIe[], payload: Uint8Array): ConcatInfo | null {
  for (const { iei, data } of ies) {
    if (iei !== IEI_CONCAT_8 && iei !== IEI_CONCAT_16) continue;
    const wide = iei === IEI_CONCAT_16;
    if (data.length !== (wide ? 4 : 3)) {
      throw udhError(`UDH concat IE 0x0${iei} has length ${data.length}, expected ${wide ? 4 : 3}`);
    }
    const ref = wide ? (data[0] << 8) | data[1] : data[0];
    const total = data[wide ? 2 : 1];
    const seq = data[wide ? 3 : 2];
    checkSeq(total, seq, Status.ESME_RINVMSGLEN, "UDH concat part number/total");
    return { ref, total, seq, refBits: wide ? 16 : 8, payload };
  }
  return null;
}

function checkSeq(total: number, seq: number, status: number, what: string): void {
  if (total < 1 || seq < 1 || seq > total) {
    throw new SmppError(status, `${what} ${seq}/${total} invalid: need 1 ≤ part ≤ total`);
  }
}

function udhError(message: string): SmppError {
  return new SmppError(Status.ESME_RINVMSGLEN, message);
}
