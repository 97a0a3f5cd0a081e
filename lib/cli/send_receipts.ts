/**
 * Receipts as `main.ts send` sees them: decoded from a deliver_sm (any SMSC's text format or
 * TLVs), matched to the ids it submitted (decimal or hex forms), and printed one per line.
 */
import type { Pdu } from "../smpp/codec.ts";
import {
  idVariants,
  parseReceipt,
  receiptText,
  upstreamKind,
} from "../routes/smpp/receipt_parse.ts";

/** A receipt as received. */
export interface SeenReceipt {
  /** The message id it is about (as the SMSC wrote it). */
  id: string;
  /** Final stat (DELIVRD, UNDELIV, …) or an intermediate state word. */
  stat: string;
  /** Three-digit error code ("" for an intermediate state). */
  err: string;
  /** The `done date` as ISO 8601 UTC (minutes, or seconds when given), "" when absent. */
  done: string;
  /** False for an intermediate notification (ENROUTE, …): a final one is still to come. */
  final: boolean;
}

/** `done date:YYMMDDhhmm[ss]` of a receipt text as ISO 8601 UTC, or "". */
export function doneDate(text: string): string {
  const m = /done[ _]date:\s*(\d{10})(\d{2})?/i.exec(text);
  if (!m) return "";
  const d = m[1];
  const sec = m[2] === undefined ? "" : `:${m[2]}`;
  return `20${d.slice(0, 2)}-${d.slice(2, 4)}-${d.slice(4, 6)}T${d.slice(6, 8)}:${
    d.slice(8, 10)
  }${sec}Z`;
}

/**
 * The receipt a deliver_sm or data_sm carries, or null when it is not a receipt (an inbound
 * message) or has no id.
 *
 * @example
 * ```ts
 * import { readReceipt } from "./send_receipts.ts";
 * import { decode, encode } from "../smpp/codec.ts";
 * const text = "id:42 sub:001 dlvrd:001 submit date:2611291000 done date:2611291001 stat:DELIVRD err:000 text:";
 * const pdu = decode(encode({
 *   command: "deliver_sm",
 *   seq: 1,
 *   body: { esm_class: 4, short_message: new TextEncoder().encode(text) },
 * }));
 * if (pdu.command === "deliver_sm") console.log(readReceipt(pdu)?.done); // "2026-11-29T10:01Z"
 * ```
 */
export function readReceipt(pdu: Pdu<"deliver_sm" | "data_sm">): SeenReceipt | null {
  if (upstreamKind(pdu.body.esm_class) !== "receipt") return null;
  const p = {
    shortMessage: pdu.command === "deliver_sm" ? pdu.body.short_message : new Uint8Array(0),
    dataCoding: pdu.body.data_coding,
    tlvs: pdu.tlvs,
  };
  const r = parseReceipt(p);
  if (!r) return null;
  const done = doneDate(receiptText(p));
  return r.final
    ? { id: r.id, stat: r.stat, err: r.err, done, final: true }
    : { id: r.id, stat: r.state, err: "", done, final: false };
}

/** One output line for a receipt. */
export function receiptLine(r: SeenReceipt): string {
  if (!r.final) return `receipt ${r.id}: ${r.stat} (not final)`;
  return `receipt ${r.id}: ${r.stat} err ${r.err}${r.done ? ` done ${r.done}` : ""}`;
}

/** The final receipts of the submitted ids, matched whatever form the SMSC writes ids in. */
export class ReceiptWatch {
  /** Every form of every expected id → the id as submit_sm_resp gave it. */
  readonly #forms = new Map<string, string>();
  readonly #expected = new Set<string>();
  /** Final receipts by the id as the SMSC wrote it (they may come before submit_sm_resp). */
  readonly #seen = new Map<string, SeenReceipt>();

  /** Expects a receipt for `id`. */
  expect(id: string) {
    this.#expected.add(id);
    for (const f of idVariants(id)) this.#forms.set(f, id);
  }

  /** Records a final receipt. */
  add(r: SeenReceipt) {
    if (r.final) this.#seen.set(r.id, r);
  }

  /** The final receipt of an expected id, if it came. */
  of(id: string): SeenReceipt | undefined {
    for (const [seenId, r] of this.#seen) if (this.#forms.get(seenId) === id) return r;
    return undefined;
  }

  /** Expected ids with a final receipt. */
  get received(): number {
    let n = 0;
    for (const id of this.#expected) if (this.of(id)) n++;
    return n;
  }

  /** Expected ids. */
  get expected(): number {
    return this.#expected.size;
  }

  /** Expected ids whose receipt is not DELIVRD (missing ones included). */
  get undelivered(): string[] {
    return [...this.#expected].filter((id) => this.of(id)?.stat !== "DELIVRD");
  }
}
