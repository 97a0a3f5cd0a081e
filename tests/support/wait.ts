/** Waiting in tests: a deadline on a promise, and a bounded poll instead of sleep loops. */

/** Fails a promise that takes longer than `ms`. */
export function within<T>(p: Promise<T>, ms = 5000, what = "operation"): Promise<T> {
  let t: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}

/** How often {@link waitUntil} re-checks its condition. */
export const POLL_MS = 10;

/** Thrown by {@link waitUntil} when the condition did not hold in time. */
export class WaitTimeout extends Error {
  constructor(readonly what: string, readonly timeoutMs: number) {
    super(`${what}: not reached within ${timeoutMs} ms`);
    this.name = "WaitTimeout";
  }
}

/**
 * Resolves once `cond()` holds, re-checking every {@link POLL_MS} ms; throws a
 * {@link WaitTimeout} naming `what` when it still does not hold after `timeoutMs`. The number of
 * checks is bounded (timeoutMs / POLL_MS + 1, and a wall-clock deadline), so a loaded machine
 * cannot make it spin longer; an error thrown by `cond` ends the wait with that error.
 */
export async function waitUntil(
  cond: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const checks = Math.ceil(timeoutMs / POLL_MS) + 1;
  for (let i = 0; i < checks; i++) {
    if (await cond()) return;
    if (Date.now() >= deadline) break;
    await new Promise<void>((resolve) => setTimeout(resolve, POLL_MS));
  }
  if (await cond()) return;
  throw new WaitTimeout(what, timeoutMs);
}
