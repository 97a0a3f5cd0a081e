/**
 * Unsettled message ids in id order, to know the route checkpoint: the lowest id that may still
 * lack a final state. Ids are added in increasing order (resumed ones first, then new ones).
 */
export class PendingIds {
  readonly #set = new Set<string>();
  #order: string[] = [];
  #head = 0;
  #last = "";

  /** Adds an id greater than every id added before. */
  add(id: string) {
    this.#set.add(id);
    this.#order.push(id);
    this.#last = id;
  }

  /** Removes an id (settled, or never stored). */
  delete(id: string) {
    this.#set.delete(id);
  }

  /** Unsettled ids. */
  get size(): number {
    return this.#set.size;
  }

  /** The lowest unsettled id; with none, the last id added (it and all below are settled). */
  checkpoint(): string {
    while (this.#head < this.#order.length && !this.#set.has(this.#order[this.#head])) this.#head++;
    if (this.#head > 4096 && this.#head * 2 > this.#order.length) {
      this.#order = this.#order.slice(this.#head);
      this.#head = 0;
    }
    return this.#order[this.#head] ?? this.#last;
  }
}
