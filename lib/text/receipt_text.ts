/**
 * Text carried inside delivery receipts (SMPP 3.4 Appendix B). Receipts go out with
 * data_coding 0, so everything here must survive gsmEncode(); what cannot becomes "?".
 */
import { gsmCharSeptets, gsmEncode } from "./gsm7.ts";

/**
 * The `text:` field: the first `max` characters of the message, each kept when GSM 7-bit can
 * carry it and "?" otherwise. Binary or unknown content gives "" (it has no readable form).
 */
export function receiptTextField(
  text: string | null,
  kind: "text" | "binary" | "unknown",
  max = 20,
): string {
  if (kind !== "text" || text === null) return "";
  // Count code points so an emoji is one character, never half a surrogate pair.
  return gsmSafe(firstCodePoints(text, max));
}

/** The first `max` code points of `text`, without splitting the whole text (called per submit). */
function firstCodePoints(text: string, max: number): string {
  // A text of at most `max` UTF-16 units has at most `max` code points.
  if (text.length <= max) return text;
  if (!Number.isInteger(max) || max < 0) return Array.from(text).slice(0, max).join("");
  let i = 0;
  while (i < max && (text.charCodeAt(i) & 0xf800) !== 0xd800) i++;
  // No surrogate among the first `max` units: they are the first `max` code points.
  if (i === max) return text.slice(0, max);
  let out = "";
  let n = 0;
  for (const ch of text) {
    if (n++ === max) break;
    out += ch;
  }
  return out;
}

/** Encodes a whole receipt string as unpacked GSM 7-bit, with "?" for characters GSM lacks. */
export function renderReceiptTextBytes(text: string): Uint8Array {
  // gsmSafe leaves only GSM characters, so the encoder cannot return null here.
  return gsmEncode(gsmSafe(text)) as Uint8Array;
}

/** 1 for each ASCII code GSM 03.38 can carry (basic or extension table). */
const ASCII_GSM = Uint8Array.from(
  { length: 128 },
  (_, c) => gsmCharSeptets(String.fromCharCode(c)) === 0 ? 0 : 1,
);

/** Replaces every character without a GSM 03.38 encoding by "?". */
export function gsmSafe(text: string): string {
  // Fast path: plain text whose characters are all GSM-safe ASCII comes back unchanged.
  let i = 0;
  while (i < text.length && ASCII_GSM[text.charCodeAt(i)] === 1) i++;
  if (i === text.length) return text;
  let out = "";
  for (const ch of text) out += gsmCharSeptets(ch) === 0 ? "?" : ch;
  return out;
}
