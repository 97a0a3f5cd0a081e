/**
 * Inbound (mobile-originated) messages: which account a message to a number belongs to (the
 * `inbound` rules), and the outbox entries that carry it to that account's receivers.
 */
import { ESM_CLASS } from "../core/defaults.ts";
import type { ReceiptRecord } from "../store/records.ts";
import { buildUdh, splitText } from "../text/mod.ts";
import type { InboundMessage } from "./route.ts";

/** An inbound rule as configured: messages to numbers matching `dest` go to `account`. */
export interface InboundRule {
  /** Regular expression over the number the message was sent to. */
  dest: string;
  /** system_id of the account that gets them. */
  account: string;
}

/** The account for a message to `dest`: the first rule whose pattern matches, else null. */
export function inboundAccount(
  rules: readonly { dest: RegExp; account: string }[],
  dest: string,
): string | null {
  for (const r of rules) if (r.dest.test(dest)) return r.account;
  return null;
}

/** Address TON/NPI for a number: international (1/1) when all digits, alphanumeric (5/0) else. */
function address(addr: string) {
  const digits = /^\+?\d+$/.test(addr);
  return { ton: digits ? 1 : 5, npi: digits ? 1 : 0, addr: addr.replace(/^\+/, "") };
}

/**
 * The outbox entries of one inbound message for `account`: one per part. Text goes as GSM 7-bit
 * when it fits (one septet per octet), else UCS2, cut into UDH parts when long; raw user data goes
 * as it came. `ids` gives each part its own id; `ref` is the concatenation reference.
 *
 * @example
 * ```ts
 * import { moRecords } from "./inbound.ts";
 * let n = 0;
 * const [r] = moRecords({ source: "447700900123", dest: "447000", text: "hi" }, "acme", {
 *   ids: () => String(++n),
 *   now: 0,
 *   ref: 1,
 * });
 * console.log(r.mo?.dataCoding); // 0
 * ```
 */
export function moRecords(
  m: InboundMessage,
  account: string,
  o: { ids: () => string; now: number; ref: number },
): ReceiptRecord[] {
  let parts: { dataCoding: number; esmClass: number; body: Uint8Array }[];
  if (m.body !== undefined) {
    parts = [{ dataCoding: m.dataCoding ?? 0, esmClass: m.esmClass ?? 0, body: m.body }];
  } else {
    const { dcs, segments } = splitText(m.text ?? "");
    parts = segments.length === 1
      ? [{ dataCoding: dcs, esmClass: 0, body: segments[0] }]
      : segments.map((seg, i) => {
        const udh = buildUdh(o.ref, segments.length, i + 1);
        const body = new Uint8Array(udh.length + seg.length);
        body.set(udh);
        body.set(seg, udh.length);
        return { dataCoding: dcs, esmClass: ESM_CLASS.udhi, body };
      });
  }
  return parts.map((mo) => ({
    messageId: o.ids(),
    account,
    source: address(m.source),
    dest: address(m.dest),
    submitAt: o.now,
    doneAt: o.now,
    stat: "DELIVRD",
    err: "000",
    preview: "",
    attempts: 0,
    createdAt: o.now,
    mo,
  }));
}
