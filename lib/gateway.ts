/**
 * The composition root: builds the parts and connects them. A connection is accepted
 * (transport/acceptor), runs a session (session/), binds through the bind policy
 * (accounts/binder), submits through intake (intake/), reaches the route and comes back as
 * receipts (delivery/). Runtime-neutral: listeners and the KV handle are injected.
 */
import { getLogger } from "@logtape/logtape";
import type { AccountConfig } from "./accounts/accounts.ts";
import { Binder } from "./accounts/binder.ts";
import type { LockoutOptions } from "./accounts/limits.ts";
import { Delivery } from "./delivery/delivery.ts";
import type { ReceiptCounters } from "./delivery/dispatcher.ts";
import type { Route } from "./delivery/route.ts";
import { simulatorRoute } from "./delivery/simulator.ts";
import { IdGenerator } from "./intake/ids.ts";
import { Intake } from "./intake/intake.ts";
import { Joiner } from "./intake/joiner.ts";
import { PendingIds } from "./intake/pending.ts";
import { type Counters, newCounters } from "./metrics/counters.ts";
import { Session, type SessionHandler, type SessionOptions } from "./session/session.ts";
import { Status } from "./smpp/status.ts";
import { GroupCommitter } from "./store/committer.ts";
import { type LeaseError, StoreLease } from "./store/lease.ts";
import { inspectStore, migrate } from "./store/schema.ts";
import { Keys, RETAINED, Store } from "./store/store.ts";
import { Acceptor } from "./transport/acceptor.ts";
import type { Conn, Listener } from "./transport/conn.ts";

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

/** A running gateway. */
export class Gateway {
  readonly store: Store;
  readonly counters: Counters = newCounters();
  readonly #opts: GatewayOptions;
  readonly #route: Route;
  readonly #acceptor: Acceptor<Session>;
  readonly #binder: Binder<Session>;
  /** Accepted, unsettled message ids: the route checkpoint. */
  readonly #pending = new PendingIds();
  readonly #lost = Promise.withResolvers<LeaseError>();
  #lease: StoreLease | undefined;
  #committer: GroupCommitter | undefined;
  #intake: Intake | undefined;
  #delivery: Delivery | undefined;
  #joiner: Joiner | undefined;
  #closing = false;

  constructor(opts: GatewayOptions) {
    this.#opts = opts;
    this.store = new Store(opts.kv);
    this.#route = opts.route ?? simulatorRoute();
    const sessionOpts: SessionOptions = {
      systemId: opts.systemId ?? "smppgw",
      ...SESSION_DEFAULTS,
      ...opts.session,
    };
    this.#binder = new Binder(this.store, {
      lockout: opts.bindLockout ?? LOCKOUT_DEFAULTS,
      accounts: opts.accounts,
      counters: this.counters,
      closing: () => this.#closing,
    });
    const handler: SessionHandler = {
      bind: (s, pdu) => {
        this.#acceptor.binding(s);
        return this.#binder.bind(s, pdu.command, pdu.body.system_id, pdu.body.password);
      },
      bound: (s) => {
        this.#acceptor.bound(s);
        this.#delivery?.bound(s.account);
      },
      request: (s, pdu) => {
        const account = this.#binder.accountOf(s);
        if (!account || !this.#intake) return Promise.resolve({ status: Status.ESME_RINVBNDSTS });
        return this.#intake.request(account, pdu);
      },
      closed: (s) => this.#binder.release(s),
    };
    this.#acceptor = new Acceptor({
      caps: {
        maxTotal: opts.maxConnections,
        maxPerIp: opts.maxConnectionsPerIp,
        maxUnbound: opts.maxUnboundConnections,
        maxUnboundPerIp: opts.maxUnboundConnectionsPerIp,
      },
      fdLimit: opts.fdLimit,
    }, (conn) => new Session(conn, handler, sessionOpts));
  }

  /**
   * Checks the store marker, takes the store (fenced lease), migrates an older schema, loads the
   * id floor, resumes route jobs, joins and receipts. Writes nothing before owning the store.
   */
  async start(): Promise<void> {
    const o = this.#opts;
    const schema = await inspectStore(o.kv);
    const node = o.nodeId ?? 0;
    const lease = this.#lease = await StoreLease.acquire(o.kv, { ttlMs: o.leaseMs, node });
    this.store.fence = lease.fence;
    lease.lost.then((e) => this.#onLost(e));
    await migrate(this.store, schema);
    const floor = await this.store.idFloor(node);
    const ids = new IdGenerator(node, floor);
    const retentionMs = (o.retentionDays ?? 7) * 86_400_000;
    const committer = this.#committer = new GroupCommitter(o.kv, {
      atomic: () => this.store.atomic(),
      onCheckFailed: () => void lease.verify().catch((e) => log.error("{e}", { e: String(e) })),
      expireIn: (key) => (RETAINED.has(key[0] as string) ? retentionMs : undefined),
      // Every atomic moves the id floor and the route checkpoint along with what it commits.
      extra: () => [
        { type: "max", key: Keys.idFloor(node), value: BigInt(ids.highWater) },
        Store.checkpointOp(this.#route.name, this.#pending.checkpoint()),
      ],
    });
    const parts = {
      store: this.store,
      committer,
      pending: this.#pending,
      counters: this.counters,
      route: this.#route,
    };
    const delivery = this.#delivery = new Delivery({
      ...parts,
      receivers: (account) => this.#binder.registry.receivers(account),
    }, o);
    const concatTimeoutMs = o.concatTimeoutMs ?? 300_000;
    this.#joiner = new Joiner(this.store, committer, {
      timeoutMs: concatTimeoutMs,
      onJoined: (j) => delivery.joined(j),
    });
    this.#intake = new Intake({
      ...parts,
      ids,
      admission: this.#binder.admission,
      joiner: this.#joiner,
      previewLength: o.receiptTextLength,
      concatTimeoutMs,
      lost: () => lease.isLost,
    });
    await this.#joiner.resume();
    await delivery.start(String(floor + 1));
  }

  /** Serves connections from a listener until the gateway closes. */
  listen(listener: Listener) {
    this.#acceptor.listen(listener);
  }

  /** Runs a session on an already-connected transport (null when a connection cap refused it). */
  serve(conn: Conn): Session | null {
    return this.#acceptor.serve(conn);
  }

  /** Number of open sessions. */
  get sessionCount(): number {
    return this.#acceptor.served.size;
  }

  /** Receipt delivery counters. */
  get receiptCounters(): ReceiptCounters {
    return this.#delivery!.receiptCounters;
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
    await this.#acceptor.close();
    const wait = this.#opts.unbindWaitMs ?? 2000;
    await Promise.all([...this.#acceptor.served].map((s) => s.unbind(wait)));
    await (this.#delivery?.stop() ?? this.#route.stop());
    this.#joiner?.stop();
    const committer = this.#committer;
    if (committer && !this.#lease?.isLost) {
      // One last atomic of just the id floor and the checkpoint, so the next start scans least.
      await committer.write([]).catch((e) =>
        log.warn("writing the final checkpoint failed: {error}", { error: String(e) })
      );
    }
    await committer?.flush();
    await this.#lease?.release();
  }
}
