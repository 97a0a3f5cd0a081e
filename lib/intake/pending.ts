import { compareIds } from "../store/pages.ts";

/**
 * Unsettled message ids in id order, to know the route checkpoint: the lowest id that may still
 * lack a final state. Ids are added in increasing order (resumed ones first, then new ones).
 *
 * It also knows which ids were handed out in a row, so settling can store one state for a run of
 * them (see {@link PendingIds.runs}).
 */

/** What became of an id handed out. */
const Fate = {
  /** Stored (or being stored), not settled yet. */
  Pending: 0,
  /** Settled, stored for a joined message, or of unknown fate: a run stops there. */
  Gone: 1,
  /** Refused before anything was stored: a run may step over it. */
  Refused: 2,
} as const;
type Fate = typeof Fate[keyof typeof Fate];

export class PendingIds {
  /** Ids in the order they were added, from the first one not yet dropped. */
  #order: string[] = [];
  #fate: Fate[] = [];
  /** Resumed from an earlier run (settled ids of that run may lie between them). */
  #resumedTo = -1;
  /** Ids dropped from the front of `#order` so far (positions count from the first id added). */
  #dropped = 0;
  #head = 0;
  /** Where the last id was found (see #find). */
  #hint = 0;
  #size = 0;
  #last = "";
  /**
   * Ids came in increasing order so far. They should (a node's ids grow past its stored floor),
   * but a clock stepped back under another node id, or a route reading its resumed jobs late,
   * can break it: then ids are found by a linear search, the checkpoint is the lowest pending id
   * found by a scan, and every id settles on its own (no runs).
   */
  #sorted = true;

  /** Adds an id greater than every id added before; `resumed` for ids of an earlier run. */
  add(id: string, opts: { resumed?: boolean } = {}) {
    const at = this.#dropped + this.#order.length;
    if (this.#order.length + this.#dropped > 0 && compareIds(id, this.#last) <= 0) {
      this.#sorted = false;
    } else this.#last = id;
    this.#order.push(id);
    this.#fate.push(Fate.Pending);
    this.#size++;
    if (opts.resumed) this.#resumedTo = at;
  }

  /** Removes an id (settled, stored for a joined message, or of unknown fate). */
  delete(id: string) {
    this.#leave(id, Fate.Gone);
  }

  /** Whether `id` is accepted and not settled (nor handed over) yet. */
  has(id: string): boolean {
    const i = this.#find(id);
    return i >= 0 && this.#fate[i] === Fate.Pending;
  }

  /** Up to `max` ids still pending, oldest first. */
  open(max: number): string[] {
    const out: string[] = [];
    for (let i = this.#head; i < this.#order.length && out.length < max; i++) {
      if (this.#fate[i] === Fate.Pending) out.push(this.#order[i]);
    }
    return out;
  }

  /** Removes an id that was refused before anything was stored for it. */
  refuse(id: string) {
    this.#leave(id, Fate.Refused);
  }

  #leave(id: string, fate: Fate) {
    const i = this.#find(id);
    if (i < 0) return;
    if (this.#fate[i] === Fate.Pending) this.#size--;
    this.#fate[i] = fate;
  }

  /**
   * Index of `id` in `#order`, or -1. Ids are looked up mostly in the order they were added (a
   * route takes them, then they settle): the one found last, or the next, is tried first; else a
   * binary search (ids are added in increasing order).
   */
  #find(id: string): number {
    const order = this.#order;
    if (!this.#sorted) return order.indexOf(id, this.#head);
    const hint = this.#hint;
    if (order[hint] === id && hint >= this.#head) return hint;
    if (order[hint + 1] === id && hint + 1 >= this.#head) return this.#hint = hint + 1;
    let lo = this.#head;
    let hi = order.length - 1;
    // Ids of one length compare as numbers; a shorter id (an older clock) sorts first.
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareIds(order[mid], id);
      if (c === 0) return this.#hint = mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Unsettled ids. */
  get size(): number {
    return this.#size;
  }

  /** The lowest unsettled id; with none, the last id added (it and all below are settled). */
  checkpoint(): string {
    while (this.#head < this.#order.length && this.#fate[this.#head] !== Fate.Pending) {
      this.#head++;
    }
    if (this.#head > 4096 && this.#head * 2 > this.#order.length) {
      this.#order = this.#order.slice(this.#head);
      this.#fate = this.#fate.slice(this.#head);
      this.#dropped += this.#head;
      this.#hint = Math.max(0, this.#hint - this.#head);
      this.#head = 0;
    }
    if (!this.#sorted) return this.#lowestPending() ?? this.#last;
    return this.#order[this.#head] ?? this.#last;
  }

  #lowestPending(): string | undefined {
    let low: string | undefined;
    for (let i = this.#head; i < this.#order.length; i++) {
      const id = this.#order[i];
      if (this.#fate[i] === Fate.Pending && (low === undefined || compareIds(id, low) < 0)) {
        low = id;
      }
    }
    return low;
  }

  /**
   * Splits unsettled `ids` into runs: ids handed out one after the other with nothing stored
   * between them that is not in `ids` (refused ids may lie between). A run's id range then holds
   * no other stored message, so one record can give all of them their state. Ids resumed from an
   * earlier run are each a run of their own.
   */
  runs(ids: readonly string[]): string[][] {
    const at: number[] = [];
    const out: string[][] = [];
    if (!this.#sorted) return ids.map((id) => [id]);
    for (const id of ids) {
      const j = this.#find(id);
      const i = j + this.#dropped;
      if (j < 0 || i <= this.#resumedTo || this.#fate[j] !== Fate.Pending) out.push([id]);
      else at.push(i);
    }
    at.sort((a, b) => a - b);
    let run: string[] = [];
    let prev = -1;
    for (const i of at) {
      if (run.length > 0 && !this.#onlyRefusedBetween(prev, i)) {
        out.push(run);
        run = [];
      }
      run.push(this.#order[i - this.#dropped]);
      prev = i;
    }
    if (run.length > 0) out.push(run);
    return out;
  }

  #onlyRefusedBetween(from: number, to: number): boolean {
    for (let i = from + 1; i < to; i++) {
      if (this.#fate[i - this.#dropped] !== Fate.Refused) return false;
    }
    return true;
  }
}
