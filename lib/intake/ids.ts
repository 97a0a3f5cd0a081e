/**
 * Message ids: decimal strings `unixMs(13) + node(2) + counter(4)`, 19 digits, sortable by time,
 * unique per node without coordination and across restarts (the clock floor is persisted).
 */

/** Generates message ids for one gateway node. */
export class IdGenerator {
  #ms = 0;
  #counter = 0;
  readonly #node: string;
  readonly #now: () => number;

  /**
   * `floorMs` is the persisted high-water mark: ids start strictly after it, so a restart with a
   * clock that moved backwards never repeats an id. `node` is 0..99.
   */
  constructor(node = 0, floorMs = 0, now: () => number = Date.now) {
    if (!Number.isInteger(node) || node < 0 || node > 99) {
      throw new RangeError(`node id must be 0..99, got ${node}`);
    }
    this.#node = String(node).padStart(2, "0");
    this.#now = now;
    this.#ms = floorMs;
    this.#counter = 9999; // forces the first id past the floor
  }

  /** The millisecond part of the newest id handed out; persist it with the ids it covers. */
  get highWater(): number {
    return this.#ms;
  }

  /** The next id. */
  next(): string {
    const now = this.#now();
    if (now > this.#ms) {
      this.#ms = now;
      this.#counter = 0;
    } else if (++this.#counter > 9999) {
      // More than 10 000 ids in one millisecond (or the clock went back): borrow the next one.
      this.#ms++;
      this.#counter = 0;
    }
    return `${this.#ms}${this.#node}${String(this.#counter).padStart(4, "0")}`;
  }
}
