/**
 * Rate-limited logging for events that can come by the thousand (refused connections, failed
 * accepts): the first event is reported at once, later ones as one summary per interval.
 */

/** Distinct keys counted per interval; more are counted by kind only, keeping memory bounded. */
const MAX_KEYS = 1000;

/** Keys shown in a summary. */
const TOP_KEYS = 3;

/** What one report covers. */
export interface Summary<K extends string> {
  /** True for the single event reported at once; false for an interval's summary. */
  first: boolean;
  /** Events per kind. */
  counts: ReadonlyMap<K, number>;
  total: number;
  /** The most frequent keys (e.g. remote addresses) with their counts, most first. */
  top: readonly (readonly [string, number])[];
  /** Milliseconds the summary covers (0 for the first event). */
  ms: number;
}

/**
 * Counts events by kind (and optional key) and reports them at most once per `intervalMs`:
 * an event after a quiet interval is reported at once and starts an interval timer; the timer
 * reports what came since, and stops after an interval with nothing. `close()` clears the timer
 * and reports what is left.
 */
export class LogSummary<K extends string> {
  #counts = new Map<K, number>();
  #keys = new Map<string, number>();
  #total = 0;
  #since = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(
    readonly intervalMs: number,
    readonly report: (s: Summary<K>) => void,
    readonly now: () => number = Date.now,
  ) {}

  /** Counts one event; reports it at once when no interval is running. */
  add(kind: K, key?: string) {
    if (this.#timer === undefined) {
      this.report({
        first: true,
        counts: new Map([[kind, 1]]),
        total: 1,
        top: key === undefined ? [] : [[key, 1]],
        ms: 0,
      });
      // Once closed, nothing more is summarized later (no timer is left behind).
      if (!this.#closed) {
        this.#since = this.now();
        this.#timer = setInterval(() => this.#tick(), this.intervalMs);
      }
      return;
    }
    this.#total++;
    this.#counts.set(kind, (this.#counts.get(kind) ?? 0) + 1);
    if (key !== undefined && (this.#keys.has(key) || this.#keys.size < MAX_KEYS)) {
      this.#keys.set(key, (this.#keys.get(key) ?? 0) + 1);
    }
  }

  /** Stops the timer and reports the events not reported yet. */
  close() {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#flush();
  }

  #tick() {
    if (this.#total > 0) return this.#flush();
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #flush() {
    if (this.#total === 0) return;
    const top = [...this.#keys].sort((a, b) => b[1] - a[1]).slice(0, TOP_KEYS);
    const t = this.now();
    const s: Summary<K> = {
      first: false,
      counts: this.#counts,
      total: this.#total,
      top,
      ms: t - this.#since,
    };
    this.#counts = new Map();
    this.#keys = new Map();
    this.#total = 0;
    this.#since = t;
    this.report(s);
  }
}
