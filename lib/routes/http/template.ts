/**
 * Filling a route's params from a message: `{id}`, `{dest}`, `{text}`, … placeholders, and the
 * submit's TLVs: `{tlv.NAME}` / `{tlv.0xNNNN}` one by one, `{tlvs}` all of them as JSON.
 */
import type { JobRecord } from "../../store/records.ts";
import { userText } from "../../text/mod.ts";
import { STORED_APART, tagHex, tlvName, tlvTag, tlvText } from "../tlvs.ts";

/** The placeholders a param may use. */
export const PLACEHOLDERS = [
  "id",
  "dest",
  "source",
  "text",
  "hex",
  "dataCoding",
  "parts",
  "account",
  "esmClass",
  "tlvs",
] as const;

/** The key of a TLV's value in {@link placeholderValues}: "tlv.0x020a". */
const tlvKey = (tag: number) => `tlv.${tagHex(tag)}`;

/**
 * What is wrong with the TLV named by a `{tlv.NAME}` placeholder (NAME without "tlv."), or null
 * when it names one: a name from the TLV table or a hex tag, and not one the message stores apart.
 */
export function tlvPlaceholderProblem(name: string): string | null {
  const tag = tlvTag(name);
  if (tag === undefined) {
    return `{tlv.${name}} names no TLV (a name of the TLV table, e.g. {tlv.source_port}, ` +
      `or a tag, e.g. {tlv.0x1400})`;
  }
  if (STORED_APART.has(tag)) {
    return `{tlv.${name}}: ${tlvName(tag)} is not passed to routes (message_payload, the SAR ` +
      `TLVs and user_message_reference are not kept; the user data is {text} or {hex})`;
  }
  return null;
}

/** The problems of the `{tlv.…}` placeholders of a param's template (none: []). */
export function templateProblems(template: string): string[] {
  const out: string[] = [];
  for (const [, name] of template.matchAll(/\{tlv\.([^{}]*)\}/g)) {
    const problem = tlvPlaceholderProblem(name);
    if (problem !== null) out.push(problem);
  }
  return out;
}

/**
 * The placeholder values of a job (the text decoded once; "" for binary data). Its TLVs are under
 * "tlv.0xNNNN" (the first of a tag), as text (see {@link tlvText}); `tlvs` is the JSON object of
 * them all, name → text (unknown tags named "0xNNNN").
 */
export function placeholderValues(job: JobRecord): Record<string, string> {
  let text = "";
  try {
    text = userText(job).text ?? "";
  } catch { /* undecodable user data: send {hex} */ }
  const tlvs: Record<string, string> = {};
  const byTag: Record<string, string> = {};
  for (const t of job.tlvs ?? []) {
    const key = tlvKey(t.tag);
    if (key in byTag) continue;
    byTag[key] = tlvs[tlvName(t.tag)] = tlvText(t);
  }
  return {
    id: job.id,
    dest: job.dest.addr,
    source: job.source.addr,
    text,
    hex: Array.from(job.body, (b) => b.toString(16).padStart(2, "0")).join(""),
    dataCoding: String(job.dataCoding),
    parts: String(job.parts),
    account: job.account,
    esmClass: String(job.esmClass),
    tlvs: JSON.stringify(tlvs),
    ...byTag,
  };
}

/**
 * Each param with its placeholders replaced; an unknown `{name}` stays as written. `{tlv.NAME}`
 * and `{tlv.0xNNNN}` take the value under "tlv.0xNNNN": "" when the message lacks that TLV.
 *
 * @example
 * ```ts
 * import { fillParams } from "./template.ts";
 * console.log(fillParams({ to: "+{dest}" }, { dest: "447700900123" })); // { to: "+447700900123" }
 * console.log(fillParams({ p: "{tlv.source_port}" }, { "tlv.0x020a": "80" })); // { p: "80" }
 * ```
 */
export function fillParams(
  params: Readonly<Record<string, string>>,
  values: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, t] of Object.entries(params)) {
    out[k] = t.replace(/\{(\w+)(?:\.(\w+))?\}/g, (all, name: string, sub?: string) => {
      if (sub === undefined) return values[name] ?? all;
      const tag = name === "tlv" ? tlvTag(sub) : undefined;
      return tag === undefined ? all : values[tlvKey(tag)] ?? "";
    });
  }
  return out;
}

/** The value at a dotted path (`data.id`, `messages.0.id`) of a parsed JSON reply, as a string. */
export function atPath(v: unknown, path: string): string | undefined {
  let cur = v;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  if (typeof cur === "string" && cur !== "") return cur;
  if (typeof cur === "number" || typeof cur === "bigint") return String(cur);
  return undefined;
}
