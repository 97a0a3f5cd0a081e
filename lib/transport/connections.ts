/** Connection caps: in total, per IP, and for connections not bound yet (with eviction). */
import { CONNECTION_DEFAULTS as DEFAULT_CAPS } from "../core/defaults.ts";
import type { Summary } from "./log_summary.ts";
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
export const CONNECTION_DEFAULTS: Readonly<ConnectionCaps> = DEFAULT_CAPS;

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
