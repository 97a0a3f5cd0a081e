/**
 * A decoded PDU as plain, JSON-safe data for trace logs: header fields, body fields with octets
 * in hex, TLVs by name, and every secret field (the bind password) replaced by "***".
 */
import type { Pdu } from "./codec.ts";
import { statusName } from "./status.ts";
import { Tag, type Tlv } from "./tlvs.ts";

/** Body fields whose values never leave the process (logs, traces, dumps). */
export const SECRET_FIELDS: ReadonlySet<string> = new Set(["password"]);

/** What stands in for a secret field's value. */
export const REDACTED = "***";

/** A PDU described for a log line. */
export interface PduDescription {
  /** Command name, e.g. "submit_sm". */
  command: string;
  /** sequence_number. */
  seq: number;
  /** command_status by name (ESME_ROK, …). */
  status: string;
  /** Mandatory fields: strings and numbers as they are, octets as hex, secrets as "***". */
  body: Record<string, unknown>;
  /** Optional parameters as `name` (or `0x1234` for unknown tags) → value in hex. */
  tlvs: Record<string, string>;
}

const TAG_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(Tag).map(([name, tag]) => [tag as number, name]),
);

/** Octets as lower-case hex. */
export function hex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

function describeValue(v: unknown): unknown {
  if (v instanceof Uint8Array) return hex(v);
  if (Array.isArray(v)) return v.map(describeValue);
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, describeValue(x)]));
  }
  return v;
}

/** A copy of `body` with every {@link SECRET_FIELDS} value replaced by {@link REDACTED}. */
export function redactBody(body: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) out[k] = SECRET_FIELDS.has(k) ? REDACTED : v;
  return out;
}

/** TLVs by name with hex values (a repeated tag keeps its last value). */
function describeTlvs(tlvs: readonly Tlv[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tlvs) {
    out[TAG_NAMES.get(t.tag) ?? `0x${t.tag.toString(16).padStart(4, "0")}`] = hex(t.value);
  }
  return out;
}

/**
 * Describes a decoded PDU for a trace log line, with secrets redacted. Costs a copy of the body:
 * call it only when the trace level is on.
 *
 * @example
 * ```ts
 * import { decode, encode } from "./codec.ts";
 * import { describePdu } from "./describe.ts";
 * const bind = decode(encode({
 *   command: "bind_transceiver",
 *   seq: 1,
 *   body: { system_id: "acme", password: "s3cret", interface_version: 0x34 },
 * }));
 * console.log(describePdu(bind).body.password); // "***"
 * ```
 */
export function describePdu(pdu: Pdu): PduDescription {
  return {
    command: pdu.command,
    seq: pdu.seq,
    status: statusName(pdu.status),
    body: describeValue(redactBody(pdu.body as Record<string, unknown>)) as Record<
      string,
      unknown
    >,
    tlvs: describeTlvs(pdu.tlvs),
  };
}
