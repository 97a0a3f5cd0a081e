/**
 * The delivery side: resumes unfinished route jobs at start, turns the routes' outcomes into
 * stored states and queued receipts, gives "whole" routes their joined messages, and sends
 * receipts (and inbound messages) to the account's receivers through the dispatcher.
 */
import { getLogger } from "@logtape/logtape";
import { INTERFACE_VERSION, RECEIPT_DEFAULTS } from "../core/defaults.ts";
import { encodeReceiptSm } from "./receipt_wire.ts";
import type { IdGenerator } from "../intake/ids.ts";
import type { Transactions } from "../intake/transactions.ts";
import type { PendingIds } from "../intake/pending.ts";
import type { Counters } from "../core/counters.ts";
import type { GroupCommitter, Mutation } from "../store/committer.ts";
import {
  type JobRecord,
  type ReceiptRecord,
  STAT_STATES,
  type StateRecord,
} from "../store/records.ts";
import { Store } from "../store/store.ts";
import { renderReceiptTextBytes } from "../text/mod.ts";
import { type ReceiptCounters, ReceiptDispatcher, type Receiver } from "./dispatcher.ts";
import { inboundAccount, type InboundRule, moRecords } from "./inbound.ts";
import { receiptPdu } from "./receipt.ts";
import { expiresAt, type Outcome, type Route } from "./route.ts";
import { RouteHosts } from "./route_host.ts";
import { ExpirySweep } from "./expiry.ts";
import { Delayed } from "../core/delayed.ts";
import type { Router } from "./router.ts";
import { type Settlement, settlement, stateOps } from "./settle.ts";
import { ConcatJobs } from "./concat_jobs.ts";

const log = getLogger(["smppgw", "delivery"]);

/** Settlements share an atomic write until they hold this many message ids. */
const SETTLE_GROUP = 400;

/** One job's settlement. */
type Settled = Settlement;

/** Delivery settings (receipt timing in ms). */
export interface DeliveryOptions {
  receiptTextLength?: number;
  receiptRetryMs?: number;
  receiptRetryMaxMs?: number;
  receiptMaxAgeMs?: number;
  maxReceiverFailures?: number;
  /** How often handed-over messages past their validity are looked for (ms; default 60 000). */
  expirySweepMs?: number;
}

/** The parts delivery works with, built by the gateway. */
export interface DeliveryParts {
  store: Store;
  committer: GroupCommitter;
  /** The routes and how messages are matched to them. */
  router: Router;
  /** Accepted, unsettled ids: settled ones leave it. */
  pending: PendingIds;
  counters: Counters;
  /** The account's sessions that may receive deliver_sm now. */
  receivers: (account: string) => Receiver[];
  /** Which account gets an inbound message, by the number it was sent to. */
  inbound?: readonly InboundRule[];
  /** Ids for inbound messages. */
  ids: IdGenerator;
  /** data_sm in transaction mode waiting for their outcome. */
  transactions?: Transactions;
  /** Told of each unsettled message resumed at start. */
  resumed?: (job: JobRecord) => void;
}

/** Route outcomes in, receipts out. */
export class Delivery {
  readonly #p: DeliveryParts;
  readonly #dispatcher: ReceiptDispatcher;
  readonly #hosts: RouteHosts;
  readonly #expiry: ExpirySweep;
  /** Scheduled messages waiting for their time, with the route they go to. */
  readonly #scheduled = new Delayed<{ route: { enqueue(job: JobRecord): void }; job: JobRecord }>(
    (due) => {
      for (const { route, job } of due) route.enqueue(job);
    },
  );
  readonly #inbound: { dest: RegExp; account: string }[];
  /** What concatenated messages become for their routes (joined jobs, released parts). */
  readonly concat: ConcatJobs;
  #moRef = 0;

  constructor(parts: DeliveryParts, o: DeliveryOptions = {}) {
    this.#p = parts;
    this.#inbound = (parts.inbound ?? []).map((r) => ({
      dest: new RegExp(r.dest),
      account: r.account,
    }));
    this.#dispatcher = new ReceiptDispatcher(parts.store, parts.committer, {
      receivers: parts.receivers,
      // Most receipts are written straight to octets; the rest take the general encoder.
      build: (r, iv) =>
        encodeReceiptSm(
          r,
          o.receiptTextLength ?? RECEIPT_DEFAULTS.textLength,
          iv >= INTERFACE_VERSION,
        ) ??
          receiptPdu(r, {
            textLength: o.receiptTextLength,
            tlvs: iv >= INTERFACE_VERSION,
            encode: renderReceiptTextBytes,
          }),
      retryBaseMs: o.receiptRetryMs,
      retryMaxMs: o.receiptRetryMaxMs,
      maxAgeMs: o.receiptMaxAgeMs,
      maxReceiverFailures: o.maxReceiverFailures,
      counters: parts.counters,
    });
    this.#hosts = new RouteHosts({
      store: parts.store,
      committer: parts.committer,
      pending: parts.pending,
      settle: (outcomes) => this.#settle(outcomes),
      inbound: (m) => this.#queueInbound(m),
      hasRoute: (name) => parts.router.byName(name) !== undefined,
      intermediate: (job) => this.#intermediate(job),
      handedOver: (id) => parts.transactions?.handedOver(id),
    });
    this.concat = new ConcatJobs({
      store: parts.store,
      committer: parts.committer,
      router: parts.router,
      hosts: this.#hosts,
      hand: (route, job) => this.#hand(route, job),
      settle: (outcomes) => this.#settle(outcomes),
    });
    this.#expiry = new ExpirySweep(
      parts.store,
      parts.committer,
      (outcomes) => this.#hosts.expire(outcomes),
      o.expirySweepMs,
    );
  }

  /** Receipt delivery counters. */
  get receiptCounters(): ReceiptCounters {
    return this.#dispatcher.counters;
  }

  /**
   * Starts every route with its unfinished work of earlier runs (ids below `before`): one scan
   * from the lowest checkpoint; a message whose route is gone is routed again (UNDELIV when no
   * route takes it now).
   */
  async start(before: string): Promise<void> {
    const { router, store } = this.#p;
    const resumed = new Map<Route, JobRecord[]>(router.routes.map((r) => [r, []]));
    const orphans: Outcome[] = [];
    let n = 0;
    for await (const job of store.pending(null, await this.#lowestCheckpoint(), before)) {
      const progress = await this.#hosts.resumed(job);
      const route = router.byName(job.route) ?? router.pick(job.account, job.dest.addr);
      if (!route) {
        this.#p.pending.add(job.id, { resumed: true });
        orphans.push({ job, stat: "UNDELIV", err: "000" });
        continue;
      }
      this.#p.pending.add(job.id, { resumed: true });
      this.#p.resumed?.(job);
      if (progress.scheduleAt !== undefined && progress.scheduleAt > Date.now()) {
        this.schedule(route, progress);
      } else resumed.get(route)!.push(progress);
      n++;
    }
    if (n > 0) log.info("resumed {n} unsettled messages", { n });
    if (orphans.length > 0) {
      log.warn("{n} unsettled messages match no route any more: UNDELIV", { n: orphans.length });
      await this.#settle(orphans);
    }
    // Before the routes start: they resume the explicit jobs stored under their names.
    await this.concat.rehome();
    await Promise.all(router.routes.map(async (route) => {
      const jobs = resumed.get(route)!;
      resumed.delete(route);
      await route.start(this.#hosts.host(route), this.#resume(route, jobs));
    }));
    this.#expiry.start();
  }

  /** The lowest checkpoint any route stored ("" when none did). */
  async #lowestCheckpoint(): Promise<string> {
    let low: string | undefined;
    for (const route of this.#p.router.routes) {
      const c = await this.#p.store.checkpoint(route.name);
      if (c !== "" && (low === undefined || BigInt(c) < BigInt(low))) low = c;
    }
    return low ?? "";
  }

  async *#resume(route: Route, jobs: JobRecord[]): AsyncGenerator<JobRecord> {
    yield* jobs;
    jobs.length = 0;
    // Explicit jobs (joined messages, released parts): with their stored retry progress, at
    // their schedule.
    for await (const stored of this.#p.store.jobs(route.name)) {
      const whole = await this.concat.withBody(stored);
      if (!whole) continue;
      const job = await this.#hosts.resumed(whole);
      if (job.joinedParts) this.concat.joinedJobs.set(job.id, job);
      if (job.released) this.#hosts.release(job.id);
      if (job.scheduleAt !== undefined && job.scheduleAt > Date.now()) this.schedule(route, job);
      else yield job;
    }
  }

  /** Ids of receipts of a stored outbox page that are done but not removed yet. */
  finished(account: string, pageId: string): readonly string[] {
    return this.#dispatcher.finished(account, pageId);
  }

  /** The receipt outbox of every account seen since start (see the dispatcher's outboxes()). */
  outboxes(): ReturnType<ReceiptDispatcher["outboxes"]> {
    return this.#dispatcher.outboxes();
  }

  /** Scheduled messages waiting for their time (in memory). */
  get scheduledCount(): number {
    return this.#scheduled.size;
  }

  /** Hands `job` to `route` at its `scheduleAt` (`schedule_delivery_time`). */
  schedule(route: { enqueue(job: JobRecord): void }, job: JobRecord): void {
    // A message whose validity ends first goes to its route then, which makes it EXPIRED.
    this.#scheduled.add({ route, job }, Math.min(job.scheduleAt ?? 0, expiresAt(job)));
  }

  /**
   * Cancels messages not yet handed to their route (cancel_sm): DELETED, with a receipt when
   * asked; routes see them settled and do not send them. Resolves to how many were cancelled
   * (a message a route is sending right now is not).
   */
  async cancel(messages: JobRecord[]): Promise<number> {
    const open = messages.filter((m) => this.#hosts.changeable(m.id));
    if (open.length === 0) return 0;
    // Marked while the DELETED states are stored: no route takes them, no second cancel counts.
    const ids = new Set(open.map((m) => m.id));
    await this.#hosts.change([...ids], async () => {
      await this.#settle(open.map((job) => ({ job, stat: "DELETED" as const, err: "000" })));
      // A cancelled scheduled message leaves the schedule (and frees its place) at once.
      this.#scheduled.remove((e) => ids.has(e.job.id));
    });
    return open.length;
  }

  /**
   * Replaces a message not yet handed to its route (replace_sm, replace_if_present_flag): `next`
   * (same id) is stored with `extra` (quota) and goes to the route in its place, at its
   * `scheduleAt` when it has one; the copies the route holds are not sent. False when the message
   * cannot be changed any more (or storing failed: the message then stays as it was).
   */
  async replace(next: JobRecord, extra: readonly Mutation[] = []): Promise<boolean> {
    const { router, committer, store } = this.#p;
    const route = router.byName(next.route);
    if (!route) return false;
    let stored = false;
    let dropped = false;
    try {
      const done = await this.#hosts.change([next.id], async () => {
        // Routes drop copies they come to while the id is marked; one is handed on after.
        dropped = true;
        const ops = Store.replacedOps(next);
        await committer.write([...ops, ...extra], 400 + next.body.length);
        store.noteReplaced();
        stored = true;
        // Still marked: the copies routes hold turn stale before any of them can be taken.
        next.rev = this.#hosts.nextRev(next.id);
        this.#scheduled.remove((e) => e.job.id === next.id);
        return true;
      });
      if (done === true) this.#hand(route, next);
      return done === true;
    } catch (e) {
      log.error("storing the replacement of {id} failed: {error}", {
        id: next.id,
        error: String(e),
      });
      // Copies dropped meanwhile: the message as stored goes to the route again, as the only
      // current copy.
      if (dropped && !stored) {
        const current = await store.message(next.id).catch(() => null);
        if (current && this.#hosts.changeable(next.id)) {
          const again: JobRecord = { ...current, rev: this.#hosts.nextRev(next.id) };
          this.#scheduled.remove((x) => x.job.id === next.id);
          this.#hand(route, again);
        }
      }
      return false;
    }
  }

  /** A session that can receive became bound: send what waits for its account. */
  bound(account: string) {
    this.#dispatcher.pump(account);
  }

  /** Gives `job` to `route` now, or at its `scheduleAt` (held in memory until then). */
  #hand(route: { enqueue(job: JobRecord): void }, job: JobRecord): void {
    if (job.scheduleAt !== undefined && job.scheduleAt > Date.now()) this.schedule(route, job);
    else route.enqueue(job);
  }

  async #settle(outcomes: Outcome[]): Promise<void> {
    const now = Date.now();
    const writes: Promise<void>[] = [];
    let group: Settled[] = [];
    let size = 0;
    // Settlements of one outcome in a row share their state record.
    let state: StateRecord | null = null;
    for (const { job, stat, err } of outcomes) {
      if (state === null || state.state !== STAT_STATES[stat] || state.err !== err) {
        state = { state: STAT_STATES[stat], doneAt: now, err };
      }
      const s = settlement(job, stat, err, now, state);
      group.push(s);
      size += s.ids.length;
      if (size >= SETTLE_GROUP) {
        writes.push(this.#settleGroup(group));
        group = [];
        size = 0;
      }
    }
    if (group.length > 0) writes.push(this.#settleGroup(group));
    await Promise.all(writes);
    const tx = this.#p.transactions;
    if (tx && tx.size > 0) { for (const o of outcomes) tx.settled(o.job.id, o.stat, o.err); }
  }

  /**
   * Stores settlements in one atomic write: their states and their receipts in outbox pages, so
   * a state is never stored without the receipt it owes.
   */
  async #settleGroup(group: Settled[]): Promise<void> {
    const { committer, pending, counters } = this.#p;
    const ops = stateOps(group, pending);
    const receipts: ReceiptRecord[] = [];
    for (const s of group) {
      if (s.jobDone) ops.push(s.jobDone);
      const done = this.#hosts.doneOp(s.job.id);
      if (done) ops.push(done);
      for (const r of s.receipts) receipts.push(r);
    }
    const pages = Store.pages(receipts);
    let bytes = 64 * ops.length;
    for (const p of pages) {
      const op = Store.pageOp(p);
      bytes += op.value.length;
      ops.push(op);
    }
    await committer.write(ops, bytes);
    for (const { job } of group) {
      this.#hosts.forget(job.id);
      if (!job.joinedParts) pending.delete(job.id);
      else this.concat.joinedJobs.delete(job.id);
    }
    counters.settled += group.length;
    counters.receiptsQueued += receipts.length;
    for (const p of pages) this.#dispatcher.added(p);
  }

  /** Queues the intermediate notification of a message its route took (registered_delivery 0x10). */
  async #intermediate(job: JobRecord): Promise<void> {
    const now = Date.now();
    const r: ReceiptRecord = {
      ...settlement(job, "ACCEPTD", "000", now).receipts[0] ?? {
        messageId: job.id,
        account: job.account,
        source: job.dest,
        dest: job.source,
        submitAt: job.submitAt,
        doneAt: now,
        stat: "ACCEPTD",
        err: "000",
        preview: job.preview,
        ...(job.publicId !== undefined ? { publicId: job.publicId } : {}),
        attempts: 0,
        createdAt: now,
      },
      intermediate: true,
    };
    const pages = Store.pages([r]);
    const ops = pages.map((p) => Store.pageOp(p));
    await this.#p.committer.write(ops, ops.reduce((n, op) => n + op.value.length, 64));
    this.#p.counters.receiptsQueued++;
    for (const p of pages) this.#dispatcher.added(p);
  }

  /** Queues an inbound message for the account the `inbound` rules give its destination. */
  async #queueInbound(
    m: Parameters<typeof moRecords>[0],
  ): Promise<"queued" | "no-rule"> {
    const account = inboundAccount(this.#inbound, m.dest);
    if (account === null) return "no-rule";
    this.#moRef = (this.#moRef + 1) & 0xff;
    const records = moRecords(m, account, {
      ids: () => this.#p.ids.next(),
      now: Date.now(),
      ref: this.#moRef,
    });
    const pages = Store.pages(records);
    const ops = pages.map((p) => Store.pageOp(p));
    await this.#p.committer.write(ops, ops.reduce((n, op) => n + op.value.length, 64));
    this.#p.counters.receiptsQueued += records.length;
    for (const p of pages) this.#dispatcher.added(p);
    return "queued";
  }

  /** Stops the routes and receipt delivery; queued work stays in KV. */
  async stop(): Promise<void> {
    this.#scheduled.stop();
    await this.#expiry.stop();
    await Promise.all(this.#p.router.routes.map((r) => r.stop()));
    this.#dispatcher.stop();
  }
}
