/**
 * Group commit: mutations from every session are gathered and written to Deno KV in shared
 * atomic operations. Each caller's promise resolves only after the atomic holding its mutations
 * has committed, so "acknowledged" always means "stored".
 */

/** One KV write. */
export type Mutation =
  | { type: "set"; key: Deno.KvKey; value: unknown; expireIn?: number }
  | { type: "delete"; key: Deno.KvKey };

/** Tuning for {@link GroupCommitter}. */
export interface CommitterOptions {
  /** Mutations per atomic; Deno KV allows 1000. */
  maxMutations?: number;
  /** Approximate bytes per atomic; Deno KV allows 800 KiB. */
  maxBytes?: number;
  /** Mutations added to every atomic (e.g. the id high-water mark), computed at commit time. */
  extra?: () => Mutation[];
}

interface Group {
  mutations: Mutation[];
  bytes: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** Batches mutations across callers into as few atomic commits as the KV limits allow. */
export class GroupCommitter {
  #pending: Group[] = [];
  #running: Promise<void> | null = null;
  readonly #kv: Deno.Kv;
  readonly #maxMutations: number;
  readonly #maxBytes: number;
  readonly #extra: () => Mutation[];
  /** Atomics committed so far (for benchmarks and metrics). */
  commits = 0;

  constructor(kv: Deno.Kv, opts: CommitterOptions = {}) {
    this.#kv = kv;
    this.#maxMutations = opts.maxMutations ?? 900;
    this.#maxBytes = opts.maxBytes ?? 600_000;
    this.#extra = opts.extra ?? (() => []);
  }

  /**
   * Queues `mutations` to be written together, atomically. `bytes` is a size estimate used to
   * stay under the KV transaction limit. Resolves once committed; rejects if the commit failed.
   */
  write(mutations: Mutation[], bytes = 256 * mutations.length): Promise<void> {
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    this.#pending.push({ mutations, bytes, resolve, reject });
    this.#running ??= this.#drain();
    return promise;
  }

  /** Resolves when everything queued so far has been written (or failed). */
  async flush(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #drain(): Promise<void> {
    // Let the current macrotask's callers join the first batch.
    await Promise.resolve();
    try {
      while (this.#pending.length > 0) {
        const batch = this.#take();
        await this.#commit(batch);
      }
    } finally {
      this.#running = null;
    }
  }

  #take(): Group[] {
    const extraCount = this.#extra().length;
    let count = extraCount;
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
    return this.#pending.splice(0, n);
  }

  async #commit(batch: Group[]): Promise<void> {
    try {
      const op = this.#kv.atomic();
      for (const g of batch) for (const m of g.mutations) apply(op, m);
      for (const m of this.#extra()) apply(op, m);
      const res = await op.commit();
      if (!res.ok) throw new Error("atomic commit failed its checks");
      this.commits++;
      for (const g of batch) g.resolve();
    } catch (e) {
      for (const g of batch) g.reject(e);
    }
  }
}

function apply(op: Deno.AtomicOperation, m: Mutation) {
  if (m.type === "set") op.set(m.key, m.value, m.expireIn ? { expireIn: m.expireIn } : undefined);
  else op.delete(m.key);
}
