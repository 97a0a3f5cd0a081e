/** Filling a route's params from a message: `{id}`, `{dest}`, `{text}`, … placeholders. */
import type { JobRecord } from "../../store/records.ts";
import { userText } from "../../text/mod.ts";

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
] as const;

/** The placeholder values of a job (the text decoded once; "" for binary data). */
export function placeholderValues(job: JobRecord): Record<string, string> {
  let text = "";
  try {
    text = userText(job).text ?? "";
  } catch { /* undecodable user data: send {hex} */ }
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
  };
}

/**
 * Each param with its placeholders replaced; an unknown `{name}` stays as written.
 *
 * @example
 * ```ts
 * import { fillParams } from "./template.ts";
 * console.log(fillParams({ to: "+{dest}" }, { dest: "447700900123" })); // { to: "+447700900123" }
 * ```
 */
export function fillParams(
  params: Readonly<Record<string, string>>,
  values: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, t] of Object.entries(params)) {
    out[k] = t.replace(/\{(\w+)\}/g, (all, name) => values[name] ?? all);
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
