/** Rate and resource limits: token buckets, bind-failure lockout, connection caps, IP allow-lists. */

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
  windowMs: number;
  /** How long a locked key is refused. */
  lockoutMs: number;
}

/** Counts failures per key (system_id or IP) and locks a key out after too many. */
export class FailureLockout {
  #failures = new Map<string, number[]>();
  #lockedUntil = new Map<string, number>();
  constructor(readonly opts: LockoutOptions, readonly now: () => number = Date.now) {}

  /** True while the key is locked out. */
  locked(key: string): boolean {
    const until = this.#lockedUntil.get(key);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.#lockedUntil.delete(key);
    return false;
  }

  /** Records a failure; returns true when it starts a lockout. */
  fail(key: string): boolean {
    const t = this.now();
    const recent = (this.#failures.get(key) ?? []).filter((at) => t - at < this.opts.windowMs);
    recent.push(t);
    if (recent.length >= this.opts.maxFailures) {
      this.#failures.delete(key);
      this.#lockedUntil.set(key, t + this.opts.lockoutMs);
      return true;
    }
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

/** Caps connections in total and per remote address. */
export class ConnectionLimiter {
  #total = 0;
  #perIp = new Map<string, number>();
  constructor(readonly maxTotal: number, readonly maxPerIp: number) {}

  /** Counts a new connection; returns false (counting nothing) when a cap is reached. */
  open(ip: string): boolean {
    const n = this.#perIp.get(ip) ?? 0;
    if (this.#total >= this.maxTotal || n >= this.maxPerIp) return false;
    this.#total++;
    this.#perIp.set(ip, n + 1);
    return true;
  }

  /** Releases a connection counted by `open`. */
  close(ip: string) {
    this.#total--;
    const n = (this.#perIp.get(ip) ?? 1) - 1;
    if (n <= 0) this.#perIp.delete(ip);
    else this.#perIp.set(ip, n);
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
