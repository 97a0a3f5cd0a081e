/**
 * Working on a store no gateway is running on (e.g. `main.ts account … --kv PATH`): the store is
 * checked, taken with the same fenced lease a gateway takes (a running gateway holds it, so this
 * refuses), used, and given back.
 */
import { StoreLease } from "./lease.ts";
import { inspectStore, migrate } from "./schema.ts";
import { Store } from "./store.ts";

/**
 * Runs `fn` on `kv` while holding its lease; throws LeaseError ("another smppgw process is using
 * this KV store") while a gateway runs on it, StoreError when it is not an smppgw store.
 *
 * @example
 * ```ts
 * import { withOfflineStore } from "./offline.ts";
 * const kv = await Deno.openKv(":memory:");
 * const n = await withOfflineStore(kv, async (store) => (await store.accounts()).length);
 * console.log(n); // 0
 * kv.close();
 * ```
 */
export async function withOfflineStore<T>(
  kv: Deno.Kv,
  fn: (store: Store) => Promise<T>,
): Promise<T> {
  await inspectStore(kv);
  const store = new Store(kv);
  const lease = await StoreLease.acquire(kv, {});
  try {
    store.fence = lease.fence;
    await migrate(store, await inspectStore(kv));
    return await fn(store);
  } finally {
    store.fence = undefined;
    await lease.release();
  }
}
