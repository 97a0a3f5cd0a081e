/** Items waiting for a time (jobs to try again at `nextAt`), with one owned timer for all. */

/** Longest single timer; a later due time re-arms (setTimeout caps at about 24.8 days). */
const MAX_TIMER_MS = 3_600_000;

/**
 * A min-heap of items by due time; `onDue` gets the items whose time has come, oldest first.
 *
 * @example
 * ```ts
 * import { Delayed } from "./delayed.ts";
 * const d = new Delayed<string>((items) => console.log(items));
 * d.add("a", Date.now() + 1000); // logs ["a"] in a second
 * d.stop(); // or drops it: nothing is logged
 * ```
 */
export class Delayed<T> {
  readonly #onDue: (items: T[]) => void;
  readonly #now: () => number;
  #heap: { at: number; item: T }[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  #stopped = false;

  /** Calls `onDue` with due items; `now` is the clock (ms). */
  constructor(onDue: (items: T[]) => void, now: () => number = Date.now) {
    this.#onDue = onDue;
    this.#now = now;
  }

  /** Items waiting. */
  get size(): number {
    return this.#heap.length;
  }

  /** Adds `item`, due at `at` (ms since the epoch). */
  add(item: T, at: number) {
    if (this.#stopped) return;
    const h = this.#heap;
    h.push({ at, item });
    for (let i = h.length - 1; i > 0;) {
      const up = (i - 1) >> 1;
      if (h[up].at <= h[i].at) break;
      [h[up], h[i]] = [h[i], h[up]];
      i = up;
    }
    this.#arm();
  }

  /** Drops the items `drop` picks (a linear pass: for rare changes, not the hot path). */
  remove(drop: (item: T) => boolean) {
    const kept = this.#heap.filter((e) => !drop(e.item));
    if (kept.length === this.#heap.length) return;
    kept.sort((a, b) => a.at - b.at); // a sorted array is a valid heap
    this.#heap = kept;
  }

  /** Drops every item and the timer. */
  stop() {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#heap = [];
  }

  #arm() {
    const first = this.#heap[0];
    if (!first || this.#stopped) return;
    if (this.#timer !== undefined && this.#timerAt <= first.at) return;
    clearTimeout(this.#timer);
    this.#timerAt = first.at;
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, first.at - this.#now()));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.#fire();
    }, wait);
  }

  #fire() {
    const now = this.#now();
    const due: T[] = [];
    while (this.#heap.length > 0 && this.#heap[0].at <= now) due.push(this.#pop());
    if (due.length > 0) this.#onDue(due);
    this.#arm();
  }

  #pop(): T {
    const h = this.#heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l].at < h[m].at) m = l;
        if (r < h.length && h[r].at < h[m].at) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top.item;
  }
}
