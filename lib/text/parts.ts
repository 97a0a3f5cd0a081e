/**
 * How many SMS parts a message needs and where it is cut (GSM 03.40, 140-octet TP-UD with a
 * 6-octet 8-bit-reference UDH on every part of a multipart message). Sizes are in the coding's
 * units: GSM septets, UCS2 16-bit units, or octets for everything else.
 */
import { SmppError } from "../smpp/errors.ts";
import { Status } from "../smpp/status.ts";
import { alphabetOf, encodeText } from "./coding.ts";
import { GSM_ESC } from "./gsm7.ts";
import { isHighSurrogate, isLowSurrogate } from "./ucs2.ts";

/** Most parts one concatenated message can have (8-bit total field). */
export const MAX_PARTS = 255;

/** Units in a single-part message and in each part of a multipart one, for a data_coding. */
export function partSizes(dcs: number): { single: number; multi: number } {
  switch (alphabetOf(dcs)) {
    case "gsm":
      return { single: 160, multi: 153 };
    case "ucs2":
      return { single: 70, multi: 67 };
    default:
      return { single: 140, multi: 134 };
  }
}

/** Parts needed for `units` units, assuming no pair straddles a cut (see messageParts for exact). */
export function partsFor(dcs: number, units: number): number {
  const { single, multi } = partSizes(dcs);
  return units <= single ? 1 : Math.ceil(units / multi);
}

/** Parts `text` needs in its natural coding (GSM if it fits, else UCS2), with exact cut points. */
export function messageParts(
  text: string,
): { dcs: number; parts: number; perPart: number; units: number } {
  const { dcs, segments } = splitText(text);
  const { single, multi } = partSizes(dcs);
  const octets = segments.reduce((n, s) => n + s.length, 0);
  return {
    dcs,
    parts: segments.length,
    perPart: segments.length === 1 ? single : multi,
    units: alphabetOf(dcs) === "ucs2" ? octets / 2 : octets,
  };
}

/** Encodes `text` (GSM if it fits, else UCS2) and cuts it into per-part payloads, no UDH. */
export function splitText(text: string): { dcs: number; segments: Uint8Array[] } {
  const { dcs, bytes } = encodeText(text);
  return { dcs, segments: splitEncoded(dcs, bytes) };
}

/**
 * Cuts already-encoded payload into per-part chunks. Never separates an ESC from its code
 * (GSM) or the halves of a surrogate pair (UCS2), since either would corrupt both parts.
 */
export function splitEncoded(dcs: number, bytes: Uint8Array): Uint8Array[] {
  const alphabet = alphabetOf(dcs);
  const unitBytes = alphabet === "ucs2" ? 2 : 1;
  if (bytes.length % unitBytes !== 0) {
    throw new SmppError(Status.ESME_RINVMSGLEN, `UCS2 payload has an odd length (${bytes.length})`);
  }
  const { single, multi } = partSizes(dcs);
  if (bytes.length <= single * unitBytes) return [bytes];
  const cap = multi * unitBytes;
  const segments: Uint8Array[] = [];
  let start = 0;
  let i = 0;
  while (i < bytes.length) {
    const size = indivisibleSize(alphabet, bytes, i);
    if (i + size - start > cap) {
      segments.push(bytes.subarray(start, i));
      start = i;
    }
    i += size;
  }
  segments.push(bytes.subarray(start));
  return segments;
}

/** Octets of the smallest piece starting at `i` that must stay in one part. */
function indivisibleSize(alphabet: string, bytes: Uint8Array, i: number): number {
  if (alphabet === "gsm") return bytes[i] === GSM_ESC && i + 1 < bytes.length ? 2 : 1;
  if (alphabet === "ucs2") {
    if (i + 3 >= bytes.length || !isHighSurrogate((bytes[i] << 8) | bytes[i + 1])) return 2;
    return isLowSurrogate((bytes[i + 2] << 8) | bytes[i + 3]) ? 4 : 2;
  }
  return 1;
}
