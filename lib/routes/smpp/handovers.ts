/**
 * Hand-overs in progress, for receipts that overtake them: an upstream may send a message's
 * receipt before the route has stored its hand-over (`host.receipt` then says "unknown"). The
 * route notes each accepted id at once ({@link Handovers.begin}); a receipt for an id still being
 * stored waits for it briefly.
 */

/** How long a stored hand-over counts as recent (ms). */
const RECENT_MS = 10_000;

/** What became of the hand-over a receipt waited for. */
export type HandoverWait =
  /** Stored (now or lately): offer the receipt again. */
  | "stored"
  /** Still being stored after the wait: have the upstream send the receipt again later. */
  | "pending"
  /** No hand-over of these ids is known. */
  | "unknown";

interface Waiter {
  ids: readonly string[];
  done(result: HandoverWait): void;
}

/**
 * Meeting point of hand-overs and early receipts.
 *
 * @example
 * ```ts
 * import { Handovers } from "./handovers.ts";
 * const h = new Handovers();
 * h.begin("abc"); // submit_sm_resp said "abc"
 * const waiting = h.waitFor(["abc"], 1000); // its receipt came before the hand-over was stored
 * h.stored("abc");
 * console.log(await waiting); // "stored": offer the receipt again
 * h.stop();
 * ```
 */
export class Handovers {
  readonly #now: () => number;
  /** Ids accepted upstream whose hand-over is not stored yet (with a count of copies). */
  readonly #pending = new Map<string, number>();
  /** Ids stored lately, with when (insertion order is time order). */
  readonly #recent = new Map<string, number>();
  readonly #waiters = new Set<Waiter>();

  /** Uses `now` as its clock (ms). */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** The upstream accepted `providerId`; its hand-over is about to be stored. */
  begin(providerId: string) {
    this.#pending.set(providerId, (this.#pending.get(providerId) ?? 0) + 1);
  }

  /** The hand-over of `providerId` is stored: wakes receipts waiting for it. */
  stored(providerId: string) {
    this.#end(providerId);
    const now = this.#now();
    this.#recent.delete(providerId);
    this.#recent.set(providerId, now);
    for (const [id, at] of this.#recent) {
      if (now - at < RECENT_MS) break;
      this.#recent.delete(id);
    }
    this.#wake(providerId, "stored");
  }

  /** The hand-over of `providerId` will not be stored (the job failed or the route stopped). */
  dropped(providerId: string) {
    this.#end(providerId);
    if (!this.#pending.has(providerId)) this.#wake(providerId, "unknown");
  }

  /**
   * For a receipt whose ids the host does not know: "stored" at once when one was stored lately,
   * "unknown" at once when none is being stored, else whatever happens within `ms`.
   */
  waitFor(ids: readonly string[], ms: number): Promise<HandoverWait> {
    const now = this.#now();
    if (ids.some((id) => now - (this.#recent.get(id) ?? -Infinity) < RECENT_MS)) {
      return Promise.resolve("stored");
    }
    if (!ids.some((id) => this.#pending.has(id))) return Promise.resolve("unknown");
    const { promise, resolve } = Promise.withResolvers<HandoverWait>();
    const w: Waiter = {
      ids,
      done: (result) => {
        clearTimeout(t);
        this.#waiters.delete(w);
        resolve(result);
      },
    };
    const t = setTimeout(() => w.done("pending"), ms);
    this.#waiters.add(w);
    return promise;
  }

  /** Ends every wait ("pending": the upstream sends those receipts again). */
  stop() {
    for (const w of [...this.#waiters]) w.done("pending");
  }

  #end(providerId: string) {
    const n = this.#pending.get(providerId) ?? 0;
    if (n <= 1) this.#pending.delete(providerId);
    else this.#pending.set(providerId, n - 1);
  }

  #wake(providerId: string, result: HandoverWait) {
    for (const w of [...this.#waiters]) if (w.ids.includes(providerId)) w.done(result);
  }
}
