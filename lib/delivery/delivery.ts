/**
 * The delivery side: resumes unfinished route jobs at start, turns the route's outcomes into
 * stored states and queued receipts, gives "whole" routes their joined messages, and sends
 * receipts to the account's receivers through the dispatcher.
 */
import { getLogger } from "@logtape/logtape";
import { INTERFACE_VERSION } from "../core/defaults.ts";
import type { PendingIds } from "../intake/pending.ts";
import type { Counters } from "../core/counters.ts";
import type { GroupCommitter } from "../store/committer.ts";
import type { JobRecord, JoinedRecord, ReceiptRecord } from "../store/records.ts";
import { Store } from "../store/store.ts";
import { renderReceiptTextBytes } from "../text/mod.ts";
import { type ReceiptCounters, ReceiptDispatcher, type Receiver } from "./dispatcher.ts";
import { receiptPdu } from "./receipt.ts";
import type { Outcome, Route } from "./route.ts";
import { type Settlement, settlement, stateOps } from "./settle.ts";

const log = getLogger(["smppgw", "delivery"]);

/** Settlements share an atomic write until they hold this many message ids. */
const SETTLE_GROUP = 400;

/** One job's settlement. */
type Settled = { job: JobRecord } & Settlement;

/** Delivery settings (receipt timing in ms). */
export interface DeliveryOptions {
  receiptTextLength?: number;
  receiptRetryMs?: number;
  receiptRetryMaxMs?: number;
  receiptMaxAgeMs?: number;
  maxReceiverFailures?: number;
}

/** The parts delivery works with, built by the gateway. */
export interface DeliveryParts {
  store: Store;
  committer: GroupCommitter;
  route: Route;
  /** Accepted, unsettled ids: settled ones leave it. */
  pending: PendingIds;
  counters: Counters;
  /** The account's sessions that may receive deliver_sm now. */
  receivers: (account: string) => Receiver[];
}

/** Route outcomes in, receipts out. */
export class Delivery {
  readonly #p: DeliveryParts;
  readonly #dispatcher: ReceiptDispatcher;

  constructor(parts: DeliveryParts, o: DeliveryOptions = {}) {
    this.#p = parts;
    this.#dispatcher = new ReceiptDispatcher(parts.store, parts.committer, {
      receivers: parts.receivers,
      build: (r, iv) =>
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
  }

  /** Receipt delivery counters. */
  get receiptCounters(): ReceiptCounters {
    return this.#dispatcher.counters;
  }

  /** Starts the route with the unfinished work of earlier runs (ids below `before`). */
  start(before: string): Promise<void> {
    const { route, store } = this.#p;
    return route.start({ store, settle: (o) => this.#settle(o) }, this.#resume(before));
  }

  /** Messages without a state from the checkpoint on, then the explicit jobs. */
  async *#resume(before: string): AsyncGenerator<JobRecord> {
    const { route, store, pending } = this.#p;
    let n = 0;
    for await (const job of store.pending(route.name, await store.checkpoint(route.name), before)) {
      pending.add(job.id, { resumed: true });
      n++;
      yield job;
    }
    for await (const job of store.jobs(route.name)) yield job;
    if (n > 0) {
      log.info("resumed {n} unsettled messages for route {route}", { n, route: route.name });
    }
  }

  /** A session that can receive became bound: send what waits for its account. */
  bound(account: string) {
    this.#dispatcher.pump(account);
  }

  /** A joined message is stored; a "whole" route now gets one job for it. */
  async joined(j: JoinedRecord): Promise<void> {
    const { route, store, committer } = this.#p;
    if (route.mode !== "whole") return;
    const parts = j.parts.filter((p) => p !== null);
    const first = await store.message(parts[0].id);
    if (!first) return;
    // The job stands for the joined message: its text is read from the parts, not the first body.
    const job: JobRecord = { ...first, id: j.id, body: new Uint8Array(0), joinedParts: parts };
    await committer.write([Store.jobOp(job)]);
    route.enqueue(job);
  }

  async #settle(outcomes: Outcome[]): Promise<void> {
    const now = Date.now();
    const writes: Promise<void>[] = [];
    let group: Settled[] = [];
    let size = 0;
    for (const { job, stat, err } of outcomes) {
      const s = { job, ...settlement(job, stat, err, now) };
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
    for (const { job } of group) if (!job.joinedParts) pending.delete(job.id);
    counters.settled += group.length;
    counters.receiptsQueued += receipts.length;
    for (const p of pages) this.#dispatcher.added(p);
  }

  /** Stops the route and receipt delivery; queued work stays in KV. */
  async stop(): Promise<void> {
    await this.#p.route.stop();
    this.#dispatcher.stop();
  }
}
