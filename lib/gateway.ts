/**
 * The composition root: builds the parts and connects them. A connection is accepted
 * (transport/acceptor), runs a session (session/), binds through the bind policy
 * (accounts/binder), submits through intake (intake/), reaches the route and comes back as
 * receipts (delivery/). Runtime-neutral: listeners and the KV handle are injected.
 */
import { getLogger } from "@logtape/logtape";
import { AccountAdmin } from "./accounts/admin.ts";
import { Binder } from "./accounts/binder.ts";
import { Delivery } from "./delivery/delivery.ts";
import type { OutboxLevel } from "./delivery/outbox.ts";
import type { ReceiptCounters } from "./delivery/dispatcher.ts";
import type { Route } from "./delivery/route.ts";
import { Router } from "./delivery/router.ts";
import { simulatorRoute } from "./delivery/simulator.ts";
import { IdGenerator } from "./intake/ids.ts";
import { AtomicExtras } from "./intake/atomic_extras.ts";
import { Intake } from "./intake/intake.ts";
import { Transactions } from "./intake/transactions.ts";
import { Joiner } from "./intake/joiner.ts";
import { PendingIds } from "./intake/pending.ts";
import { LatestByAddress } from "./intake/latest.ts";
import { ShortIds } from "./intake/short_ids.ts";
import { type Counters, newCounters } from "./core/counters.ts";
import { Meters } from "./core/meters.ts";
import { scrape } from "./scrape.ts";
import type { GatewayOptions } from "./options.ts";
import {
  CONCAT_TIMEOUT_MS,
  HEALTH_TIMEOUT_MS,
  LOCKOUT_DEFAULTS,
  SESSION_DEFAULTS as SESSION_TABLE,
  SYSTEM_ID,
  UNBIND_WAIT_MS,
} from "./core/defaults.ts";
import { Session, type SessionHandler } from "./session/session.ts";
import type { SessionOptions } from "./session/contract.ts";
import { Status } from "./smpp/status.ts";
import type { GroupCommitter } from "./store/committer.ts";
import { type Health, probeStore } from "./store/health.ts";
import type { LeaseError, StoreLease } from "./store/lease.ts";
import { ownStore } from "./store/owned.ts";
import { Store } from "./store/store.ts";
import { Acceptor } from "./transport/acceptor.ts";
import type { Conn, Listener } from "./transport/conn.ts";

const log = getLogger(["smppgw", "gateway"]);

export type { GatewayOptions } from "./options.ts";

/** Session defaults (ms); see `lib/core/defaults.ts`. */
export const SESSION_DEFAULTS: Omit<SessionOptions, "systemId"> = SESSION_TABLE;

/** A running gateway. */
export class Gateway {
  /** The store over the gateway's KV handle. */
  readonly store: Store;
  /** Live counters (messages, sessions, receipts, …). */
  readonly counters: Counters = newCounters();
  /** Labelled counts and histograms (binds by type, PDUs, commit sizes, …) for `/metrics`. */
  readonly meters: Meters = new Meters();
  /** Account management (admin API): changes apply to bound sessions at once. */
  readonly accounts: AccountAdmin;
  /** When this gateway was created (ms since the epoch). */
  readonly startedAt: number = Date.now();
  readonly #opts: GatewayOptions;
  readonly #router: Router;
  readonly #acceptor: Acceptor<Session>;
  readonly #binder: Binder<Session>;
  /** Message ids of this node (set once the store is owned). */
  #ids: IdGenerator | undefined;
  /** Accepted, unsettled message ids: the route checkpoint. */
  readonly #pending = new PendingIds();
  readonly #lost = Promise.withResolvers<LeaseError>();
  #lease: StoreLease | undefined;
  #committer: GroupCommitter | undefined;
  #extras: AtomicExtras | undefined;
  #intake: Intake | undefined;
  #delivery: Delivery | undefined;
  #joiner: Joiner | undefined;
  /** 8-character ids of 3.3 binds (set once the store is owned). */
  #shortIds: ShortIds | undefined;
  #closing = false;
  #closeTask: Promise<void> | undefined;

  /** A gateway over `opts.kv`; it does nothing until {@link start}. */
  constructor(opts: GatewayOptions) {
    this.#opts = opts;
    this.store = new Store(opts.kv);
    // Without a routing table, one route (the simulator by default) takes every message.
    this.#router = new Router(opts.routes ?? [{ route: opts.route ?? simulatorRoute() }]);
    const sessionOpts: SessionOptions = {
      systemId: opts.systemId ?? SYSTEM_ID,
      ...SESSION_DEFAULTS,
      ...opts.session,
    };
    this.#binder = new Binder(this.store, {
      lockout: opts.bindLockout ?? LOCKOUT_DEFAULTS,
      accounts: opts.accounts,
      counters: this.counters,
      meters: this.meters,
      closing: () => this.#closing,
    });
    this.accounts = new AccountAdmin(
      this.store,
      (systemId, record) => this.#binder.accountChanged(systemId, record),
    );
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
        return this.#intake.request(account, pdu, s.id, s.interfaceVersion);
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
      counters: this.counters,
    }, (conn) => new Session(conn, handler, sessionOpts, this.meters));
  }

  /**
   * Checks the store marker, takes the store (fenced lease), migrates an older schema, loads the
   * id floor, resumes route jobs, joins and receipts. Writes nothing before owning the store.
   */
  async start(): Promise<void> {
    const o = this.#opts;
    const node = o.nodeId ?? 0;
    const extras = this.#extras = new AtomicExtras({
      node,
      ids: () => this.#ids,
      pending: this.#pending,
      routes: () => this.#router.routes.map((r) => r.name),
      shortIds: () => this.#shortIds,
    });
    const owned = await ownStore(this.store, {
      node,
      leaseMs: o.leaseMs,
      retentionDays: o.retentionDays,
      counters: this.counters,
      meters: this.meters,
      // Atomics move the id floor and the route checkpoints along with what they commit.
      extra: () => extras.mutations(),
      committed: (extra) => extras.committed(extra),
      extraCount: extras.most,
    });
    const { lease, committer, idFloor: floor } = owned;
    this.#lease = lease;
    this.#committer = committer;
    lease.lost.then((e) => this.#onLost(e));
    const ids = this.#ids = new IdGenerator(node, floor);
    const parts = {
      store: this.store,
      committer,
      pending: this.#pending,
      counters: this.counters,
    };
    const router = this.#router;
    const transactions = new Transactions();
    const latest = new LatestByAddress();
    const delivery = this.#delivery = new Delivery({
      ...parts,
      router,
      ids,
      transactions,
      inbound: o.inbound,
      receivers: (account) => this.#binder.registry.receivers(account),
      resumed: (job) => latest.add(job),
    }, o);
    const concatTimeoutMs = o.concatTimeoutMs ?? CONCAT_TIMEOUT_MS;
    this.#joiner = new Joiner(this.store, committer, {
      timeoutMs: concatTimeoutMs,
      jobsFor: (j) => delivery.concat.jobsFor(j),
      onJoined: (j, jobs) => delivery.concat.joined(j, jobs),
      releasedJob: (m) => delivery.concat.releasedJob(m),
      onLateDuplicate: (j, part, job) => delivery.concat.lateDuplicate(j, part, job),
      // Joined messages wait for the routes to start (a job written earlier would be resumed too).
      held: true,
      counters: this.counters,
    });
    this.#intake = new Intake({
      ...parts,
      ids,
      route: (account, dest) => router.pick(account, dest),
      cancel: (messages) => delivery.cancel(messages),
      replace: (next, extra) => delivery.replace(next, extra),
      shortIds: this.#shortIds = new ShortIds(await this.store.shortIdFloor()),
      latest,
      schedule: (route, job) => delivery.schedule(route, job),
      admission: this.#binder.admission,
      joiner: this.#joiner,
      meters: this.meters,
      previewLength: o.receiptTextLength,
      canned: o.cannedMessages,
      maxValidityMs: o.maxValidityMs,
      maxBacklog: o.routeBacklog,
      scheduled: () => delivery.scheduledCount,
      maxScheduled: o.maxScheduled,
      transactions,
      concatTimeoutMs,
      lost: () => lease.isLost,
    });
    await this.#joiner.resume();
    await delivery.start(String(floor + 1));
    this.#joiner.release();
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

  /** Bound sessions. */
  get sessions(): readonly Session[] {
    return this.#binder.registry.all();
  }

  /** The node id of this gateway's message ids. */
  get node(): number {
    return this.#opts.nodeId ?? 0;
  }

  /** Ids of receipts of a stored outbox page that are done but not removed yet. */
  finished(account: string, pageId: string): readonly string[] {
    return this.#delivery?.finished(account, pageId) ?? [];
  }

  /** The routes, in routing order. */
  get routes(): readonly Route[] {
    return this.#router.routes;
  }

  /** Receipt delivery counters. */
  get receiptCounters(): ReceiptCounters {
    return this.#delivery!.receiptCounters;
  }

  /** The receipt outbox of every account seen since start, as held in memory. */
  outboxes(): (OutboxLevel & { account: string; unloaded: boolean })[] {
    return this.#delivery?.outboxes() ?? [];
  }

  /** The Prometheus text exposition of this gateway's metrics, computed now. */
  metricsText(): string {
    return scrape({
      counters: this.counters,
      meters: this.meters,
      sessions: this.#binder.registry.all(),
      connections: this.#acceptor.served.size,
      outboxes: this.#delivery?.outboxes() ?? [],
      pendingJobs: this.#pending.size,
      startedAt: this.startedAt,
    });
  }

  /**
   * Healthy when this process owns the store, is not closing, every SMPP listener accepts, and a
   * small KV write through the committer (fenced like every write) commits within 1 s.
   */
  async health(timeoutMs: number = HEALTH_TIMEOUT_MS): Promise<Health> {
    const unhealthy = (error: string): Health => ({ status: "unhealthy", error });
    if (this.#lease?.isLost) return unhealthy("this process no longer owns the KV store");
    if (this.#closing) return unhealthy("shutting down");
    if (!this.#committer) return unhealthy("not started");
    if (!this.#acceptor.listening) return unhealthy("the SMPP listeners are not accepting");
    return await probeStore(this.#committer, timeoutMs);
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
  close(): Promise<void> {
    this.#closeTask ??= this.#close();
    return this.#closeTask;
  }

  async #close(): Promise<void> {
    this.#closing = true;
    await this.#acceptor.close();
    const wait = this.#opts.unbindWaitMs ?? UNBIND_WAIT_MS;
    await Promise.all([...this.#acceptor.served].map((s) => s.unbind(wait)));
    await (this.#delivery?.stop() ?? Promise.all(this.#router.routes.map((r) => r.stop())));
    this.#joiner?.stop();
    const committer = this.#committer;
    if (committer && !this.#lease?.isLost) {
      // One last atomic of just the id floor and the checkpoint, so the next start scans least.
      await committer.flush();
      this.#extras?.checkpointNext();
      await committer.write([]).catch((e) =>
        log.warn("writing the final checkpoint failed: {error}", { error: String(e) })
      );
    }
    await committer?.flush();
    await this.#lease?.release();
  }
}
