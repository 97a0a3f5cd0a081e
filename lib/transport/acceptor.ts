/**
 * Accepting connections: one loop per listener that survives accept() errors (ENOTCONN from a
 * client that reset, EMFILE when out of descriptors) with a backoff, the connection caps (total,
 * per IP, unbound, with eviction of the oldest idle unbound connection), and refusals logged at a
 * bounded rate. What runs on a connection is the caller's: `open(conn)` makes it.
 */
import { getLogger } from "@logtape/logtape";
import type { Counters } from "../core/counters.ts";
import type { Conn, Listener } from "./conn.ts";
import {
  type ConnectionCaps,
  connectionCaps,
  ConnectionLimiter,
  FD_RESERVE,
  type SlotEvent,
  slotEventText,
} from "./connections.ts";
import { LogSummary } from "./log_summary.ts";

const log = getLogger(["smppgw", "gateway"]);

/** A refusal or failed accept is logged at once, later ones at most once per this interval. */
export const LIMIT_LOG_MS = 10_000;

/** After a failed accept, the loop waits this long, doubling per failure in a row up to the max. */
const ACCEPT_BACKOFF_MS = 5;
const ACCEPT_BACKOFF_MAX_MS = 250;

/** Descriptors kept free below the number of connections open when the process ran out of them. */
const FD_HEADROOM = 16;

/** True for an error saying the process (EMFILE) or the system (ENFILE) is out of descriptors. */
function outOfFiles(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === "EMFILE" || code === "ENFILE";
}

/** What runs on an accepted connection (a session). */
export interface Served {
  readonly remote: string;
  /** Serves until the connection ends. */
  run(): Promise<void>;
  /** Closes it (bounded in time). */
  close(): Promise<void>;
}

/** Acceptor settings: the caps as configured (undefined = default) and the open-file limit. */
export interface AcceptorOptions {
  caps: Partial<ConnectionCaps>;
  fdLimit?: number | null;
  /** The counters registry: `connections` counts accepted ones. */
  counters: Counters;
}

/** Runs accept loops and the connection caps. */
export class Acceptor<T extends Served> {
  readonly #limiter: ConnectionLimiter<T>;
  readonly #open: (conn: Conn) => T;
  readonly #listeners: Listener[] = [];
  readonly #loops: Promise<void>[] = [];
  /** Refused and evicted connections, logged at a bounded rate. */
  readonly #slotLog: LogSummary<SlotEvent>;
  /** Failed accepts (e.g. EMFILE), logged at a bounded rate. */
  readonly #acceptLog: LogSummary<"failed">;
  /** What runs on the admitted connections, until each ends. */
  readonly #served = new Set<T>();
  readonly #counters: Counters;
  #closing = false;
  /** Accept loops still running. */
  #accepting = 0;

  constructor(o: AcceptorOptions, open: (conn: Conn) => T) {
    this.#open = open;
    this.#counters = o.counters;
    this.#limiter = limiter(o);
    this.#slotLog = new LogSummary(LIMIT_LOG_MS, (s) =>
      log.warn("{text}", {
        text: slotEventText(s, this.#limiter.caps, LIMIT_LOG_MS),
        total: s.total,
        top: s.top,
      }));
    this.#acceptLog = new LogSummary(LIMIT_LOG_MS, (s) => {
      const error = s.top[0]?.[0];
      if (s.first) log.warn("accept failed: {error}; backing off", { error });
      else {
        log.warn("accept failed {n} times in {sec} s, mostly: {error}", {
          n: s.total,
          sec: Math.round(s.ms / 1000),
          error,
        });
      }
    });
  }

  /** Serves connections from a listener until close(). */
  listen(listener: Listener) {
    this.#listeners.push(listener);
    this.#accepting++;
    this.#loops.push(this.#acceptLoop(listener).finally(() => this.#accepting--));
  }

  /** True while every listener given is accepting (and there is at least one). */
  get listening(): boolean {
    return !this.#closing && this.#accepting > 0 && this.#accepting === this.#listeners.length;
  }

  /** A connection started its bind: it is not evicted meanwhile. */
  binding(t: T) {
    this.#limiter.binding(t);
  }

  /** A connection bound: it no longer counts against the unbound caps. */
  bound(t: T) {
    this.#limiter.bound(t);
  }

  async #acceptLoop(listener: Listener) {
    let backoff = ACCEPT_BACKOFF_MS;
    while (!this.#closing) {
      let conn: Conn | null;
      try {
        conn = await listener.accept();
        backoff = ACCEPT_BACKOFF_MS;
      } catch (e) {
        // A client that resets before accept() makes it throw (ENOTCONN); out of file descriptors
        // (EMFILE) it throws until one is freed. Keep accepting, backing off, logging rarely.
        if (this.#closing) break;
        this.#acceptLog.add("failed", String(e));
        if (outOfFiles(e)) this.#outOfFiles();
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, ACCEPT_BACKOFF_MAX_MS);
        continue;
      }
      if (conn === null) break;
      if (this.#closing) {
        conn.close();
        break;
      }
      this.serve(conn);
    }
  }

  /**
   * Runs what `open` makes on an already-connected transport. Over a cap it is refused (closed),
   * or an idle unbound connection is closed to make room for it; see {@link ConnectionLimiter}.
   */
  serve(conn: Conn): T | null {
    if (this.#closing) {
      conn.close();
      return null;
    }
    const t = this.#open(conn);
    const admitted = this.#limiter.open(conn.remote, t);
    if (!admitted.ok) {
      this.#slotLog.add(admitted.reason, conn.remote);
      conn.close();
      return null;
    }
    if (admitted.evicted) this.#evict(admitted.evicted);
    this.#counters.connections++;
    this.#served.add(t);
    t.run()
      .catch((e) =>
        log.error("connection from {remote} crashed: {error}", {
          remote: t.remote,
          error: String(e),
        })
      )
      .finally(() => {
        this.#served.delete(t);
        this.#limiter.close(t);
      });
    return t;
  }

  /** What runs on the connections open now. */
  get served(): ReadonlySet<T> {
    return this.#served;
  }

  #evict(t: T) {
    this.#slotLog.add("evicted", t.remote);
    t.close().catch((e) => log.error("closing failed: {error}", { error: String(e) }));
  }

  /**
   * Out of file descriptors (the open-file limit was unknown or is shared): lowers the total cap
   * to a little below the connections open now and closes idle unbound ones above it, so there is
   * room again to accept, refuse and evict. With few connections open they are not the cause,
   * and the cap stays.
   */
  #outOfFiles() {
    const before = this.#limiter.caps.maxTotal;
    const target = this.#limiter.size - FD_HEADROOM;
    if (target < FD_HEADROOM) return;
    const evicted = this.#limiter.lower(target);
    for (const t of evicted) this.#evict(t);
    const cap = this.#limiter.caps.maxTotal;
    if (cap < before) {
      log.warn(
        "out of file descriptors with {open} connections open: connection cap lowered from " +
          "{before} to {cap}; raise the open-file limit (ulimit -n)",
        { open: this.#limiter.size + evicted.length, before, cap },
      );
    }
  }

  /** Stops accepting (closing the listeners) and flushes the refusal summaries. */
  async close(): Promise<void> {
    this.#closing = true;
    for (const l of this.#listeners) {
      try {
        l.close();
      } catch { /* already closed */ }
    }
    await Promise.all(this.#loops);
    this.#slotLog.close();
    this.#acceptLog.close();
  }
}

/** The connection caps from the options, the default total kept below the open-file limit. */
function limiter<T extends object>(o: AcceptorOptions): ConnectionLimiter<T> {
  const fd = o.fdLimit ?? null;
  const { caps, room } = connectionCaps(o.caps, fd);
  if (room !== null && caps.maxTotal > room) {
    log.warn(
      "maxConnections {max} is above what the open-file limit {fd} allows ({room}, keeping " +
        "{reserve} for the store and listeners): raise the limit (ulimit -n) or lower the cap",
      { max: caps.maxTotal, fd, room, reserve: FD_RESERVE },
    );
  } else if (o.caps.maxTotal === undefined && room !== null && caps.maxTotal === room) {
    log.info("open-file limit {fd}: at most {max} connections", { fd, max: caps.maxTotal });
  }
  return new ConnectionLimiter(caps);
}
