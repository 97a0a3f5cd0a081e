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
  _bytes?: Uint8Array,
  max = 20,
): string {
  if (kind !== "text" || text === null) return "";
  // Count code points so an emoji is one character, never half a surrogate pair.
  return gsmSafe(Array.from(text).slice(0, max).join(""));
}

/** Encodes a whole receipt string as unpacked GSM 7-bit, with "?" for characters GSM lacks. */
export function renderReceiptTextBytes(text: string): Uint8Array {
  // gsmSafe leaves only GSM characters, so the encoder cannot return null here.
  return gsmEncode(gsmSafe(text)) as Uint8Array;
}

/** Replaces every character without a GSM 03.38 encoding by "?". */
export function gsmSafe(text: string): string {
  let out = "";
  for (const ch of text) out += gsmCharSeptets(ch) === 0 ? "?" : ch;
  return out;
}
