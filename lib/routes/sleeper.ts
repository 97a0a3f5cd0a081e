/** Cancellable waits: every timer is owned, and `wakeAll()` ends them all at once (on stop). */

/**
 * Hands out waits that resolve after their time or as soon as {@link Sleeper.wakeAll} is called;
 * after that, new waits resolve at once. No timer outlives the sleeper.
 *
 * @example
 * ```ts
 * import { Sleeper } from "./sleeper.ts";
 * const sleeper = new Sleeper();
 * const slept = sleeper.sleep(60_000);
 * sleeper.wakeAll(); // stop: the wait ends now, its timer is cleared
 * await slept;
 * ```
 */
export class Sleeper {
  readonly #waits = new Map<ReturnType<typeof setTimeout>, () => void>();
  #awake = false;

  /** Resolves after `ms`, or at once when woken (true when the full time passed). */
  sleep(ms: number): Promise<boolean> {
    if (this.#awake) return Promise.resolve(false);
    const { promise, resolve } = Promise.withResolvers<boolean>();
    const t = setTimeout(() => {
      this.#waits.delete(t);
      resolve(true);
    }, Math.max(0, ms));
    this.#waits.set(t, () => resolve(false));
    return promise;
  }

  /** Ends every wait (they resolve false) and makes later ones end at once. */
  wakeAll() {
    this.#awake = true;
    for (const [t, wake] of this.#waits) {
      clearTimeout(t);
      wake();
    }
    this.#waits.clear();
  }
}

/** Thrown by {@link deadline} when the promise took too long. */
export class TimeoutError extends Error {
  /** `what` did not finish within `ms`. */
  constructor(what: string, readonly ms: number) {
    super(`${what} took longer than ${ms} ms`);
    this.name = "TimeoutError";
  }
}

/**
 * `p`, or a TimeoutError after `ms` (the timer is cleared either way), or a TimeoutError as soon
 * as `cancel` resolves. `late` gets the value of a `p` that resolves after it was given up on, to
 * release it (e.g. close a late connection).
 */
export function deadline<T>(
  p: Promise<T>,
  ms: number,
  what: string,
  late?: (v: T) => void,
  cancel?: Promise<unknown>,
): Promise<T> {
  let t: ReturnType<typeof setTimeout> | undefined;
  let gaveUp = false;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => {
      gaveUp = true;
      reject(new TimeoutError(what, ms));
    }, ms);
    cancel?.then(() => {
      gaveUp = true;
      reject(new TimeoutError(`${what} (cancelled)`, 0));
    });
  });
  // A late outcome is released (value) or was already reported as the timeout (error).
  p.then((v) => gaveUp && late?.(v), () => {});
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}
