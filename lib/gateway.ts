/**
 * The gateway core: accepts connections from listeners, runs a session on each, authenticates
 * binds, stores submissions (group commit) before answering, hands them to the route, and
 * queues and delivers receipts. Runtime-neutral: listeners and the KV handle are injected.
 */
import { getLogger } from "@logtape/logtape";
import { authenticate } from "./accounts.ts";
import { GroupCommitter } from "./committer.ts";
import type { Conn, Listener } from "./conn.ts";
import { type Counters, newCounters } from "./counters.ts";
import { ReceiptDispatcher } from "./dispatcher.ts";
import { SmppError } from "./errors.ts";
import { IdGenerator } from "./ids.ts";
import { StoreLease } from "./lease.ts";
import type { Pdu } from "./pdu/codec.ts";
import { Status } from "./pdu/status.ts";
import { receiptPdu } from "./receipt.ts";
import { type AccountRecord, type ReceiptRecord, STAT_STATES } from "./records.ts";
import { SessionRegistry } from "./registry.ts";
import type { Outcome, Route } from "./routes/route.ts";
import { simulatorRoute } from "./routes/simulator.ts";
import { type Reply, Session, type SessionHandler, type SessionOptions } from "./session.ts";
import type { SessionState } from "./states.ts";
import { Keys, Store } from "./store.ts";
import { buildMessage } from "./submit.ts";
import { queryReply } from "./query.ts";
import { renderReceiptTextBytes } from "./text/mod.ts";

const log = getLogger(["smppgw", "gateway"]);

/** Gateway settings; everything but `kv` has a default. */
export interface GatewayOptions {
  kv: Deno.Kv;
  /** system_id presented in bind responses. */
  systemId?: string;
  /** Where messages go; the simulator by default. */
  route?: Route;
  /** Node id 0..99, part of every message id (unique ids across nodes sharing one KV). */
  nodeId?: number;
  /** Session timers and windows (ms). */
  session?: Partial<Omit<SessionOptions, "systemId">>;
  /** Characters of message text in the receipt's `text:` field. */
  receiptTextLength?: number;
  /** Receipt retry backoff start and cap, and maximum age (ms). */
  receiptRetryMs?: number;
  receiptRetryMaxMs?: number;
  receiptMaxAgeMs?: number;
  /** How long shutdown waits for each unbind_resp. */
  unbindWaitMs?: number;
  /** Store lease lifetime: a crashed owner's store is taken over after this long. */
  leaseMs?: number;
}

/** Session defaults (ms): 30 s enquire_link, 30 s response timeout, 10 s to bind. */
export const SESSION_DEFAULTS: Omit<SessionOptions, "systemId"> = {
  enquireLinkMs: 30_000,
  responseTimeoutMs: 30_000,
  bindTimeoutMs: 10_000,
  inactivityMs: 300_000,
  window: 100,
  deliverWindow: 10,
};

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
  #ids!: IdGenerator;
  #committer!: GroupCommitter;
  #dispatcher!: ReceiptDispatcher;
  #closing = false;
  #lease: StoreLease | undefined;

  constructor(opts: GatewayOptions) {
    this.#opts = opts;
    this.store = new Store(opts.kv);
    this.#route = opts.route ?? simulatorRoute();
    this.#sessionOpts = {
      systemId: opts.systemId ?? "smppgw",
      ...SESSION_DEFAULTS,
      ...opts.session,
    };
  }

  /** Loads the id floor, resumes route jobs and queued receipts. Call before `listen`. */
  async start(): Promise<void> {
    this.#lease = await StoreLease.acquire(this.#opts.kv, this.#opts.leaseMs);
    const node = this.#opts.nodeId ?? 0;
    const floor = await this.store.idFloor(node);
    this.#ids = new IdGenerator(node, floor);
    this.#committer = new GroupCommitter(this.#opts.kv, {
      extra: () => [{ type: "set", key: Keys.idFloor(node), value: this.#ids.highWater }],
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
    });
    // Every id from an earlier run is below this; new ones are above it.
    await this.#route.start(
      { store: this.store, settle: (o) => this.#settle(o) },
      String(floor + 1),
    );
  }

  /** Serves connections from a listener until the gateway closes. */
  listen(listener: Listener) {
    this.#listeners.push(listener);
    this.#loops.push(this.#acceptLoop(listener));
  }

  async #acceptLoop(listener: Listener) {
    while (!this.#closing) {
      let conn: Conn | null;
      try {
        conn = await listener.accept();
      } catch (e) {
        // A client that resets before accept() makes it throw; keep accepting.
        if (this.#closing) break;
        log.warn("accept failed: {error}", { error: String(e) });
        await new Promise((r) => setTimeout(r, 5));
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

  /** Runs a session on an already-connected transport. */
  serve(conn: Conn): Session {
    this.counters.connections++;
    const s = new Session(conn, this, this.#sessionOpts);
    this.#sessions.add(s);
    s.run().catch((e) =>
      log.error("session {id} crashed: {error}", { id: s.id, error: String(e) })
    );
    return s;
  }

  /** Number of open sessions. */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  async bind(s: Session, pdu: Pdu, _state: SessionState): Promise<number> {
    const systemId = pdu.body.system_id as string;
    const auth = await authenticate(this.store, systemId, pdu.body.password as string);
    if (!auth.ok) {
      this.counters.bindFailures++;
      log.info("bind {command} refused for {systemId} from {remote}: {status}", {
        command: pdu.command,
        systemId,
        remote: s.remote,
        status: auth.status,
      });
      return auth.status;
    }
    if (this.#closing) return Status.ESME_RSYSERR;
    s.account = systemId;
    if (!this.#registry.tryAdd(systemId, s, auth.account.maxSessions)) {
      s.account = "";
      this.counters.bindFailures++;
      return Status.ESME_RALYBND;
    }
    this.#accountOf.set(s, auth.account);
    if (auth.account.window !== undefined) s.setWindow(auth.account.window);
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
    let msg;
    try {
      msg = buildMessage(pdu, {
        account,
        id: this.#ids.next(),
        route: this.#route.name,
        now: Date.now(),
        previewLength: this.#opts.receiptTextLength,
      });
    } catch (e) {
      this.counters.submitRejected++;
      if (e instanceof SmppError) return { status: e.status };
      throw e;
    }
    try {
      await this.#committer.write(Store.acceptOps(msg), 400 + msg.body.length);
    } catch (e) {
      log.error("storing message {id} failed: {error}", { id: msg.id, error: String(e) });
      this.counters.submitRejected++;
      return { status: Status.ESME_RSYSERR };
    }
    this.counters.submitted++;
    const { body: _, ...job } = msg;
    this.#route.enqueue(job);
    return { status: Status.ESME_ROK, body: { message_id: msg.id } };
  }

  async #settle(outcomes: Outcome[]): Promise<void> {
    const now = Date.now();
    const receipts: ReceiptRecord[] = [];
    await Promise.all(outcomes.map(({ job, stat, err }) => {
      const rd = job.registeredDelivery & 0x03;
      const receipt: ReceiptRecord | null = rd === 1 || (rd === 2 && stat !== "DELIVRD")
        ? {
          messageId: job.id,
          account: job.account,
          source: job.dest,
          dest: job.source,
          submitAt: job.submitAt,
          doneAt: now,
          stat,
          err,
          preview: job.preview,
          userMessageReference: job.userMessageReference,
          attempts: 0,
          createdAt: now,
        }
        : null;
      if (receipt) receipts.push(receipt);
      return this.#committer.write(
        Store.settleOps(job, { state: STAT_STATES[stat], doneAt: now, err }, receipt),
      );
    }));
    this.counters.settled += outcomes.length;
    this.counters.receiptsQueued += receipts.length;
    for (const r of receipts) this.#dispatcher.added(r);
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
    const wait = this.#opts.unbindWaitMs ?? 2000;
    await Promise.all([...this.#sessions].map((s) => s.unbind(wait)));
    await this.#route.stop();
    this.#dispatcher.stop();
    await this.#committer.flush();
    await this.#lease?.release();
  }
}
