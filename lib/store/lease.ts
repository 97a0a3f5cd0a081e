/**
 * Store ownership: one gateway process owns a KV store at a time, fenced.
 *
 * Two entries: the owner entry (`["owner"]`) changes only when ownership changes, and its
 * versionstamp is the fencing token — every atomic write the gateway makes checks it, so a
 * process that lost the store (e.g. it was frozen past its lease and another took over) cannot
 * commit anything. The lease entry (`["lease"]`) is refreshed by the owner; a second process
 * finds it live and refuses to start, while a lease no longer refreshed (a crashed or frozen
 * owner) is taken over once it expires. The owner's node id is claimed beside it (`["node", n]`).
 */
import { getLogger } from "@logtape/logtape";
import { LEASE_MS } from "../core/defaults.ts";
import { noticing, STORE_LOCKED } from "./notice.ts";
import { type Fence, Keys } from "./store.ts";

const log = getLogger(["smppgw", "lease"]);

interface LeaseValue {
  owner: string;
  expiresAt: number;
}

/** Another live gateway process holds the store, or took it from this one. */
export class LeaseError extends Error {
  /** A lease error with the given message. */
  constructor(message: string) {
    super(message);
    this.name = "LeaseError";
  }
}

/** Lease settings. */
export interface LeaseOptions {
  /** Lease lifetime: a store whose owner stopped refreshing is taken over after this. */
  ttlMs?: number;
  /** Node id claimed with the store. */
  node?: number;
  /** How long a KV read may hang (another process holding SQLite's lock) before saying so. */
  noticeMs?: number;
}

/** A held lease; `release()` gives it up, `lost` resolves if another process takes over. */
export class StoreLease {
  readonly #kv: Deno.Kv;
  readonly #owner: string;
  readonly #ttl: number;
  readonly #lost = Promise.withResolvers<LeaseError>();
  #isLost = false;
  #timer: ReturnType<typeof setInterval> | undefined;
  /** The refresh in flight, awaited by release() so it cannot re-create a released lease. */
  #refreshing: Promise<void> | null = null;
  /** The fencing token: the owner entry as this process wrote it. */
  readonly fence: Fence;

  private constructor(kv: Deno.Kv, owner: string, ttl: number, versionstamp: string) {
    this.#kv = kv;
    this.#owner = owner;
    this.#ttl = ttl;
    this.fence = { key: Keys.owner(), versionstamp };
    this.#timer = setInterval(() => {
      this.#refreshing ??= this.#refresh().finally(() => this.#refreshing = null);
    }, Math.max(10, ttl / 3));
  }

  /**
   * Takes the store, waiting out a stale lease (at most about `ttlMs`). Throws LeaseError when
   * another process keeps refreshing it.
   */
  static async acquire(kv: Deno.Kv, opts: LeaseOptions = {}): Promise<StoreLease> {
    const ttlMs = opts.ttlMs ?? LEASE_MS;
    const owner = crypto.randomUUID();
    let seen: string | null = null;
    for (let attempt = 0; attempt < 5; attempt++) {
      const [lease, fence] = await noticing(
        kv.getMany<[LeaseValue, unknown]>([Keys.lease(), Keys.owner()]),
        opts.noticeMs ?? 3000,
        STORE_LOCKED,
      );
      const now = Date.now();
      if (lease.value && lease.value.expiresAt > now) {
        if (seen !== null && seen !== lease.versionstamp) {
          throw new LeaseError(
            "another smppgw process is using this KV store (its lease is being refreshed)",
          );
        }
        seen = lease.versionstamp;
        const wait = Math.min(lease.value.expiresAt - now + 5, ttlMs + 5);
        log.info("KV store lease held by another process; waiting {ms} ms to see if it is stale", {
          ms: wait,
        });
        await new Promise((r) => setTimeout(r, wait));
        continue;
      }
      const node = opts.node ?? 0;
      const res = await kv.atomic()
        .check(lease)
        .check(fence)
        .set(Keys.owner(), { owner, node, since: now })
        .set(Keys.lease(), { owner, expiresAt: now + ttlMs })
        .set(Keys.node(node), { owner, since: now })
        .commit();
      if (res.ok) return new StoreLease(kv, owner, ttlMs, res.versionstamp);
    }
    throw new LeaseError("could not take the KV store lease");
  }

  /** Resolves with the reason once this process has lost the store (never otherwise). */
  get lost(): Promise<LeaseError> {
    return this.#lost.promise;
  }

  /** True once the store was lost. */
  get isLost(): boolean {
    return this.#isLost;
  }

  /** Reads the owner entry; marks the lease lost when another process owns the store now. */
  async verify(): Promise<boolean> {
    if (this.#isLost) return false;
    const cur = await this.#kv.get(Keys.owner());
    if (cur.versionstamp !== this.fence.versionstamp) {
      this.#lose("another process took over the KV store");
      return false;
    }
    return true;
  }

  #lose(why: string) {
    if (this.#isLost) return;
    this.#isLost = true;
    clearInterval(this.#timer);
    this.#lost.resolve(new LeaseError(`${why}: this process no longer owns it and stops`));
  }

  async #refresh() {
    try {
      const res = await this.#kv.atomic()
        .check(this.fence)
        .set(Keys.lease(), { owner: this.#owner, expiresAt: Date.now() + this.#ttl })
        .commit();
      if (!res.ok) {
        this.#lose("another process took over the KV store (this one was stalled past its lease)");
      }
    } catch (e) {
      log.warn("refreshing the KV store lease failed: {error}", { error: String(e) });
    }
  }

  /** Stops refreshing and deletes the lease so the next process starts at once. */
  async release(): Promise<void> {
    clearInterval(this.#timer);
    await this.#refreshing;
    if (this.#isLost) return;
    try {
      await this.#kv.atomic().check(this.fence).delete(Keys.lease()).commit();
    } catch { /* KV already closed */ }
  }
}
