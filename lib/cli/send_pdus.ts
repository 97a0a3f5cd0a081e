/**
 * The submit_sm PDUs of `main.ts send`: the text in the chosen coding, cut into parts with a
 * concatenation UDH (8-bit reference) when it does not fit one SMS.
 */
import type { PduInit } from "../smpp/codec.ts";
import { concatBytes } from "../smpp/bytes.ts";
import { Dcs, encodeText } from "../text/coding.ts";
import { buildUdh, ESM_UDHI } from "../text/concat.ts";
import { gsmEncode } from "../text/gsm7.ts";
import { MAX_PARTS, splitEncoded } from "../text/parts.ts";
import { ucs2Encode } from "../text/ucs2.ts";
import { UsageError } from "./errors.ts";
import type { SendCoding } from "./send_args.ts";

/** What the PDUs carry. */
export interface SubmitText {
  /** destination_addr ("+44…" is sent without the "+"). */
  to: string;
  /** source_addr; digits are an international number, anything else alphanumeric. */
  from: string;
  text: string;
  /** Without it: GSM 7-bit when every character fits, else UCS2. */
  coding?: SendCoding;
  /** Ask for a receipt (registered_delivery 1). */
  dlr: boolean;
}

/** The text as octets in `coding`, and its data_coding; a character it cannot hold is a UsageError. */
export function encodeFor(text: string, coding?: SendCoding): { dcs: number; bytes: Uint8Array } {
  switch (coding) {
    case undefined:
      return encodeText(text);
    case "ucs2":
      return { dcs: Dcs.UCS2, bytes: ucs2Encode(text) };
    case "gsm": {
      const bytes = gsmEncode(text);
      if (!bytes) throw new UsageError("send: --text has characters GSM 7-bit cannot hold");
      return { dcs: Dcs.GSM, bytes };
    }
    case "latin1": {
      const r = encodeText(text, "latin1");
      if (r.dcs !== Dcs.LATIN1) {
        throw new UsageError("send: --text has characters Latin-1 cannot hold");
      }
      return r;
    }
  }
}

/** TON and NPI of an address: international for digits, alphanumeric otherwise, 0/0 when empty. */
function addr(a: string): { ton: number; npi: number; addr: string } {
  if (a === "") return { ton: 0, npi: 0, addr: "" };
  if (/^\+?\d+$/.test(a)) return { ton: 1, npi: 1, addr: a.replace(/^\+/, "") };
  return { ton: 5, npi: 0, addr: a };
}

/**
 * The submit_sm PDUs (without sequence numbers) for a message; `ref` is the concatenation
 * reference when it needs several parts.
 *
 * @example
 * ```ts
 * import { submitPdus } from "./send_pdus.ts";
 * const pdus = submitPdus({ to: "447700900123", from: "Acme", text: "x".repeat(200), dlr: true }, 7);
 * console.log(pdus.length, pdus[0].body?.esm_class); // 2 64
 * ```
 */
export function submitPdus(m: SubmitText, ref: number): Omit<PduInit, "seq">[] {
  const { dcs, bytes } = encodeFor(m.text, m.coding);
  const segments = splitEncoded(dcs, bytes);
  if (segments.length > MAX_PARTS) {
    throw new UsageError(`send: --text needs ${segments.length} parts; at most ${MAX_PARTS} fit`);
  }
  const src = addr(m.from);
  const dst = addr(m.to);
  const base = {
    source_addr_ton: src.ton,
    source_addr_npi: src.npi,
    source_addr: src.addr,
    dest_addr_ton: dst.ton,
    dest_addr_npi: dst.npi,
    destination_addr: dst.addr,
    registered_delivery: m.dlr ? 1 : 0,
    data_coding: dcs,
  };
  if (segments.length === 1) {
    return [{ command: "submit_sm", body: { ...base, esm_class: 0, short_message: segments[0] } }];
  }
  return segments.map((s, i) => ({
    command: "submit_sm",
    body: {
      ...base,
      esm_class: ESM_UDHI,
      short_message: concatBytes([buildUdh(ref, segments.length, i + 1), s]),
    },
  }));
}
