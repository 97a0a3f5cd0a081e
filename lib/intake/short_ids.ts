/**
 * 8-character message ids for ESMEs bound with interface_version 3.3 (their message_id field
 * holds at most 9 octets with the NUL). They are a counter of their own, written as eight
 * hexadecimal digits (`0000002A`), mapped to the full id in KV with the submission, so query_sm,
 * cancel_sm and replace_sm find the message by either id and receipts carry the short one.
 *
 * ```ts
 * import { formatShortId, parseShortId, ShortIds } from "./short_ids.ts";
 * const ids = new ShortIds(41);
 * const n = ids.next(); // 42
 * console.log(formatShortId(n), parseShortId("0000002A")); // "0000002A" 42
 * ```
 */
import type { Store } from "../store/store.ts";

/** Short ids wrap after this many (8 hex digits); by then the oldest mappings have expired. */
const SPAN = 0xffff_ffff;

/**
 * Hands out short ids after the persisted floor. The counter itself never wraps (the floor keeps
 * growing, so a restart after a wrap does not hand out recent ids again); the id shown is the
 * counter folded into 1 … 0xFFFFFFFF.
 */
export class ShortIds {
  #last: number;
  readonly #floor: number;

  /** Counts on after `floor`, the highest counter value stored (see Store.shortIdFloor). */
  constructor(floor: number) {
    this.#last = this.#floor = floor;
  }

  /** The next short id's number (1 … 0xFFFFFFFF). */
  next(): number {
    this.#last++;
    return shortIdOf(this.#last);
  }

  /** The highest counter value handed out; persist it with the ids it covers. */
  get highWater(): number {
    return this.#last;
  }

  /** Whether any id was handed out since start (only then is the floor worth writing). */
  get issued(): boolean {
    return this.#last > this.#floor;
  }
}

/** The short id number of counter value `n` (1 … 0xFFFFFFFF, never 0). */
export function shortIdOf(n: number): number {
  return ((n - 1) % SPAN) + 1;
}

/** A short id as the ESME sees it: eight uppercase hexadecimal digits. */
export function formatShortId(n: number): string {
  return n.toString(16).toUpperCase().padStart(8, "0");
}

/** The number of a short id, or null when `id` is not one (full ids have 19 digits). */
export function parseShortId(id: string): number | null {
  return /^[0-9A-Fa-f]{1,8}$/.test(id) ? Number.parseInt(id, 16) : null;
}

/**
 * The full message id an ESME's `message_id` stands for: itself, or the message a short id maps
 * to (null when none does).
 */
export async function resolveId(store: Store, id: string): Promise<string | null> {
  const n = parseShortId(id);
  return n === null ? id : await store.byShortId(n);
}
