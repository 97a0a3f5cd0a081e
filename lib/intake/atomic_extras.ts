/**
 * What atomic writes carry besides their callers' mutations: the id floor, the routes'
 * checkpoints and the short-id floor. Each dirties a KV page, so each is written only as often as
 * it must be (fewer pages per commit space out SQLite's WAL checkpoints, which hold every commit):
 *
 * - The id floor is reserved {@link ID_RESERVE_MS} ahead of the newest id. Atomics carry it until
 *   one carrying it has committed and while the newest id is within half the reserve of it; so an
 *   id acknowledged is always at or below a floor already stored, and a restart (whose ids start
 *   past the floor) never hands it out again, whatever the clock does.
 * - A route's checkpoint (where the resume scan starts) is a lower bound of its unsettled ids: one
 *   written late only makes a restart read more. It goes at most every {@link CHECKPOINT_EVERY_MS}.
 * - The short-id floor, once a 3.3 bind got an 8-character id: in every atomic (rare).
 */
import type { KeyedMutation } from "../store/committer.ts";
import { Keys, Store } from "../store/store.ts";
import type { IdGenerator } from "./ids.ts";
import type { PendingIds } from "./pending.ts";
import type { ShortIds } from "./short_ids.ts";

/** How far ahead of the newest id the id floor is stored (ms). */
export const ID_RESERVE_MS = 2000;
/** Routes' checkpoints are written at most this often (ms). */
export const CHECKPOINT_EVERY_MS = 500;

/** Where the extras come from. */
export interface AtomicExtrasParts {
  node: number;
  ids: () => IdGenerator | undefined;
  pending: PendingIds;
  /** Names of the configured routes. */
  routes: () => readonly string[];
  shortIds: () => ShortIds | undefined;
  now?: () => number;
}

/** Builds each atomic's extra mutations; told which committed. */
export class AtomicExtras {
  readonly #p: AtomicExtrasParts;
  readonly #now: () => number;
  readonly #floorKey: Deno.KvKey;
  /** The id floor a committed atomic stored. */
  #stored = 0;
  /** The id floor atomics carry until one of them commits. */
  #reserved = 0;
  #checkpointAt = -Infinity;

  constructor(parts: AtomicExtrasParts) {
    this.#p = parts;
    this.#now = parts.now ?? Date.now;
    this.#floorKey = Keys.idFloor(parts.node);
  }

  /** Most extra mutations one atomic carries (for the committer's size limits). */
  get most(): number {
    return 2 + this.#p.routes().length;
  }

  /** The extra mutations of the atomic being built now. */
  mutations(): KeyedMutation[] {
    const out: KeyedMutation[] = [];
    const newest = this.#p.ids()?.highWater ?? 0;
    if (newest > this.#stored - ID_RESERVE_MS / 2) {
      // Ahead of the clock (ids borrowed past a floor after a restart), no further ahead.
      const now = this.#now();
      if (newest > this.#reserved - ID_RESERVE_MS / 2) {
        this.#reserved = Math.max(newest, now + ID_RESERVE_MS);
      }
      out.push({ type: "max", key: this.#floorKey, value: BigInt(this.#reserved) });
    }
    const now = this.#now();
    // A clock stepped back makes them due at once, not after the step.
    if (now - this.#checkpointAt >= CHECKPOINT_EVERY_MS || now < this.#checkpointAt) {
      this.#checkpointAt = now;
      const at = this.#p.pending.checkpoint();
      for (const name of this.#p.routes()) out.push(Store.checkpointOp(name, at));
    }
    const short = this.#p.shortIds();
    if (short?.issued) out.push(Store.shortIdFloorOp(short.highWater));
    return out;
  }

  /** The next atomic carries the routes' checkpoints whenever the last ones went (at close). */
  checkpointNext(): void {
    this.#checkpointAt = -Infinity;
  }

  /** An atomic carrying `extra` committed. */
  committed(extra: readonly KeyedMutation[]): void {
    for (const m of extra) {
      if (m.type === "max" && m.key === this.#floorKey) {
        this.#stored = Math.max(this.#stored, Number(m.value));
      }
    }
  }
}
