/** Rate and resource limits: token buckets, bind-failure lockout, connection caps, IP allow-lists. */
import type { Summary } from "./log_summary.ts";

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

/** Why a connection was refused. */
export type Refusal = "perIp" | "unboundPerIp" | "total" | "unbound";

/**
 * Connection caps. Connections that have not bound yet have their own, lower caps, so idle
 * unauthenticated sockets cannot take the places bound clients (and new binds) need.
 */
export interface ConnectionCaps {
  /** Open connections in total and per remote address. */
  maxTotal: number;
  maxPerIp: number;
  /** Connections not bound yet, in total and per remote address. */
  maxUnbound: number;
  maxUnboundPerIp: number;
}

/** Default caps (the total one is lowered to fit the open-file limit, see {@link connectionCaps}). */
export const CONNECTION_DEFAULTS: Readonly<ConnectionCaps> = {
  maxTotal: 1000,
  maxPerIp: 100,
  maxUnbound: 200,
  maxUnboundPerIp: 20,
};

/** Open files kept back from client connections: KV files, listeners, stdio, the runtime's own. */
export const FD_RESERVE = 64;

/**
 * The caps to use: unset ones take {@link CONNECTION_DEFAULTS}, and the default total is kept
 * {@link FD_RESERVE} below the open-file limit `fdLimit` (null: unknown). `room` is how many
 * connections that limit allows (null: unknown), to warn about a configured total above it.
 */
export function connectionCaps(
  set: Partial<ConnectionCaps>,
  fdLimit: number | null,
): { caps: ConnectionCaps; room: number | null } {
  const room = fdLimit === null ? null : Math.max(1, fdLimit - FD_RESERVE);
  const defined = Object.fromEntries(Object.entries(set).filter(([, v]) => v !== undefined));
  const caps = { ...CONNECTION_DEFAULTS, ...defined };
  if (set.maxTotal === undefined && room !== null) {
    caps.maxTotal = Math.min(CONNECTION_DEFAULTS.maxTotal, room);
  }
  return { caps, room };
}

/** What {@link ConnectionLimiter.open} decided; `evicted` is a connection for the caller to close. */
export type SlotDecision<T> = { ok: true; evicted?: T } | { ok: false; reason: Refusal };

interface Slot {
  readonly ip: string;
  /** Bound: no longer counted against the unbound caps. */
  bound: boolean;
  /** A bind is being processed: not evicted. */
  binding: boolean;
}

/**
 * Caps connections in total and per remote address, and connections that have not bound yet in
 * total and per address. When the total or the unbound cap is full, the oldest unbound connection
 * that is not in the middle of a bind is evicted to make room, so a new client always gets its
 * chance to bind; over a per-address cap a connection is refused.
 */
export class ConnectionLimiter<T extends object> {
  readonly #slots = new Map<T, Slot>();
  /** Unbound connections, oldest first. */
  readonly #unbound = new Set<T>();
  readonly #perIp = new Map<string, number>();
  readonly #unboundPerIp = new Map<string, number>();
  readonly #caps: ConnectionCaps;

  constructor(caps: Readonly<ConnectionCaps>) {
    this.#caps = { ...caps };
  }

  /** The caps in force. */
  get caps(): Readonly<ConnectionCaps> {
    return this.#caps;
  }

  /** Open connections. */
  get size(): number {
    return this.#slots.size;
  }

  /** Open connections not bound yet. */
  get unboundSize(): number {
    return this.#unbound.size;
  }

  /** Counts a new unbound connection `item` from `ip`, evicting an idle unbound one if need be. */
  open(ip: string, item: T): SlotDecision<T> {
    const c = this.#caps;
    if ((this.#perIp.get(ip) ?? 0) >= c.maxPerIp) return { ok: false, reason: "perIp" };
    if ((this.#unboundPerIp.get(ip) ?? 0) >= c.maxUnboundPerIp) {
      return { ok: false, reason: "unboundPerIp" };
    }
    const full: Refusal | null = this.#slots.size >= c.maxTotal
      ? "total"
      : this.#unbound.size >= c.maxUnbound
      ? "unbound"
      : null;
    let evicted: T | undefined;
    if (full) {
      evicted = this.#oldestIdle();
      if (evicted === undefined) return { ok: false, reason: full };
      this.close(evicted);
    }
    this.#slots.set(item, { ip, bound: false, binding: false });
    this.#unbound.add(item);
    add(this.#perIp, ip, 1);
    add(this.#unboundPerIp, ip, 1);
    return evicted === undefined ? { ok: true } : { ok: true, evicted };
  }

  /**
   * Lowers the total cap to `maxTotal` (it is never raised) and returns the idle unbound
   * connections evicted to get under it, oldest first, for the caller to close.
   */
  lower(maxTotal: number): T[] {
    this.#caps.maxTotal = Math.min(this.#caps.maxTotal, maxTotal);
    const evicted: T[] = [];
    while (this.#slots.size > this.#caps.maxTotal) {
      const item = this.#oldestIdle();
      if (item === undefined) break;
      this.close(item);
      evicted.push(item);
    }
    return evicted;
  }

  /** Marks a connection as binding: it is not evicted while its bind is processed. */
  binding(item: T) {
    const slot = this.#slots.get(item);
    if (slot) slot.binding = true;
  }

  /** Moves a connection from unbound to bound (its bind succeeded). */
  bound(item: T) {
    const slot = this.#slots.get(item);
    if (!slot || slot.bound) return;
    slot.bound = true;
    this.#unbound.delete(item);
    add(this.#unboundPerIp, slot.ip, -1);
  }

  /** Releases a connection counted by `open` (again: no effect). */
  close(item: T) {
    const slot = this.#slots.get(item);
    if (!slot) return;
    this.#slots.delete(item);
    add(this.#perIp, slot.ip, -1);
    if (!slot.bound) {
      this.#unbound.delete(item);
      add(this.#unboundPerIp, slot.ip, -1);
    }
  }

  /** The oldest unbound connection not in the middle of a bind. */
  #oldestIdle(): T | undefined {
    for (const item of this.#unbound) if (!this.#slots.get(item)!.binding) return item;
    return undefined;
  }
}

function add(counts: Map<string, number>, key: string, d: number) {
  const n = (counts.get(key) ?? 0) + d;
  if (n <= 0) counts.delete(key);
  else counts.set(key, n);
}

/** Log text for each refusal reason, given the caps. */
export function refusalText(reason: Refusal, c: Readonly<ConnectionCaps>): string {
  switch (reason) {
    case "perIp":
      return `over the per-IP cap (${c.maxPerIp})`;
    case "unboundPerIp":
      return `over the per-IP cap on unbound connections (${c.maxUnboundPerIp})`;
    case "total":
      return `over the total cap (${c.maxTotal}), none idle to evict`;
    case "unbound":
      return `over the cap on unbound connections (${c.maxUnbound}), all of them binding`;
  }
}

/** What can happen to a connection at the caps: refused for a reason, or evicted to make room. */
export type SlotEvent = Refusal | "evicted";

/** The log line for a {@link Summary} of slot events (`everyMs`: how often summaries come). */
export function slotEventText(
  s: Summary<SlotEvent>,
  c: Readonly<ConnectionCaps>,
  everyMs: number,
): string {
  const every = `${Math.round(everyMs / 1000)} s`;
  if (s.first) {
    const [kind] = s.counts.keys();
    const from = s.top[0]?.[0] ?? "an unknown address";
    const what = kind === "evicted"
      ? `idle unbound connection from ${from} closed to make room`
      : `connection from ${from} refused: ${refusalText(kind, c)}`;
    return `${what}; more are summarized every ${every}`;
  }
  const refusals = [...s.counts].filter(([k]) => k !== "evicted") as [Refusal, number][];
  const refused = refusals.reduce((sum, [, n]) => sum + n, 0);
  const evicted = s.counts.get("evicted") ?? 0;
  const text = [
    refused > 0 &&
    `refused ${refused} connections in ${Math.round(s.ms / 1000)} s: ${
      refusals.map(([k, n]) => `${n} ${refusalText(k, c)}`).join(", ")
    }`,
    evicted > 0 && `closed ${evicted} idle unbound connections to make room`,
    s.top.length > 0 && `most from ${s.top.map(([k, n]) => `${k} (${n})`).join(", ")}`,
  ].filter(Boolean);
  return text.join("; ");
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
