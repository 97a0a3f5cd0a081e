/**
 * data_coding (SMPP 3.4 §5.2.19, GSM 03.38 DCS) ⇄ text. Bytes that are invalid for the
 * declared coding (GSM octet > 0x7F, trailing ESC, IA5 octet > 0x7F, odd UCS2 length) throw
 * SmppError with ESME_RINVMSGLEN (0x01): the short_message content does not match its coding.
 */
import { SmppError } from "../smpp/errors.ts";
import { Status } from "../smpp/status.ts";
import { gsmDecode, gsmEncode, unpack7 } from "./gsm7.ts";
import { ucs2Decode, ucs2Encode } from "./ucs2.ts";

/** data_coding values this server produces or names in code. */
export const Dcs = {
  GSM: 0x00,
  IA5: 0x01,
  BINARY: 0x02,
  LATIN1: 0x03,
  BINARY_GSM: 0x04,
  UCS2: 0x08,
} as const;

/** How the octets of a short_message are to be read. */
export type Alphabet = "gsm" | "ascii" | "latin1" | "ucs2" | "binary" | "unknown";

/** Result of decodeText: text for text codings, null for binary or unsupported codings. */
export interface DecodedText {
  /** "text" for a text coding, "binary" for 8-bit data, "unknown" for an unsupported coding. */
  kind: "text" | "binary" | "unknown";
  /** The decoded text, or null when `kind` is not "text". */
  text: string | null;
}

/** Options for decodeText; only used for GSM 7-bit codings. */
export interface DecodeOptions {
  /** The peer sends GSM 03.40 packed septets rather than one septet per octet. */
  packed?: boolean;
  /** Septet count for packed input, to tell a real trailing "@" from padding. */
  septets?: number;
  /** Packed input after a user data header: the fill bits that align it to a septet. */
  fillBits?: number;
}

/** The alphabet a data_coding value selects; GSM general-coding groups by their alphabet bits. */
export function alphabetOf(dcs: number): Alphabet {
  switch (dcs) {
    case 0x00:
      return "gsm";
    case 0x01:
      return "ascii";
    case 0x02:
    case 0x04:
      return "binary";
    case 0x03:
      return "latin1";
    case 0x08:
      return "ucs2";
  }
  if (dcs >= 0x10 && dcs <= 0x1f) {
    // General coding with class: bits 3-2 are the alphabet, 11 is reserved.
    return (["gsm", "binary", "ucs2", "unknown"] as const)[(dcs >> 2) & 0x03];
  }
  if (dcs >= 0xf0 && dcs <= 0xff) return dcs & 0x04 ? "binary" : "gsm";
  return "unknown";
}

/** Decodes a short_message per its data_coding; invalid octets throw ESME_RINVMSGLEN. */
export function decodeText(
  bytes: Uint8Array,
  dcs: number,
  opts: DecodeOptions = {},
): DecodedText {
  switch (alphabetOf(dcs)) {
    case "gsm": {
      const septets = opts.packed ? unpack7(bytes, opts.septets, opts.fillBits) : bytes;
      return { kind: "text", text: gsmDecode(septets) };
    }
    case "ascii":
      return { kind: "text", text: asciiDecode(bytes) };
    case "latin1":
      return { kind: "text", text: latin1Decode(bytes) };
    case "ucs2":
      return { kind: "text", text: ucs2Decode(bytes) };
    case "binary":
      return { kind: "binary", text: null };
    default:
      return { kind: "unknown", text: null };
  }
}

/** Coding the caller would like; it is used only when every character fits it. */
export type PreferredCoding = "gsm" | "ucs2" | "latin1" | "ascii";

/** Encodes text in the preferred coding (default GSM, dcs 0), falling back to UCS2 (dcs 8). */
export function encodeText(
  text: string,
  preferred: PreferredCoding = "gsm",
): { dcs: number; bytes: Uint8Array } {
  if (preferred === "gsm") {
    const gsm = gsmEncode(text);
    if (gsm) return { dcs: Dcs.GSM, bytes: gsm };
  } else if (preferred === "ascii" && maxUnit(text) <= 0x7f) {
    return { dcs: Dcs.IA5, bytes: octets(text) };
  } else if (preferred === "latin1" && maxUnit(text) <= 0xff) {
    return { dcs: Dcs.LATIN1, bytes: octets(text) };
  }
  return { dcs: Dcs.UCS2, bytes: ucs2Encode(text) };
}

function asciiDecode(bytes: Uint8Array): string {
  const bad = bytes.findIndex((b) => b > 0x7f);
  if (bad >= 0) {
    throw new SmppError(
      Status.ESME_RINVMSGLEN,
      `IA5/ASCII octet 0x${bytes[bad].toString(16).toUpperCase()} at offset ${bad} is above 0x7F`,
    );
  }
  return latin1Decode(bytes);
}

function latin1Decode(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

function maxUnit(text: string): number {
  let max = 0;
  for (let i = 0; i < text.length; i++) max = Math.max(max, text.charCodeAt(i));
  return max;
}

function octets(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}
