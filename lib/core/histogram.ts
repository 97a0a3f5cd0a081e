/**
 * A Prometheus-style histogram: fixed bucket bounds, a count per bucket, the sum and the count.
 * Observing is a short scan of the bounds and three additions: no allocation.
 *
 * ```ts
 * import { Histogram } from "./histogram.ts";
 * const h = new Histogram([0.01, 0.1, 1]);
 * h.observe(0.05);
 * console.log(h.cumulative(), h.count, h.sum); // [0, 1, 1, 1] 1 0.05
 * ```
 */
export class Histogram {
  /** Observations per bucket (not cumulative); the last one is above every bound. */
  readonly #counts: Float64Array;
  /** Sum of the observed values. */
  sum = 0;
  /** Observations. */
  count = 0;

  /** A histogram with these upper bounds (ascending; `+Inf` is implied). */
  constructor(readonly bounds: readonly number[]) {
    for (let i = 1; i < bounds.length; i++) {
      if (!(bounds[i] > bounds[i - 1])) throw new RangeError("bucket bounds must ascend");
    }
    this.#counts = new Float64Array(bounds.length + 1);
  }

  /** Counts one value in the first bucket whose bound is at or above it. */
  observe(value: number): void {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && value > b[i]) i++;
    this.#counts[i]++;
    this.sum += value;
    this.count++;
  }

  /** Observations at or below each bound, then the total (the `+Inf` bucket). */
  cumulative(): number[] {
    const out: number[] = [];
    let n = 0;
    for (const c of this.#counts) out.push(n += c);
    return out;
  }
}
