/**
 * The gateway core: accepts connections from listeners, runs a session on each, authenticates
 * binds, stores submissions (group commit) before answering, hands them to the route, and
 * queues and delivers receipts. Runtime-neutral: listeners and the KV handle are injected.
 */
import { getLogger } from "@logtape/logtape";
import { type AccountConfig, ConfigPasswords } from "./accounts/accounts.ts";
import { BindGuard } from "./accounts/bind_guard.ts";
import { Admission } from "./accounts/admission.ts";
import { GroupCommitter } from "./store/committer.ts";
import type { Conn, Listener } from "./transport/conn.ts";
import { type Counters, newCounters } from "./metrics/counters.ts";
import { ReceiptDispatcher } from "./delivery/dispatcher.ts";
import { SmppError } from "./smpp/errors.ts";
import { IdGenerator } from "./intake/ids.ts";
import { Joiner } from "./intake/joiner.ts";
import { type LeaseError, StoreLease } from "./store/lease.ts";
import { PendingIds } from "./delivery/pending.ts";
import type { LockoutOptions } from "./accounts/limits.ts";
import {
  connectionCaps,
  ConnectionLimiter,
  FD_RESERVE,
  type SlotEvent,
  slotEventText,
} from "./transport/connections.ts";
import { LogSummary } from "./transport/log_summary.ts";
import type { Pdu } from "./smpp/codec.ts";
import { Status } from "./smpp/status.ts";
import { queryReply } from "./intake/query.ts";
import { receiptPdu } from "./delivery/receipt.ts";
import type { AccountRecord, JobRecord, JoinedRecord, MessageRecord } from "./store/records.ts";
import { SessionRegistry } from "./session/registry.ts";
import type { Outcome, Route } from "./delivery/route.ts";
import { simulatorRoute } from "./delivery/simulator.ts";
import {
  type Reply,
  Session,
  type SessionHandler,
  type SessionOptions,
} from "./session/session.ts";
import { settlement } from "./delivery/settle.ts";
import type { SessionState } from "./smpp/states.ts";
import { Keys, RETAINED, Store } from "./store/store.ts";
import { inspectStore, migrate } from "./store/schema.ts";
import { buildMessage } from "./intake/submit.ts";
import { renderReceiptTextBytes } from "./text/mod.ts";

const log = getLogger(["smppgw", "gateway"]);

/** Gateway settings; everything but `kv` has a default. */
export interface GatewayOptions {
  kv: Deno.Kv;
  /** system_id presented in bind responses. */
  systemId?: string;
  /** Where messages go; the simulator by default. */
  route?: Route;
  /** Node id 0..99, part of every message id. */
  nodeId?: number;
  /** Session timers and windows (ms). */
  session?: Partial<Omit<SessionOptions, "systemId">>;
  /** Characters of message text in the receipt's `text:` field. */
  receiptTextLength?: number;
  /** Receipt retry backoff start and cap, and maximum age (ms). */
  receiptRetryMs?: number;
  receiptRetryMaxMs?: number;
  receiptMaxAgeMs?: number;
  /** Receipt failures in a row after which a receiver session is unbound (default 5, 0 = never). */
  maxReceiverFailures?: number;
  /** How long shutdown waits for each unbind_resp. */
  unbindWaitMs?: number;
  /** Store lease lifetime: a crashed owner's store is taken over after this long. */
  leaseMs?: number;
  /** Days finished messages, states and concatenation mappings are kept (default 7). */
  retentionDays?: number;
  /**
   * Open connections allowed in total (default 1000, kept below the open-file limit) and per
   * remote address (default 100).
   */
  maxConnections?: number;
  maxConnectionsPerIp?: number;
  /**
   * Connections not bound yet allowed in total (default 200; when full, the oldest idle one is
   * closed to make room) and per remote address (default 20; more are refused).
   */
  maxUnboundConnections?: number;
  maxUnboundConnectionsPerIp?: number;
  /** The process's soft open-file limit, when known: the default connection cap stays below it. */
  fdLimit?: number | null;
  /** Failed binds per system_id and per IP before a lockout. */
  bindLockout?: LockoutOptions;
  /**
   * The config accounts (as given to `syncAccounts`): binds as them are checked against these
   * passwords, held in memory only; their KV records carry no password.
   */
  accounts?: readonly AccountConfig[];
  /** How long the parts of a concatenated message may take to arrive. */
  concatTimeoutMs?: number;
}

/** Session defaults (ms). */
export const SESSION_DEFAULTS: Omit<SessionOptions, "systemId"> = {
  enquireLinkMs: 30_000,
  responseTimeoutMs: 30_000,
  bindTimeoutMs: 10_000,
  inactivityMs: 300_000,
  pduTimeoutMs: 30_000,
  /** 1 MiB of unsent output pauses reading; output stuck for 30 s closes the session. */
  maxOutputBytes: 1024 * 1024,
  drainTimeoutMs: 30_000,
  window: 100,
  deliverWindow: 10,
};

/** Bind lockout default: 5 failures within 60 s lock the system_id and the IP for 60 s. */
export const LOCKOUT_DEFAULTS: LockoutOptions = {
  maxFailures: 5,
  windowMs: 60_000,
  lockoutMs: 60_000,
};

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

/** A running gateway. */
export class Gateway implements SessionHandler {
  readonly store: Store;
  readonly counters: Counters = newCounters();
  readonly #opts: GatewayOptions;
  readonly #sessionOpts: SessionOptions;
  readonly #registry = new SessionRegistry<Session>();
  readonly #sessions = new Set<Session>();
  /** The account each bound session authenticated as (read once per bind, not per submit). */
  readonly #accountOf = new WeakMap<Session, AccountRecord>();
  readonly #listeners: Listener[] = [];
  readonly #loops: Promise<void>[] = [];
  readonly #route: Route;
  readonly #connections: ConnectionLimiter<Session>;
  /** What sessions call: the gateway, plus connection-slot bookkeeping around binds. */
  readonly #handler: SessionHandler;
  /** Refused and evicted connections, logged at a bounded rate. */
  readonly #slotLog: LogSummary<SlotEvent>;
  /** Failed accepts (e.g. EMFILE), logged at a bounded rate. */
  readonly #acceptLog: LogSummary<"failed">;
  readonly #binds: BindGuard;
  readonly #admission: Admission;
  #ids!: IdGenerator;
  #committer!: GroupCommitter;
  #dispatcher!: ReceiptDispatcher;
  #joiner!: Joiner;
  #lease: StoreLease | undefined;
  readonly #lost = Promise.withResolvers<LeaseError>();
  /** Messages handed to the route and not yet settled; gives the route checkpoint. */
  readonly #pending = new PendingIds();
  #closing = false;

  constructor(opts: GatewayOptions) {
    this.#opts = opts;
    this.store = new Store(opts.kv);
    this.#route = opts.route ?? simulatorRoute();
    this.#sessionOpts = {
      systemId: opts.systemId ?? "smppgw",
      ...SESSION_DEFAULTS,
      ...opts.session,
    };
    this.#connections = this.#connectionLimiter(opts);
    this.#handler = {
      bind: (s, pdu, state) => {
        this.#connections.binding(s);
        return this.bind(s, pdu, state);
      },
      bound: (s) => {
        this.#connections.bound(s);
        this.bound(s);
      },
      request: (s, pdu) => this.request(s, pdu),
      closed: (s) => this.closed(s),
    };
    this.#slotLog = new LogSummary(LIMIT_LOG_MS, (s) =>
      log.warn("{text}", {
        text: slotEventText(s, this.#connections.caps, LIMIT_LOG_MS),
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
    this.#binds = new BindGuard(this.store, {
      lockout: opts.bindLockout ?? LOCKOUT_DEFAULTS,
      config: new ConfigPasswords(opts.accounts),
      counters: this.counters,
    });
    this.#admission = new Admission(this.store);
  }

  /**
   * Checks the store marker, takes the store (fenced lease), migrates an older schema, loads the
   * id floor, resumes route jobs, joins and receipts. Writes nothing before owning the store.
   */
  async start(): Promise<void> {
    const schema = await inspectStore(this.#opts.kv);
    const node = this.#opts.nodeId ?? 0;
    this.#lease = await StoreLease.acquire(this.#opts.kv, { ttlMs: this.#opts.leaseMs, node });
    this.store.fence = this.#lease.fence;
    this.#lease.lost.then((e) => this.#onLost(e));
    await migrate(this.store, schema);
    const floor = await this.store.idFloor(node);
    this.#ids = new IdGenerator(node, floor);
    const route = this.#route.name;
    const retentionMs = (this.#opts.retentionDays ?? 7) * 86_400_000;
    this.#committer = new GroupCommitter(this.#opts.kv, {
      atomic: () => this.store.atomic(),
      onCheckFailed: () => void this.#lease?.verify().catch(() => {}),
      expireIn: (key) => (RETAINED.has(key[0] as string) ? retentionMs : undefined),
      // Every atomic moves the id floor and the route checkpoint along with what it commits.
      extra: () => [
        { type: "max", key: Keys.idFloor(node), value: BigInt(this.#ids.highWater) },
        Store.checkpointOp(route, this.#pending.checkpoint()),
      ],
    });
    this.#dispatcher = new ReceiptDispatcher(this.store, this.#committer, {
      receivers: (account) => this.#registry.receivers(account),
      build: (r, iv) =>
        receiptPdu(r, {
          textLength: this.#opts.receiptTextLength,
          tlvs: iv >= 0x34,
          encode: renderReceiptTextBytes,
        }),
      retryBaseMs: this.#opts.receiptRetryMs,
      retryMaxMs: this.#opts.receiptRetryMaxMs,
      maxAgeMs: this.#opts.receiptMaxAgeMs,
      maxReceiverFailures: this.#opts.maxReceiverFailures,
    });
    this.#joiner = new Joiner(this.store, this.#committer, {
      timeoutMs: this.#opts.concatTimeoutMs ?? 300_000,
      onJoined: (j) => this.#joined(j),
    });
    await this.#joiner.resume();
    await this.#route.start(
      { store: this.store, settle: (o) => this.#settle(o) },
      this.#resume(String(floor + 1)),
    );
  }

  /** Unfinished work of an earlier run: messages without a state (every id of it is below `before`). */
  async *#resume(before: string): AsyncGenerator<JobRecord> {
    const route = this.#route.name;
    let n = 0;
    for await (const job of this.store.pending(route, await this.store.checkpoint(route), before)) {
      this.#pending.add(job.id);
      n++;
      yield job;
    }
    for await (const job of this.store.jobs(route)) yield job;
    if (n > 0) log.info("resumed {n} unsettled messages for route {route}", { n, route });
  }

  /** Serves connections from a listener until the gateway closes. */
  listen(listener: Listener) {
    this.#listeners.push(listener);
    this.#loops.push(this.#acceptLoop(listener));
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
   * Runs a session on an already-connected transport. Over a cap it is refused (closed), or an
   * idle unbound connection is closed to make room for it; see {@link ConnectionLimiter}.
   */
  serve(conn: Conn): Session | null {
    const s = new Session(conn, this.#handler, this.#sessionOpts);
    const admitted = this.#connections.open(conn.remote, s);
    if (!admitted.ok) {
      this.#slotLog.add(admitted.reason, conn.remote);
      conn.close();
      return null;
    }
    if (admitted.evicted) {
      this.#slotLog.add("evicted", admitted.evicted.remote);
      void admitted.evicted.close();
    }
    this.counters.connections++;
    this.#sessions.add(s);
    s.run()
      .catch((e) => log.error("session {id} crashed: {error}", { id: s.id, error: String(e) }))
      .finally(() => this.#connections.close(s));
    return s;
  }

  /**
   * Out of file descriptors (the open-file limit was unknown or is shared): lowers the total cap
   * to a little below the connections open now and closes idle unbound ones above it, so there is
   * room again to accept, refuse and evict. With few connections open they are not the cause,
   * and the cap stays.
   */
  #outOfFiles() {
    const before = this.#connections.caps.maxTotal;
    const target = this.#connections.size - FD_HEADROOM;
    if (target < FD_HEADROOM) return;
    const evicted = this.#connections.lower(target);
    for (const s of evicted) {
      this.#slotLog.add("evicted", s.remote);
      void s.close();
    }
    const cap = this.#connections.caps.maxTotal;
    if (cap < before) {
      log.warn(
        "out of file descriptors with {open} connections open: connection cap lowered from " +
          "{before} to {cap}; raise the open-file limit (ulimit -n)",
        { open: this.#connections.size + evicted.length, before, cap },
      );
    }
  }

  /** The connection caps from the options, the default total kept below the open-file limit. */
  #connectionLimiter(o: GatewayOptions): ConnectionLimiter<Session> {
    const fd = o.fdLimit ?? null;
    const { caps, room } = connectionCaps({
      maxTotal: o.maxConnections,
      maxPerIp: o.maxConnectionsPerIp,
      maxUnbound: o.maxUnboundConnections,
      maxUnboundPerIp: o.maxUnboundConnectionsPerIp,
    }, fd);
    if (room !== null && caps.maxTotal > room) {
      log.warn(
        "maxConnections {max} is above what the open-file limit {fd} allows ({room}, keeping " +
          "{reserve} for the store and listeners): raise the limit (ulimit -n) or lower the cap",
        { max: caps.maxTotal, fd, room, reserve: FD_RESERVE },
      );
    } else if (o.maxConnections === undefined && room !== null && caps.maxTotal === room) {
      log.info("open-file limit {fd}: at most {max} connections", { fd, max: caps.maxTotal });
    }
    return new ConnectionLimiter(caps);
  }

  /** Number of open sessions. */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Receipt delivery counters. */
  get receiptCounters() {
    return this.#dispatcher.counters;
  }

  async bind(s: Session, pdu: Pdu, _state: SessionState): Promise<number> {
    const systemId = pdu.body.system_id as string;
    const refuse = (status: number, why: string) => {
      this.counters.bindFailures++;
      // Never log the password or the PDU body that carries it.
      log.info("bind {command} refused for {systemId} from {remote}: {why}", {
        command: pdu.command,
        systemId,
        remote: s.remote,
        why,
      });
      return status;
    };
    const check = await this.#binds.check(systemId, pdu.body.password as string, s.remote);
    if (!check.ok) {
      if (check.lockedOut) {
        log.warn("bind failures from {remote} for {systemId}: locked out", {
          remote: s.remote,
          systemId,
        });
      }
      return refuse(check.status, check.why);
    }
    const account = check.account;
    await this.#admission.prepare(account);
    if (this.#closing) return refuse(Status.ESME_RSYSERR, "shutting down");
    s.account = systemId;
    if (!this.#registry.tryAdd(systemId, s, account.maxSessions)) {
      s.account = "";
      return refuse(Status.ESME_RALYBND, `already ${account.maxSessions} sessions`);
    }
    this.#accountOf.set(s, account);
    if (account.window !== undefined) s.setWindow(account.window);
    this.counters.binds++;
    log.info("session {id} bound {command} as {systemId} from {remote}", {
      id: s.id,
      command: pdu.command,
      systemId,
      remote: s.remote,
    });
    return Status.ESME_ROK;
  }

  bound(s: Session) {
    this.#dispatcher.pump(s.account);
  }

  closed(s: Session) {
    this.#sessions.delete(s);
    if (s.account) this.#registry.remove(s.account, s);
  }

  request(s: Session, pdu: Pdu): Promise<Reply> {
    switch (pdu.command) {
      case "submit_sm":
      case "data_sm":
        return this.#submit(s, pdu);
      case "query_sm":
        return queryReply(this.store, s.account, pdu);
      case "cancel_sm":
        return Promise.resolve({ status: Status.ESME_RCANCELFAIL });
      case "replace_sm":
        return Promise.resolve({ status: Status.ESME_RREPLACEFAIL });
      default:
        return Promise.resolve({ status: Status.ESME_RSUBMITFAIL });
    }
  }

  async #submit(s: Session, pdu: Pdu): Promise<Reply> {
    const account = this.#accountOf.get(s);
    if (!account) return { status: Status.ESME_RINVBNDSTS };
    if (this.#lease?.isLost) return { status: Status.ESME_RSYSERR };
    let msg: MessageRecord;
    let quotaOps;
    // Pending before any await, so pending ids stay in id order for the checkpoint.
    const id = this.#ids.next();
    this.#pending.add(id);
    try {
      msg = buildMessage(pdu, {
        account,
        id,
        route: this.#route.name,
        now: Date.now(),
        previewLength: this.#opts.receiptTextLength,
      });
      quotaOps = this.#admission.charge(account, msg.parts);
    } catch (e) {
      this.#pending.delete(id);
      this.counters.submitRejected++;
      if (e instanceof SmppError) return { status: e.status };
      throw e;
    }
    // A route that wants whole messages gets a job once all parts are joined.
    const direct = !msg.concat || this.#route.mode !== "whole";
    if (!direct) {
      msg.joinLater = true;
      this.#pending.delete(id);
    }
    try {
      const ops = Store.acceptOps(msg, { partTtlMs: 2 * (this.#opts.concatTimeoutMs ?? 300_000) });
      await this.#committer.write([...ops, ...quotaOps], 400 + msg.body.length * 2);
    } catch (e) {
      this.#pending.delete(id);
      log.error("storing message {id} failed: {error}", { id: msg.id, error: String(e) });
      this.counters.submitRejected++;
      return { status: Status.ESME_RSYSERR };
    }
    this.counters.submitted++;
    this.counters.submittedParts += msg.parts;
    // The record itself serves as the job (no copy on the hot path; routes read only job fields).
    if (direct) this.#route.enqueue(msg);
    if (msg.concat) {
      this.#joiner.add(msg).catch((e) =>
        log.error("joining failed: {error}", { error: String(e) })
      );
    }
    return { status: Status.ESME_ROK, body: { message_id: msg.id } };
  }

  /** A joined message is stored; a "whole" route now gets one job for it. */
  async #joined(j: JoinedRecord) {
    if (this.#route.mode !== "whole") return;
    const parts = j.parts.filter((p) => p !== null);
    const first = await this.store.message(parts[0].id);
    if (!first) return;
    const job: JobRecord = { ...Store.jobOf(first), id: j.id, joinedParts: parts };
    await this.#committer.write([Store.jobOp(job)]);
    this.#route.enqueue(job);
  }

  async #settle(outcomes: Outcome[]): Promise<void> {
    const now = Date.now();
    const all = outcomes.map(({ job, stat, err }) => settlement(job, stat, err, now));
    await Promise.all(all.map(({ ops }) => this.#committer.write(ops)));
    for (const { job } of outcomes) if (!job.joinedParts) this.#pending.delete(job.id);
    this.counters.settled += outcomes.length;
    for (const { receipts } of all) {
      this.counters.receiptsQueued += receipts.length;
      for (const r of receipts) this.#dispatcher.added(r);
    }
  }

  /** Resolves once this process has lost the store to another (it then closes itself). */
  get lost(): Promise<LeaseError> {
    return this.#lost.promise;
  }

  /** The store was taken over: commit nothing more, unbind everyone, stop. */
  #onLost(e: LeaseError) {
    log.error("{error}", { error: e.message });
    this.close().catch((err) => log.error("closing failed: {error}", { error: String(err) }))
      .finally(() => this.#lost.resolve(e));
  }

  /**
   * Stops accepting, unbinds every session (waiting briefly for unbind_resp), stops the route
   * and receipt delivery, and waits for pending KV writes. Does not close the KV handle.
   */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    for (const l of this.#listeners) {
      try {
        l.close();
      } catch { /* already closed */ }
    }
    await Promise.all(this.#loops);
    this.#slotLog.close();
    this.#acceptLog.close();
    const wait = this.#opts.unbindWaitMs ?? 2000;
    await Promise.all([...this.#sessions].map((s) => s.unbind(wait)));
    await this.#route.stop();
    this.#dispatcher?.stop();
    this.#joiner?.stop();
    // One last atomic of just the id floor and the checkpoint, so the next start scans least.
    if (this.#committer && !this.#lease?.isLost) await this.#committer.write([]).catch(() => {});
    await this.#committer?.flush();
    await this.#lease?.release();
  }
}
