/** Saying why something hangs: a log line while a promise is still pending. */
import { getLogger } from "@logtape/logtape";

const log = getLogger(["smppgw", "store"]);

/**
 * Resolves `p`; while it is still pending after `ms` (and every `ms` after that), logs `message`
 * with `{s}`, the seconds waited so far. Tells an operator why a start hangs, e.g. on a KV file
 * whose lock a stopped process holds.
 *
 * ```ts
 * const kv = await noticing(openKv(path), 3000, "still opening the KV store after {s} s");
 * ```
 */
export async function noticing<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  const started = Date.now();
  const t = setInterval(
    () => log.warn(message, { s: Math.round((Date.now() - started) / 1000) }),
    ms,
  );
  try {
    return await p;
  } finally {
    clearInterval(t);
  }
}

/** The line logged while the KV store cannot be read or opened. */
export const STORE_LOCKED =
  "still waiting for the KV store after {s} s: another process holds its lock " +
  "(a stopped smppgw process?)";
