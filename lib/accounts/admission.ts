/**
 * Per-account throughput admission: a token bucket (`tps`, `burst`) and a daily quota, both
 * counted in SMS parts. Over either limit → ESME_RTHROTTLED (0x58), which clients retry later.
 */
import type { ThrottleReason } from "../core/metrics.ts";
import type { Mutation } from "../store/committer.ts";
import { SmppError } from "../smpp/errors.ts";
import { TokenBucket } from "./limits.ts";
import { Status } from "../smpp/status.ts";
import type { AccountRecord } from "../store/records.ts";
import { Store } from "../store/store.ts";

/** What a charge writes without a daily quota (one array for all: callers only read it). */
const NO_MUTATIONS: readonly Mutation[] = Object.freeze([]);
/** The UTC day of a timestamp, e.g. "2026-11-25". */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Tracks every account's bucket and daily use. */
export class Admission {
  readonly #store: Store;
  readonly #buckets = new Map<string, { tps: number; burst: number; bucket: TokenBucket }>();
  readonly #quota = new Map<string, { day: string; used: number }>();
  readonly #throttled: Record<ThrottleReason, number>;

  /** Admission over `store`; refusals are counted in `throttled` by reason. */
  constructor(store: Store, throttled?: Record<ThrottleReason, number>) {
    this.#store = store;
    this.#throttled = throttled ?? { window: 0, tps: 0, quota: 0 };
  }

  /**
   * Loads today's quota use of an account from KV (at bind, so that submits never wait on it).
   * Keeps a count already in memory: this process is the only writer (store lease).
   */
  async prepare(a: AccountRecord, now = Date.now()): Promise<void> {
    if (a.dailyQuota === undefined) return;
    const day = utcDay(now);
    const used = await this.#store.quotaUsed(a.systemId, day);
    const q = this.#quota.get(a.systemId);
    if (!q || q.day !== day) this.#quota.set(a.systemId, { day, used });
  }

  /**
   * Charges `parts` to the account. Returns the mutations that persist the quota count (to be
   * committed with the message), or throws SmppError ESME_RTHROTTLED.
   */
  charge(a: AccountRecord, parts: number, now = Date.now()): readonly Mutation[] {
    if (a.tps !== undefined && !this.#bucket(a).take(parts)) {
      this.#throttled.tps++;
      throw new SmppError(Status.ESME_RTHROTTLED, `over ${a.tps} parts/s`);
    }
    if (a.dailyQuota === undefined) return NO_MUTATIONS;
    const day = utcDay(now);
    let q = this.#quota.get(a.systemId);
    // A new UTC day in a running process starts from zero: nobody else writes its count.
    if (!q || q.day !== day) this.#quota.set(a.systemId, q = { day, used: 0 });
    if (q.used + parts > a.dailyQuota) {
      this.#throttled.quota++;
      throw new SmppError(Status.ESME_RTHROTTLED, `daily quota of ${a.dailyQuota} parts used up`);
    }
    q.used += parts;
    return [Store.quotaOp(a.systemId, day, q.used)];
  }

  #bucket(a: AccountRecord): TokenBucket {
    const tps = a.tps!;
    const burst = a.burst ?? Math.max(1, tps);
    let b = this.#buckets.get(a.systemId);
    if (!b || b.tps !== tps || b.burst !== burst) {
      b = { tps, burst, bucket: new TokenBucket(tps, burst) };
      this.#buckets.set(a.systemId, b);
    }
    return b.bucket;
  }
}
