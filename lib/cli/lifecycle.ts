/** The start and stop lines of `serve` (category ["smppgw", "gateway"]), with a counters summary. */
import { getLogger } from "@logtape/logtape";
import { type CounterName, COUNTERS, type Counters } from "../core/counters.ts";

const log = getLogger(["smppgw", "gateway"]);

/**
 * The counters that moved, in registry order: `binds 2, submitted 10, …`; "nothing counted" when
 * none did.
 *
 * @example
 * ```ts
 * import { counterSummary } from "./lifecycle.ts";
 * import { newCounters } from "../core/counters.ts";
 * const c = newCounters();
 * c.binds = 2;
 * c.submitted = 10;
 * console.log(counterSummary(c)); // "binds 2, submitted 10"
 * ```
 */
export function counterSummary(c: Counters): string {
  const moved = (Object.keys(COUNTERS) as CounterName[]).filter((k) => c[k] !== 0);
  return moved.length === 0 ? "nothing counted" : moved.map((k) => `${k} ${c[k]}`).join(", ");
}

/** Where a started gateway listens. */
export interface StartedInfo {
  version: string;
  /** "host:port" of SMPP. */
  smpp: string;
  /** "host:port" of SMPP over TLS, when on. */
  tls?: string;
  /** "host:port" of HTTP, when on. */
  http?: string;
  /** The KV path. */
  kv: string;
}

/** Logs the start at info. */
export function logStarted(i: StartedInfo): void {
  const listening = [
    `SMPP on ${i.smpp}`,
    ...(i.tls ? [`TLS on ${i.tls}`] : []),
    ...(i.http ? [`HTTP on ${i.http}`] : []),
  ].join(", ");
  log.info("smppgw {version} started: {listening}, KV {kv}", { ...i, listening });
}

/** Logs the stop at info: uptime and every counter that moved. */
export function logStopped(counters: Counters, startedAt: number, now: number): void {
  log.info("smppgw stopped after {uptimeSec} s: {summary}", {
    uptimeSec: Math.round((now - startedAt) / 1000),
    summary: counterSummary(counters),
    counters: { ...counters },
  });
}
