/**
 * Unsettled message ids in id order, to know the route checkpoint: the lowest id that may still
 * lack a final state. Ids are added in increasing order (resumed ones first, then new ones).
 *
 * It also knows which ids were handed out in a row, so settling can store one state for a run of
 * them (see {@link PendingIds.runs}).
 */
export class PendingIds {
  readonly #set = new Set<string>();
  #order: string[] = [];
  #head = 0;
  #last = "";
  /** Ids dropped from the front of `#order` so far: an id's position is its index minus this. */
  #dropped = 0;
  readonly #index = new Map<string, number>();
  /** Ids that were refused, so never stored: a run may step over them. */
  readonly #refused = new Set<string>();
  /** Ids resumed from an earlier run: settled ids of that run may lie between them. */
  readonly #resumed = new Set<string>();

  /** Adds an id greater than every id added before; `resumed` for ids of an earlier run. */
  add(id: string, opts: { resumed?: boolean } = {}) {
    this.#set.add(id);
    this.#index.set(id, this.#dropped + this.#order.length);
    this.#order.push(id);
    this.#last = id;
    if (opts.resumed) this.#resumed.add(id);
  }

  /** Removes an id (settled, stored for a joined message, or of unknown fate). */
  delete(id: string) {
    this.#set.delete(id);
  }

  /** Removes an id that was refused before anything was stored for it. */
  refuse(id: string) {
    this.#set.delete(id);
    this.#refused.add(id);
  }

  /** Unsettled ids. */
  get size(): number {
    return this.#set.size;
  }

  /** The lowest unsettled id; with none, the last id added (it and all below are settled). */
  checkpoint(): string {
    while (this.#head < this.#order.length && !this.#set.has(this.#order[this.#head])) this.#head++;
    if (this.#head > 4096 && this.#head * 2 > this.#order.length) {
      for (const id of this.#order.slice(0, this.#head)) {
        this.#index.delete(id);
        this.#refused.delete(id);
        this.#resumed.delete(id);
      }
      this.#order = this.#order.slice(this.#head);
      this.#dropped += this.#head;
      this.#head = 0;
    }
    return this.#order[this.#head] ?? this.#last;
  }

  /**
   * Splits unsettled `ids` into runs: ids handed out one after the other with nothing stored
   * between them that is not in `ids` (refused ids may lie between). A run's id range then holds
   * no other stored message, so one record can give all of them their state. Ids resumed from an
   * earlier run are each a run of their own.
   */
  runs(ids: readonly string[]): string[][] {
    const at: [number, string][] = [];
    const out: string[][] = [];
    for (const id of ids) {
      const i = this.#index.get(id);
      if (i === undefined || !this.#set.has(id) || this.#resumed.has(id)) out.push([id]);
      else at.push([i, id]);
    }
    at.sort((a, b) => a[0] - b[0]);
    let run: string[] = [];
    let prev = -1;
    for (const [i, id] of at) {
      if (run.length > 0 && !this.#onlyRefusedBetween(prev, i)) {
        out.push(run);
        run = [];
      }
      run.push(id);
      prev = i;
    }
    if (run.length > 0) out.push(run);
    return out;
  }

  #onlyRefusedBetween(from: number, to: number): boolean {
    for (let i = from + 1; i < to; i++) {
      if (!this.#refused.has(this.#order[i - this.#dropped])) return false;
    }
    return true;
  }
}
