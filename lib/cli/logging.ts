/**
 * Log output of `serve`: levels, the text and JSON line formats, and the logtape configuration
 * that writes them to the console (info and below on stdout, warnings and errors on stderr).
 */
import {
  configure,
  getConsoleSink,
  getTextFormatter,
  type LogLevel,
  type LogRecord,
} from "@logtape/logtape";
import { hex } from "../smpp/describe.ts";

/** Levels `--log-level` accepts, most verbose first. */
export const LOG_LEVELS = ["trace", "debug", "info", "warning", "error"] as const;

/** Formats `--log-format` accepts. */
export const LOG_FORMATS = ["text", "json"] as const;

/** A log line format. */
export type LogFormat = typeof LOG_FORMATS[number];

/** JSON.stringify replacer: bigint as a string, octets as hex, errors by their message. */
function jsonSafe(_key: string, v: unknown): unknown {
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Uint8Array) return hex(v);
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  return v;
}

/** A value in a text line: strings as they are (control characters escaped), the rest as JSON. */
function textValue(v: unknown): string {
  if (typeof v !== "string") return JSON.stringify(v, jsonSafe) ?? String(v);
  // deno-lint-ignore no-control-regex
  return v.replace(/[\x00-\x1f\x7f]/g, (c) => {
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    return c === "\t" ? c : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  });
}

/**
 * One text line (values never break it): ISO 8601 UTC timestamp, level, dotted category,
 * message, e.g.
 * `2026-11-29T10:00:00.000Z INFO  smppgw.session: session 3 bound as acme (transceiver) from 127.0.0.1`.
 */
export const textLine: (record: LogRecord) => string = getTextFormatter({
  timestamp: "rfc3339",
  level: "FULL",
  category: ".",
  value: textValue,
  format: (v) => `${v.timestamp} ${v.level.padEnd(5)} ${v.category}: ${v.message}`,
});

function renderMessage(parts: readonly unknown[]): string {
  let s = "";
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    s += i % 2 === 0 || typeof p === "string"
      ? String(p)
      : JSON.stringify(p, jsonSafe) ?? String(p);
  }
  return s;
}

/**
 * One JSON object per line: `timestamp` (ISO 8601 UTC), `level`, `category` (dotted),
 * `message` (rendered) and `properties`.
 *
 * @example
 * ```ts
 * import { jsonLine } from "./logging.ts";
 * const line = jsonLine({
 *   category: ["smppgw", "session"],
 *   level: "info",
 *   message: ["session ", 3, " bound"],
 *   rawMessage: "session {id} bound",
 *   properties: { id: 3 },
 *   timestamp: 0,
 * });
 * console.log(JSON.parse(line).category); // "smppgw.session"
 * ```
 */
export function jsonLine(r: LogRecord): string {
  return JSON.stringify(
    {
      timestamp: new Date(r.timestamp).toISOString(),
      level: r.level,
      category: r.category.join("."),
      message: renderMessage(r.message),
      properties: r.properties,
    },
    jsonSafe,
  );
}

/**
 * Configures logtape for the gateway: every ["smppgw", …] category at `level` and above, in
 * `format`, to the console; logtape's own warnings too.
 *
 * @example
 * ```ts
 * import { setupLogging } from "./logging.ts";
 * await setupLogging("debug", "json");
 * ```
 */
export async function setupLogging(level: LogLevel, format: LogFormat): Promise<void> {
  const console = getConsoleSink({ formatter: format === "json" ? jsonLine : textLine });
  await configure({
    sinks: { console },
    loggers: [
      { category: ["smppgw"], lowestLevel: level, sinks: ["console"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["console"] },
    ],
    reset: true,
  });
}
