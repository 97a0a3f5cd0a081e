/**
 * Taking a store: check its marker, take the fenced lease, migrate an older schema, and build the
 * group committer whose every atomic is fenced and carries the retention expiry.
 */
import { getLogger } from "@logtape/logtape";
import type { Counters } from "../core/counters.ts";
import { LEASE_MS, RETENTION_DAYS } from "../core/defaults.ts";
import { type CommitMeters, GroupCommitter, type KeyedMutation } from "./committer.ts";
import { StoreLease } from "./lease.ts";
import { inspectStore, migrate } from "./schema.ts";
import { RETAINED, Store } from "./store.ts";

const log = getLogger(["smppgw", "store"]);

/** How to take the store. */
export interface OwnOptions {
  node: number;
  leaseMs?: number;
  retentionDays?: number;
  counters: Counters;
  /** Histograms of each commit's size and time. */
  meters?: CommitMeters;
  /** Mutations every atomic carries (computed at commit time), e.g. the id floor. */
  extra: () => KeyedMutation[];
  /** Called with the `extra` mutations of each atomic that committed. */
  committed?: (extra: readonly KeyedMutation[]) => void;
  /** Most mutations `extra` returns. */
  extraCount?: number;
}

/** A store this process owns. */
export interface OwnedStore {
  lease: StoreLease;
  committer: GroupCommitter;
  /** The persisted id high-water mark of the node. */
  idFloor: number;
}

/** Takes `store` (writing nothing before owning it) and returns its lease and committer. */
export async function ownStore(store: Store, o: OwnOptions): Promise<OwnedStore> {
  // Checked before anything is written (a foreign store is refused untouched) and again once
  // owned, since a previous owner may have written meanwhile.
  await inspectStore(store.kv);
  const lease = await StoreLease.acquire(store.kv, { ttlMs: o.leaseMs ?? LEASE_MS, node: o.node });
  let idFloor: number;
  try {
    store.fence = lease.fence;
    await migrate(store, await inspectStore(store.kv));
    idFloor = await store.idFloor(o.node);
  } catch (e) {
    store.fence = undefined;
    await lease.release();
    throw e;
  }
  const retentionMs = (o.retentionDays ?? RETENTION_DAYS) * 86_400_000;
  const committer = new GroupCommitter(store.kv, {
    atomic: () => store.atomic(),
    counters: o.counters,
    meters: o.meters,
    onCheckFailed: () => void lease.verify().catch((e) => log.error("{e}", { e: String(e) })),
    expireIn: (key) => (RETAINED.has(key[0] as string) ? retentionMs : undefined),
    extra: o.extra,
    committed: o.committed,
    extraCount: o.extraCount,
  });
  return { lease, committer, idFloor };
}
