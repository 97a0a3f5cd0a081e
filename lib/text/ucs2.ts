/** UCS2 as SMPP peers use it in practice: UTF-16BE, so emoji travel as surrogate pairs. */
import { SmppError } from "../smpp/errors.ts";
import { Status } from "../smpp/status.ts";

// String.fromCharCode takes its arguments on the stack; chunk to stay far below engine limits.
const CHUNK = 4096;

/** Decodes UTF-16BE octets; an odd length throws ESME_RINVMSGLEN. */
export function ucs2Decode(bytes: Uint8Array): string {
  if (bytes.length % 2 !== 0) {
    throw new SmppError(
      Status.ESME_RINVMSGLEN,
      `UCS2 text has an odd length (${bytes.length} octets); it must be whole 16-bit units`,
    );
  }
  let out = "";
  const units: number[] = [];
  for (let i = 0; i < bytes.length; i += 2) {
    units.push((bytes[i] << 8) | bytes[i + 1]);
    if (units.length === CHUNK) {
      out += String.fromCharCode(...units);
      units.length = 0;
    }
  }
  return out + String.fromCharCode(...units);
}

/** Encodes text as UTF-16BE; characters outside the BMP become 4-octet surrogate pairs. */
export function ucs2Encode(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const u = text.charCodeAt(i);
    out[2 * i] = u >> 8;
    out[2 * i + 1] = u & 0xff;
  }
  return out;
}

/** True for a UTF-16 high (leading) surrogate unit, which must never end a segment. */
export function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

/** True for a UTF-16 low (trailing) surrogate unit. */
export function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
