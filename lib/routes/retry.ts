/** Retry policy of a route: exponential backoff with a cap and a limit on attempts. */
import { number, object, parse, whole } from "../core/schema.ts";

/** Retry settings, as in a route's `retry` config. */
export interface RetryPolicy {
  /** Delay after the first failure (ms); doubles per attempt. */
  baseMs: number;
  /** Longest delay (ms). */
  maxMs: number;
  /** Attempts in all (the first one included); then the message is UNDELIV. */
  maxAttempts: number;
}

/** Defaults of a route's `retry`. */
export const RETRY_DEFAULTS: RetryPolicy = { baseMs: 1000, maxMs: 60_000, maxAttempts: 8 };

/**
 * When to try again after `attempts` failed attempts, or null when they are used up. A server's
 * `Retry-After` (ms from now) replaces the backoff when given (a message whose validity ends
 * first is EXPIRED by its route).
 *
 * @example
 * ```ts
 * import { nextAttempt } from "./retry.ts";
 * const p = { baseMs: 1000, maxMs: 60_000, maxAttempts: 3 };
 * nextAttempt(p, 1, 0); // 1000: one second after the first failure
 * nextAttempt(p, 2, 0); // 2000
 * nextAttempt(p, 3, 0); // null: three attempts made
 * ```
 */
export function nextAttempt(
  p: RetryPolicy,
  attempts: number,
  now: number,
  retryAfterMs?: number,
): number | null {
  if (attempts >= p.maxAttempts) return null;
  const backoff = Math.min(p.maxMs, p.baseMs * 2 ** Math.min(attempts - 1, 30));
  // The server knows when it can take the message again (the validity period still bounds it).
  const wait = retryAfterMs !== undefined && retryAfterMs >= 0 ? retryAfterMs : backoff;
  return now + wait;
}

/** A `Retry-After` header value (seconds or an HTTP date) in ms from `now`; undefined if unusable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const v = header.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * A route's `retry` key: each field defaults to {@link RETRY_DEFAULTS}, an absent key to all of
 * them; `maxMs` may not be below `baseMs`.
 */
export const RETRY = object({
  baseMs: number(1, 86_400_000).default(RETRY_DEFAULTS.baseMs),
  maxMs: number(1, 86_400_000).default(RETRY_DEFAULTS.maxMs),
  maxAttempts: whole(1, 1000).default(RETRY_DEFAULTS.maxAttempts),
}).superRefine((r, ctx) => {
  if (r.maxMs < r.baseMs) {
    ctx.addIssue({
      code: "custom",
      path: ["maxMs"],
      message: `must not be below baseMs (${r.baseMs})`,
    });
  }
}).prefault({});

/**
 * A route's `retry` config object at `path`, checked, defaults filled in.
 *
 * @example
 * ```ts
 * import { parseRetry } from "./retry.ts";
 * parseRetry({ maxAttempts: 3 }, "routes[0].retry"); // { baseMs: 1000, maxMs: 60000, maxAttempts: 3 }
 * ```
 */
export function parseRetry(v: unknown, path: string): RetryPolicy {
  return parse(RETRY, v, path);
}
