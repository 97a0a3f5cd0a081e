/**
 * The submit's TLVs as routes see them (`JobRecord.tlvs`): which ones a message never keeps there,
 * their names, and their values as text.
 */
import { Tag, type Tlv, TLV_TYPES } from "../smpp/tlvs.ts";
export { STORED_APART } from "../store/records.ts";

const NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(Tag).map(([name, tag]) => [tag, name]),
);
const TAGS: ReadonlyMap<string, number> = new Map(Object.entries(Tag));

/** "0x020a": a tag as four lowercase hex digits. */
export function tagHex(tag: number): string {
  return `0x${tag.toString(16).padStart(4, "0")}`;
}

/** A TLV's name from the TLV table, or its tag in hex ("0x1400") when the table lacks it. */
export function tlvName(tag: number): string {
  return NAMES.get(tag) ?? tagHex(tag);
}

/**
 * The tag a TLV is named by: a name from the TLV table (`source_port`) or a hex tag (`0x1400`,
 * one to four digits); undefined for anything else.
 *
 * @example
 * ```ts
 * import { tlvTag } from "./tlvs.ts";
 * console.log(tlvTag("source_port"), tlvTag("0x1400"), tlvTag("nosuch")); // 522 5120 undefined
 * ```
 */
export function tlvTag(name: string): number | undefined {
  const m = /^0x([0-9a-fA-F]{1,4})$/.exec(name);
  return m ? parseInt(m[1], 16) : TAGS.get(name);
}

/**
 * A TLV's value as text, by the type the TLV table gives its tag: u8/u16/u32 in decimal, cstr
 * without its trailing NUL (one character per octet), anything else (unknown tags too) as
 * lowercase hex.
 *
 * @example
 * ```ts
 * import { tlvText } from "./tlvs.ts";
 * console.log(tlvText({ tag: 0x020a, value: Uint8Array.of(0x1f, 0x90) })); // "8080"
 * console.log(tlvText({ tag: 0x1400, value: Uint8Array.of(1, 0xab) })); // "01ab"
 * ```
 */
export function tlvText(t: Tlv): string {
  switch (TLV_TYPES[t.tag] ?? "bytes") {
    case "u8":
    case "u16":
    case "u32": {
      let n = 0;
      for (const b of t.value) n = n * 256 + b;
      return String(n);
    }
    case "cstr": {
      const v = t.value;
      const end = v.length > 0 && v[v.length - 1] === 0 ? v.length - 1 : v.length;
      return String.fromCharCode(...v.subarray(0, end));
    }
    default:
      return Array.from(t.value, (b) => b.toString(16).padStart(2, "0")).join("");
  }
}
