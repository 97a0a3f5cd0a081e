/**
 * The store lease: one gateway process owns a KV store at a time. The owner refreshes the lease;
 * a second process finds it live and refuses to start, while a lease left by a crashed process
 * (no longer refreshed) is taken over once it expires.
 */
import { getLogger } from "@logtape/logtape";
import { Keys } from "./store.ts";

const log = getLogger(["smppgw", "lease"]);

interface LeaseValue {
  owner: string;
  expiresAt: number;
}

/** Another live gateway process holds the store. */
export class LeaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LeaseError";
  }
}

/** A held lease; `release()` gives it up. */
export class StoreLease {
  readonly #kv: Deno.Kv;
  readonly #owner: string;
  readonly #ttl: number;
  #timer: ReturnType<typeof setInterval> | undefined;

  private constructor(kv: Deno.Kv, owner: string, ttl: number) {
    this.#kv = kv;
    this.#owner = owner;
    this.#ttl = ttl;
    this.#timer = setInterval(() => this.#refresh(), Math.max(10, ttl / 3));
  }

  /**
   * Takes the lease, waiting out a stale one (at most about `ttlMs`). Throws LeaseError when
   * another process keeps refreshing it.
   */
  static async acquire(kv: Deno.Kv, ttlMs = 10_000): Promise<StoreLease> {
    const owner = crypto.randomUUID();
    let seen: string | null = null;
    for (let attempt = 0; attempt < 5; attempt++) {
      const cur = await kv.get<LeaseValue>(Keys.lease());
      const now = Date.now();
      if (cur.value && cur.value.expiresAt > now) {
        if (seen !== null && seen !== cur.versionstamp) {
          throw new LeaseError(
            "another smppgw process is using this KV store (its lease is being refreshed)",
          );
        }
        seen = cur.versionstamp;
        const wait = Math.min(cur.value.expiresAt - now + 5, ttlMs + 5);
        log.info("KV store lease held by another process; waiting {ms} ms to see if it is stale", {
          ms: wait,
        });
        await new Promise((r) => setTimeout(r, wait));
        continue;
      }
      const res = await kv.atomic().check(cur).set(Keys.lease(), { owner, expiresAt: now + ttlMs })
        .commit();
      if (res.ok) return new StoreLease(kv, owner, ttlMs);
    }
    throw new LeaseError("could not take the KV store lease");
  }

  async #refresh() {
    try {
      const cur = await this.#kv.get<LeaseValue>(Keys.lease());
      if (cur.value?.owner !== this.#owner) {
        log.error("KV store lease lost to another process");
        return;
      }
      await this.#kv.atomic().check(cur).set(Keys.lease(), {
        owner: this.#owner,
        expiresAt: Date.now() + this.#ttl,
      })
        .commit();
    } catch (e) {
      log.warn("refreshing the KV store lease failed: {error}", { error: String(e) });
    }
  }

  /** Stops refreshing and deletes the lease so the next process starts at once. */
  async release(): Promise<void> {
    clearInterval(this.#timer);
    try {
      const cur = await this.#kv.get<LeaseValue>(Keys.lease());
      if (cur.value?.owner === this.#owner) {
        await this.#kv.atomic().check(cur).delete(Keys.lease()).commit();
      }
    } catch { /* KV already closed */ }
  }
}
