/**
 * GSM 03.38 default alphabet (3GPP TS 23.038 §6.2.1) and the packed-septet form of GSM 03.40.
 * Malformed septet input is reported as ESME_RINVMSGLEN, like every other bad short_message.
 */
import { SmppError } from "../smpp/errors.ts";
import { Status } from "../smpp/status.ts";

/** The escape septet that selects the extension table for the next septet. */
export const GSM_ESC = 0x1b;

/**
 * Basic table, indexed by septet. Index 0x1B is the escape and holds "" so that lookups
 * through it never yield a character.
 */
// deno-fmt-ignore
export const GSM_BASIC: readonly string[] = [
  "@", "£", "$", "¥", "è", "é", "ù", "ì", "ò", "Ç", "\n", "Ø", "ø", "\r", "Å", "å",
  "Δ", "_", "Φ", "Γ", "Λ", "Ω", "Π", "Ψ", "Σ", "Θ", "Ξ", "", "Æ", "æ", "ß", "É",
  " ", "!", '"', "#", "¤", "%", "&", "'", "(", ")", "*", "+", ",", "-", ".", "/",
  "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", ":", ";", "<", "=", ">", "?",
  "¡", "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O",
  "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z", "Ä", "Ö", "Ñ", "Ü", "§",
  "¿", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o",
  "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "ä", "ö", "ñ", "ü", "à",
];

/** Extension table: code after ESC → character (each costs 2 septets). */
export const GSM_EXTENSION: Readonly<Record<number, string>> = {
  0x0a: "\f",
  0x14: "^",
  0x28: "{",
  0x29: "}",
  0x2f: "\\",
  0x3c: "[",
  0x3d: "~",
  0x3e: "]",
  0x40: "|",
  0x65: "€",
};

const BASIC_CODE = new Map<string, number>();
GSM_BASIC.forEach((ch, code) => {
  if (ch !== "") BASIC_CODE.set(ch, code);
});
// unicode.org's GSM0338.TXT maps 0x09 to ç, 3GPP to Ç: accept both on the way in.
BASIC_CODE.set("ç", 0x09);

const EXT_CODE = new Map<string, number>();
for (const [code, ch] of Object.entries(GSM_EXTENSION)) EXT_CODE.set(ch, Number(code));

/** The UTF-16 code unit of each basic-table character (every one is a single unit). */
const BASIC_UNITS = Uint16Array.from(GSM_BASIC, (ch) => (ch === "" ? 0 : ch.charCodeAt(0)));
/** The code unit of each extension character after ESC; 0 where the table has none. */
const EXTENSION_UNITS = new Uint16Array(128);
for (const [code, ch] of Object.entries(GSM_EXTENSION)) {
  EXTENSION_UNITS[Number(code)] = ch.charCodeAt(0);
}

/** Decoded code units, reused (decoding is synchronous): one string is made at the end. */
let units = new Uint16Array(256);

/** `n` code units as a string, made in slices small enough to be spread as arguments. */
function unitString(u: Uint16Array, n: number): string {
  if (n <= 4096) return String.fromCharCode.apply(null, u.subarray(0, n) as unknown as number[]);
  let out = "";
  for (let i = 0; i < n; i += 4096) {
    out += String.fromCharCode.apply(
      null,
      u.subarray(i, Math.min(n, i + 4096)) as unknown as number[],
    );
  }
  return out;
}

function aboveSeptet(s: number, i: number): SmppError {
  return new SmppError(
    Status.ESME_RINVMSGLEN,
    `GSM 7-bit octet 0x${hex(s)} at offset ${i} is above 0x7F (packed data sent as unpacked?)`,
  );
}

function loneEscape(i: number): SmppError {
  return new SmppError(
    Status.ESME_RINVMSGLEN,
    `GSM 7-bit text ends with a lone ESC (0x1B) at offset ${i}`,
  );
}

function escapedAbove(code: number, i: number): SmppError {
  return new SmppError(
    Status.ESME_RINVMSGLEN,
    `GSM 7-bit octet 0x${hex(code)} at offset ${i} is above 0x7F`,
  );
}

/** Decodes unpacked GSM septets (one per octet); throws ESME_RINVMSGLEN on octets > 0x7F or a trailing ESC. */
export function gsmDecode(septets: Uint8Array): string {
  if (units.length < septets.length) units = new Uint16Array(septets.length);
  const u = units;
  let n = 0;
  for (let i = 0; i < septets.length; i++) {
    const s = septets[i];
    if (s > 0x7f) throw aboveSeptet(s, i);
    if (s !== GSM_ESC) {
      u[n++] = BASIC_UNITS[s];
      continue;
    }
    if (i + 1 >= septets.length) throw loneEscape(i);
    const code = septets[++i];
    if (code > 0x7f) throw escapedAbove(code, i);
    // 23.038: unassigned extension codes show the basic-table character (Kannel does the
    // same); ESC ESC is reserved for a further table and is shown as a space until defined.
    u[n++] = EXTENSION_UNITS[code] || (code === GSM_ESC ? 0x20 : BASIC_UNITS[code]);
  }
  return unitString(u, n);
}

/**
 * Checks unpacked GSM septets as {@link gsmDecode} does (the same SmppError), without making the
 * text: for a submit whose text nobody reads.
 */
export function gsmCheck(septets: Uint8Array): void {
  for (let i = 0; i < septets.length; i++) {
    const s = septets[i];
    if (s > 0x7f) throw aboveSeptet(s, i);
    if (s !== GSM_ESC) continue;
    if (i + 1 >= septets.length) throw loneEscape(i);
    const code = septets[++i];
    if (code > 0x7f) throw escapedAbove(code, i);
  }
}

/** GSM basic-table code of each ASCII character, or -1 when it has none (or needs the escape). */
const ASCII_BASIC = Int16Array.from(
  { length: 128 },
  (_, c) => BASIC_CODE.get(String.fromCharCode(c)) ?? -1,
);

/**
 * Writes `text` as unpacked GSM septets into `out` at `at` when every character is ASCII of the
 * basic table (plain receipt text); returns the offset after it, or -1 (nothing usable written:
 * call {@link gsmEncode}) for any other character or when `out` is too short.
 */
export function gsmEncodeAsciiInto(text: string, out: Uint8Array, at: number): number {
  if (at + text.length > out.length) return -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const code = c < 128 ? ASCII_BASIC[c] : -1;
    if (code < 0) return -1;
    out[at + i] = code;
  }
  return at + text.length;
}

/** Encodes text as unpacked GSM septets, or null when some character has no GSM 03.38 form. */
export function gsmEncode(text: string): Uint8Array | null {
  // Fast path (receipts, plain text): every character is ASCII in the basic table.
  const fast = new Uint8Array(text.length);
  let i = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const code = c < 128 ? ASCII_BASIC[c] : -1;
    if (code < 0) break;
    fast[i] = code;
  }
  if (i === text.length) return fast;
  const out: number[] = Array.from(fast.subarray(0, i));
  text = text.slice(i);
  for (const ch of text) {
    const code = BASIC_CODE.get(ch);
    if (code !== undefined) {
      out.push(code);
      continue;
    }
    const ext = EXT_CODE.get(ch);
    if (ext === undefined) return null;
    out.push(GSM_ESC, ext);
  }
  return Uint8Array.from(out);
}

/** Septets one character needs: 1 (basic), 2 (extension) or 0 when it does not fit GSM 7-bit. */
export function gsmCharSeptets(ch: string): 0 | 1 | 2 {
  if (BASIC_CODE.has(ch)) return 1;
  return EXT_CODE.has(ch) ? 2 : 0;
}

/** True when every character of `text` has a GSM 03.38 encoding (basic or extension). */
export function gsmFits(text: string): boolean {
  for (const ch of text) if (gsmCharSeptets(ch) === 0) return false;
  return true;
}

/** Number of septets `text` takes (extension characters count 2), or null when it does not fit. */
export function gsmSeptetCount(text: string): number | null {
  let n = 0;
  for (const ch of text) {
    const c = gsmCharSeptets(ch);
    if (c === 0) return null;
    n += c;
  }
  return n;
}

/** Fill bits needed after a UDH of `udhOctets` octets (UDHL included) so text starts on a septet. */
export function udhFillBits(udhOctets: number): number {
  return (7 - ((8 * udhOctets) % 7)) % 7;
}

/** Packs septets LSB-first into octets (GSM 03.40 TP-UD), after `fillBits` zero bits. */
export function pack7(septets: Uint8Array, fillBits = 0): Uint8Array {
  const out = new Uint8Array(Math.ceil((fillBits + 7 * septets.length) / 8));
  let bit = fillBits;
  for (const s of septets) {
    const v = s & 0x7f;
    const byte = bit >> 3;
    const shift = bit & 7;
    out[byte] |= (v << shift) & 0xff;
    if (shift > 1) out[byte + 1] |= v >> (8 - shift);
    bit += 7;
  }
  return out;
}

/**
 * Unpacks GSM 03.40 packed septets, skipping `fillBits` leading bits. Without `count`, a final
 * 0x00 septet made only of the last octet's 7 spare bits is dropped: it is padding, not "@".
 */
export function unpack7(bytes: Uint8Array, count?: number, fillBits = 0): Uint8Array {
  const available = Math.floor((bytes.length * 8 - fillBits) / 7);
  let n = count === undefined ? available : Math.min(count, available);
  if (n < 0) n = 0;
  const out = new Uint8Array(n);
  let bit = fillBits;
  for (let i = 0; i < n; i++, bit += 7) {
    const byte = bit >> 3;
    const shift = bit & 7;
    let v = bytes[byte] >> shift;
    if (shift > 1) v |= bytes[byte + 1] << (8 - shift);
    out[i] = v & 0x7f;
  }
  // 7 spare bits in the last octet read as one more septet; senders fill them with zeros.
  const endsOnOctet = fillBits + 7 * n === bytes.length * 8;
  if (count === undefined && n > 0 && endsOnOctet && out[n - 1] === 0) n--;
  return out.subarray(0, n);
}

function hex(n: number): string {
  return n.toString(16).padStart(2, "0").toUpperCase();
}
