/** Paces a route's sends to `tps` per second: callers wait for their turn. */

/**
 * Hands out send slots at most `tps` per second (evenly spaced, a burst of up to one second's
 * worth after a pause). `wait()` resolves when the caller may send; `stop()` releases every
 * waiter (they resolve false) and clears the timer.
 *
 * @example
 * ```ts
 * import { Pacer } from "./pacer.ts";
 * const pacer = new Pacer(50);
 * if (await pacer.wait()) {
 *   // send one request
 * }
 * pacer.stop();
 * ```
 */
export class Pacer {
  readonly #interval: number;
  readonly #burst: number;
  readonly #now: () => number;
  /** When the next slot is free (ms); slots before `now` make up the burst. */
  #next = 0;
  #waiters: ((ok: boolean) => void)[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  /** `tps` 0 (or below) means unlimited. */
  constructor(tps: number, now: () => number = Date.now) {
    this.#interval = tps > 0 ? 1000 / tps : 0;
    this.#burst = tps > 0 ? Math.max(1, Math.floor(tps)) : 0;
    this.#now = now;
  }

  /** Resolves true when a send may start now, false once the pacer stopped. */
  wait(): Promise<boolean> {
    if (this.#stopped) return Promise.resolve(false);
    if (this.#interval === 0) return Promise.resolve(true);
    if (this.#waiters.length === 0 && this.#take()) return Promise.resolve(true);
    const { promise, resolve } = Promise.withResolvers<boolean>();
    this.#waiters.push(resolve);
    this.#arm();
    return promise;
  }

  /** Releases every waiter (false) and stops the timer. */
  stop() {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const w of this.#waiters.splice(0)) w(false);
  }

  #take(): boolean {
    const now = this.#now();
    const floor = now - this.#burst * this.#interval;
    if (this.#next < floor) this.#next = floor;
    if (this.#next > now) return false;
    this.#next += this.#interval;
    return true;
  }

  #arm() {
    if (this.#timer !== undefined || this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      while (this.#waiters.length > 0 && this.#take()) this.#waiters.shift()!(true);
      if (this.#waiters.length > 0) this.#arm();
    }, Math.max(1, Math.ceil(this.#next - this.#now())));
  }
}
