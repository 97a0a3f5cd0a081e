/** Account limits: token buckets, the bind-failure lockout, IP allow-lists. */

/** A token bucket: `rate` tokens per second, holding at most `burst`. */
export class TokenBucket {
  #tokens: number;
  #at: number;
  constructor(
    readonly rate: number,
    readonly burst: number,
    readonly now: () => number = Date.now,
  ) {
    this.#tokens = burst;
    this.#at = now();
  }

  /** Takes `n` tokens if available; returns false (taking none) when over the limit. */
  take(n = 1): boolean {
    const t = this.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((t - this.#at) / 1000) * this.rate);
    this.#at = t;
    if (this.#tokens < n) return false;
    this.#tokens -= n;
    return true;
  }
}

/** Bind-failure lockout settings. */
export interface LockoutOptions {
  /** Failures within `windowMs` that trigger a lockout. */
  maxFailures: number;
  /** The sliding window (ms) in which failures are counted. */
  windowMs: number;
  /** How long a locked key is refused. */
  lockoutMs: number;
}

/**
 * Counts bind attempts and failures per key (system_id or IP) and locks a key out after too many.
 * An attempt counts from the moment its password check starts ({@link begin}), not only once it
 * has failed: while attempts in flight plus recent failures reach `maxFailures`, the key is
 * {@link exhausted}, so concurrent attempts cannot all slip in before the first failure lands.
 */
export class FailureLockout {
  #failures = new Map<string, number[]>();
  #lockedUntil = new Map<string, number>();
  #inFlight = new Map<string, number>();
  constructor(readonly opts: LockoutOptions, readonly now: () => number = Date.now) {}

  /** True while the key is locked out. */
  locked(key: string): boolean {
    const until = this.#lockedUntil.get(key);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.#lockedUntil.delete(key);
    return false;
  }

  /** Failures of the key within the window. */
  recentFailures(key: string): number {
    const t = this.now();
    return (this.#failures.get(key) ?? []).filter((at) => t - at < this.opts.windowMs).length;
  }

  /** Attempts of the key whose check has begun and not finished. */
  inFlight(key: string): number {
    return this.#inFlight.get(key) ?? 0;
  }

  /**
   * True when no further attempt may start: the key is locked out, or its attempts in flight
   * plus recent failures already reach `maxFailures`.
   */
  exhausted(key: string): boolean {
    return this.locked(key) ||
      this.inFlight(key) + this.recentFailures(key) >= this.opts.maxFailures;
  }

  /** Counts an attempt as in flight (call before its password check). */
  begin(key: string) {
    this.#inFlight.set(key, this.inFlight(key) + 1);
  }

  /**
   * Ends an attempt counted by {@link begin}: "ok" forgets the key's failures, "failed" records
   * one (returns true when that starts a lockout), "void" (never checked) records nothing.
   */
  finish(key: string, outcome: "ok" | "failed" | "void"): boolean {
    const n = this.inFlight(key) - 1;
    if (n > 0) this.#inFlight.set(key, n);
    else this.#inFlight.delete(key);
    if (outcome === "ok") this.succeed(key);
    return outcome === "failed" ? this.fail(key) : false;
  }

  /** Records a failure; returns true when it starts a lockout. */
  fail(key: string): boolean {
    const t = this.now();
    const recent = (this.#failures.get(key) ?? []).filter((at) => t - at < this.opts.windowMs);
    recent.push(t);
    if (recent.length >= this.opts.maxFailures) {
      this.#failures.delete(key);
      this.#lockedUntil.set(key, t + this.opts.lockoutMs);
      // Keep memory bounded under a spray of distinct keys (the oldest lockout is forgotten).
      if (this.#lockedUntil.size > 100_000) {
        this.#lockedUntil.delete(this.#lockedUntil.keys().next().value!);
      }
      return true;
    }
    this.#failures.delete(key);
    this.#failures.set(key, recent);
    // Keep memory bounded under a spray of distinct keys.
    if (this.#failures.size > 100_000) this.#failures.delete(this.#failures.keys().next().value!);
    return false;
  }

  /** Forgets failures after a success. */
  succeed(key: string) {
    this.#failures.delete(key);
  }
}

function ipv4(s: string): number | null {
  const m = s.match(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

/** True when `ip` matches one entry: an exact address (v4 or v6) or an IPv4 CIDR like 10.0.0.0/8. */
export function ipAllowed(ip: string, allow: readonly string[]): boolean {
  const addr = ipv4(ip.startsWith("::ffff:") ? ip.slice(7) : ip);
  for (const entry of allow) {
    if (entry === ip) return true;
    const [net, bits] = entry.split("/");
    const base = ipv4(net);
    if (addr === null || base === null) continue;
    const n = bits === undefined ? 32 : Number(bits);
    const mask = n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0;
    if (((addr & mask) >>> 0) === ((base & mask) >>> 0)) return true;
  }
  return false;
}

/** True when `entry` is a valid allow-list entry. */
export function validIpEntry(entry: string): boolean {
  const [net, bits, extra] = entry.split("/");
  if (extra !== undefined) return false;
  if (bits !== undefined) return ipv4(net) !== null && /^\d{1,2}$/.test(bits) && Number(bits) <= 32;
  return ipv4(net) !== null || /^[0-9a-fA-F:]+$/.test(net);
}
