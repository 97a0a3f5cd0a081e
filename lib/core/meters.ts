/**
 * The labelled counts and histograms beside the plain counters (`counters.ts`): one object the gateway
 * makes and hands to the parts that count (session, binder, admission, intake, committer).
 * Every label set is fixed (a record per label value, an array per PDU command and status) or
 * resolved once per account, so counting is an addition on a field, never a string built.
 *
 * ```ts
 * import { Meters } from "./meters.ts";
 * const m = new Meters();
 * m.binds.transceiver++;
 * m.account("acme").submitted++;
 * m.commitSeconds.observe(0.002);
 * ```
 */
import { Histogram } from "./histogram.ts";
import {
  BIND_FAILURE_REASONS,
  BIND_TYPES,
  type BindFailureReason,
  type BindType,
  METRICS,
  THROTTLE_REASONS,
  type ThrottleReason,
} from "./metrics.ts";
import { PduCounts } from "./pdu_counts.ts";

/** What one account submitted since start. */
export interface AccountTally {
  /** Messages accepted and stored. */
  submitted: number;
  /** SMS parts of them. */
  parts: number;
}

function zeros<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

/** Labelled counts and histograms of one gateway. */
export class Meters {
  /** Successful binds by bind type. */
  readonly binds: Record<BindType, number> = zeros(BIND_TYPES);
  /** Refused binds by reason. */
  readonly bindFailures: Record<BindFailureReason, number> = zeros(BIND_FAILURE_REASONS);
  /** Requests answered ESME_RTHROTTLED by reason. */
  readonly throttled: Record<ThrottleReason, number> = zeros(THROTTLE_REASONS);
  /** PDUs in and out of ESME sessions. */
  readonly pdus: PduCounts = new PduCounts();
  /** Mutations per KV atomic commit. */
  readonly commitMutations: Histogram = new Histogram(METRICS.smppgw_kv_commit_mutations.buckets);
  /** Seconds per KV atomic commit. */
  readonly commitSeconds: Histogram = new Histogram(METRICS.smppgw_kv_commit_seconds.buckets);
  readonly #accounts = new Map<string, AccountTally>();

  /** The tally of an account (made on its first use). */
  account(systemId: string): AccountTally {
    let t = this.#accounts.get(systemId);
    if (!t) this.#accounts.set(systemId, t = { submitted: 0, parts: 0 });
    return t;
  }

  /** Every account's tally. */
  get accounts(): ReadonlyMap<string, AccountTally> {
    return this.#accounts;
  }
}
