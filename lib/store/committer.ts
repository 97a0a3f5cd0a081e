/**
 * Group commit: mutations from every session are gathered and written to Deno KV in shared
 * atomic operations. Each caller's promise resolves only after the atomic holding its mutations
 * has committed, so "acknowledged" always means "stored".
 */

import { type Counters, newCounters } from "../core/counters.ts";
import type { Meters } from "../core/meters.ts";
import type { KeyedMutation, Mutation } from "./mutation.ts";
import { encodeMessage } from "./layouts.ts";
import { compareIds, messageKey, messagePageOps } from "./pages.ts";
import type { MessageRecord } from "./records.ts";

export type { KeyedMutation, Mutation } from "./mutation.ts";

/** Tuning for {@link GroupCommitter}. */
export interface CommitterOptions {
  /** Mutations per atomic; Deno KV allows 1000. */
  maxMutations?: number;
  /** Approximate bytes per atomic; Deno KV allows 800 KiB. */
  maxBytes?: number;
  /**
   * Atomics in flight at once. A second one overlaps preparing a batch with writing the previous
   * one; its order against the first is not relied on (hence `max` for high-water marks).
   */
  maxInFlight?: number;
  /** Mutations added to every atomic (e.g. the id high-water mark), computed at commit time. */
  extra?: () => KeyedMutation[];
  /** Called with the `extra` mutations of each atomic that committed. */
  committed?: (extra: readonly KeyedMutation[]) => void;
  /** Most mutations `extra` returns (else counted from its first call). */
  extraCount?: number;
  /** Starts each atomic (e.g. with the store's ownership check); `kv.atomic()` by default. */
  atomic?: () => Deno.AtomicOperation;
  /** Called when an atomic failed its checks (the store's owner changed). */
  onCheckFailed?: () => void;
  /** The counters registry: `kvCommits` (a fresh one by default). */
  counters?: Counters;
  /** Histograms of mutations and seconds per commit (none when absent). */
  meters?: CommitMeters;
  /** The `expireIn` a `set` without one gets, by key (e.g. retention of finished history). */
  expireIn?: (key: Deno.KvKey) => number | undefined;
}

/** Where the committer observes each commit's size and time. */
export type CommitMeters = Pick<Meters, "commitMutations" | "commitSeconds">;

interface Group {
  mutations: Mutation[];
  bytes: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** A second atomic starts only once this many mutations wait; smaller ones wait to grow. */
const SECOND_BATCH_MIN = 50;

/** Bytes a mutation writes: its key parts and its value (byte values exactly, others roughly). */
export function mutationBytes(m: KeyedMutation): number {
  let n = 0;
  for (const part of m.key) n += valueBytes(part) + 1;
  return m.type === "delete" ? n : n + valueBytes(m.value);
}

function valueBytes(v: unknown): number {
  if (v instanceof Uint8Array) return v.byteLength;
  switch (typeof v) {
    case "string":
      return v.length;
    case "number":
    case "bigint":
      return 8;
    case "boolean":
      return 1;
    case "object":
      if (v === null) return 1;
      if (Array.isArray(v)) return v.reduce((n: number, x) => n + valueBytes(x) + 1, 2);
      return Object.entries(v).reduce((n, [k, x]) => n + k.length + valueBytes(x) + 2, 2);
    default:
      return 8;
  }
}

/** Batches mutations across callers into as few atomic commits as the KV limits allow. */
export class GroupCommitter {
  #pending: Group[] = [];
  #pendingMutations = 0;
  #inFlight = 0;
  #scheduled = false;
  #extraCount: number | undefined;
  /** The highest message id put in a page so far. */
  #lastPaged = "";
  #idle = Promise.withResolvers<void>();
  readonly #kv: Deno.Kv;
  readonly #maxMutations: number;
  readonly #maxBytes: number;
  readonly #maxInFlight: number;
  readonly #extra: () => KeyedMutation[];
  readonly #committed: (extra: readonly KeyedMutation[]) => void;
  readonly #atomic: () => Deno.AtomicOperation;
  readonly #onCheckFailed: () => void;
  readonly #expireIn: (key: Deno.KvKey) => number | undefined;
  readonly #c: Counters;
  readonly #meters: CommitMeters | undefined;

  /** Atomics committed so far (for benchmarks and metrics). */
  get commits(): number {
    return this.#c.kvCommits;
  }

  constructor(kv: Deno.Kv, opts: CommitterOptions = {}) {
    this.#kv = kv;
    this.#maxMutations = opts.maxMutations ?? 900;
    this.#maxBytes = opts.maxBytes ?? 600_000;
    this.#maxInFlight = opts.maxInFlight ?? 4;
    this.#extra = opts.extra ?? (() => []);
    this.#committed = opts.committed ?? (() => {});
    this.#extraCount = opts.extraCount;
    this.#atomic = opts.atomic ?? (() => kv.atomic());
    this.#onCheckFailed = opts.onCheckFailed ?? (() => {});
    this.#expireIn = opts.expireIn ?? (() => undefined);
    this.#c = opts.counters ?? newCounters();
    this.#meters = opts.meters;
    this.#idle.resolve();
  }

  /**
   * Queues `mutations` to be written together, atomically. `bytes` is a size estimate used to
   * stay under the KV transaction limit. Resolves once committed; rejects if the commit failed.
   */
  write(mutations: Mutation[], bytes = 256 * mutations.length): Promise<void> {
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    this.#pending.push({ mutations, bytes, resolve, reject });
    this.#pendingMutations += mutations.length;
    if (this.#inFlight === 0 && !this.#scheduled) {
      this.#idle = Promise.withResolvers<void>();
      this.#scheduled = true;
      // Let the current turn's callers join the first batch.
      queueMicrotask(() => {
        this.#scheduled = false;
        this.#pump();
      });
    } else this.#pump();
    return promise;
  }

  /** Resolves when everything queued so far has been written (or failed). */
  async flush(): Promise<void> {
    while (this.#pending.length > 0 || this.#inFlight > 0 || this.#scheduled) {
      await this.#idle.promise;
    }
  }

  #pump() {
    if (this.#scheduled) return;
    while (this.#pending.length > 0 && this.#inFlight < this.#maxInFlight) {
      if (this.#inFlight > 0 && this.#pendingMutations < SECOND_BATCH_MIN) break;
      const batch = this.#take();
      this.#inFlight++;
      this.#commit(batch).finally(() => {
        this.#inFlight--;
        this.#pump();
        if (this.#inFlight === 0 && this.#pending.length === 0) this.#idle.resolve();
      });
    }
  }

  #take(): Group[] {
    this.#extraCount ??= this.#extra().length;
    let count = this.#extraCount;
    let bytes = 0;
    let n = 0;
    for (const g of this.#pending) {
      if (
        n > 0 &&
        (count + g.mutations.length > this.#maxMutations || bytes + g.bytes > this.#maxBytes)
      ) break;
      count += g.mutations.length;
      bytes += g.bytes;
      n++;
    }
    const batch = this.#pending.splice(0, n);
    for (const g of batch) this.#pendingMutations -= g.mutations.length;
    return batch;
  }

  async #commit(batch: Group[]): Promise<void> {
    try {
      const op = this.#atomic();
      // Messages go into shared pages; they arrive in id order (ids are handed out as written).
      const messages: MessageRecord[] = [];
      let mutations = 0;
      let bytes = 0;
      const apply = (m: KeyedMutation) => {
        this.#apply(op, m);
        mutations++;
        bytes += mutationBytes(m);
      };
      for (const g of batch) {
        for (const m of g.mutations) m.type === "message" ? messages.push(m.message) : apply(m);
      }
      for (const m of this.#pageOps(messages)) apply(m);
      const extra = this.#extra();
      for (const m of extra) apply(m);
      const started = performance.now();
      const res = await op.commit();
      if (!res.ok) {
        this.#onCheckFailed();
        throw new Error("atomic commit failed its ownership check");
      }
      this.#c.kvCommits++;
      this.#committed(extra);
      this.#c.kvMutations += mutations;
      this.#c.kvBytes += bytes;
      if (this.#meters) {
        this.#meters.commitMutations.observe(mutations);
        this.#meters.commitSeconds.observe((performance.now() - started) / 1000);
      }
      for (const g of batch) g.resolve();
    } catch (e) {
      for (const g of batch) g.reject(e);
    }
  }

  /**
   * Pages for messages with ids above every id paged before (so pages never overlap); a message
   * at or below (ids went back: another node id, a clock stepped back) gets a key of its own.
   */
  #pageOps(messages: MessageRecord[]): KeyedMutation[] {
    const paged: MessageRecord[] = [];
    const own: KeyedMutation[] = [];
    for (const m of messages) {
      if (compareIds(m.id, this.#lastPaged) > 0) {
        paged.push(m);
        this.#lastPaged = m.id;
      } else own.push({ type: "set", key: messageKey(m.id), value: encodeMessage(m) });
    }
    return [...messagePageOps(paged), ...own];
  }

  #apply(op: Deno.AtomicOperation, m: KeyedMutation) {
    if (m.type === "set") {
      const expireIn = m.expireIn ?? this.#expireIn(m.key);
      op.set(m.key, m.value, expireIn ? { expireIn } : undefined);
    } else if (m.type === "max") op.max(m.key, m.value);
    else op.delete(m.key);
  }
}
