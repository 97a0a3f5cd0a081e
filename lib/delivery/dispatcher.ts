/**
 * The receipt outbox: receipts live in KV until an RX/TRX session answers deliver_sm_resp OK
 * (at-least-once). Sends are spread round robin over the account's healthy receivers, each within
 * its deliver window; a session bind pulls what waited in KV.
 *
 * A receiver that answers an error or times out is skipped for a while (growing with each failure
 * in a row) and its receipt goes straight to another healthy receiver; after `maxReceiverFailures`
 * failures in a row it is unbound. Only when no healthy receiver is left does a receipt wait for
 * the account-wide retry backoff. So one bad receiver never slows the account's others.
 */
import { getLogger } from "@logtape/logtape";
import { type Counters, newCounters } from "../core/counters.ts";
import { RECEIPT_DEFAULTS } from "../core/defaults.ts";
import type { GroupCommitter, Mutation } from "../store/committer.ts";
import type { PduInit } from "../smpp/codec.ts";
import { Status } from "../smpp/status.ts";
import type { ReceiptRecord } from "../store/records.ts";
import { type OutboxPage, Store } from "../store/store.ts";
import { AccountOutbox, type OutboxLevel, type Queued } from "./outbox.ts";

const log = getLogger(["smppgw", "receipts"]);

/** What the dispatcher needs of a receiver session. */
export interface Receiver {
  readonly interfaceVersion: number;
  canDeliver(): boolean;
  /** Sends a deliver_sm (or data_sm): the PDU, or its octets with sequence number 0. */
  deliver(pdu: Omit<PduInit, "seq"> | Uint8Array): Promise<number>;
  /** Ends the session (a receiver that keeps failing). */
  unbind(): Promise<void>;
}

/** Dispatcher settings. */
export interface DispatcherOptions {
  /** The account's current receivers. */
  receivers: (account: string) => Receiver[];
  /** Builds the deliver_sm for a receipt, for a receiver's interface version. */
  build: (r: ReceiptRecord, interfaceVersion: number) => Omit<PduInit, "seq"> | Uint8Array;
  /** First retry delay; doubles per attempt up to `retryMaxMs`. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Receipts older than this are dropped with a log line (0 = never). */
  maxAgeMs?: number;
  /** Most receipts held in memory per account; the rest wait in KV. */
  memoryLimit?: number;
  /** The counters registry (a fresh one by default). */
  counters?: Counters;
  /** Failures in a row (error status or timeout) after which a receiver is unbound (0 = never). */
  maxReceiverFailures?: number;
}

/** A failing receiver is skipped for this long, doubling per failure in a row up to the cap. */
const RECEIVER_BACKOFF_MS = 1000;
const RECEIVER_BACKOFF_MAX_MS = 60_000;

/** How a receiver has been answering. */
interface Health {
  /** Failures in a row. */
  failures: number;
  /** Skipped until then while others can take receipts. */
  skipUntil: number;
  unbinding: boolean;
}

/** Counters of the receipt outbox. */
export interface ReceiptCounters {
  /** deliver_sm receipts sent. */
  sent: number;
  /** Receipts acknowledged with a deliver_sm_resp and removed from the outbox. */
  acked: number;
  /** Receipts scheduled for another attempt after a failure. */
  retried: number;
  /** Receipts dropped for being older than the maximum age. */
  expired: number;
  /** Receivers unbound after failing `maxReceiverFailures` times in a row. */
  receiversUnbound: number;
}

/** Delivers queued receipts to receiver sessions. */
export class ReceiptDispatcher {
  readonly #store: Store;
  readonly #committer: GroupCommitter;
  readonly #opts: Required<Omit<DispatcherOptions, "counters">>;
  readonly #accounts = new Map<string, AccountOutbox>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #health = new WeakMap<Receiver, Health>();
  #stopped = false;
  /** Counters since start. */
  readonly #c: Counters;
  /** Debug lines on (read once, so a receipt costs one test while off). */
  readonly #debug = log.isEnabledFor("debug");

  /** This outbox's counters (a view of the shared registry). */
  get counters(): ReceiptCounters {
    const c = this.#c;
    return {
      sent: c.receiptsSent,
      acked: c.receiptsAcked,
      retried: c.receiptsRetried,
      expired: c.receiptsExpired,
      receiversUnbound: c.receiversUnbound,
    };
  }

  constructor(store: Store, committer: GroupCommitter, opts: DispatcherOptions) {
    this.#store = store;
    this.#committer = committer;
    this.#c = opts.counters ?? newCounters();
    this.#opts = {
      ...opts,
      retryBaseMs: opts.retryBaseMs ?? RECEIPT_DEFAULTS.retryBaseMs,
      retryMaxMs: opts.retryMaxMs ?? RECEIPT_DEFAULTS.retryMaxMs,
      maxAgeMs: opts.maxAgeMs ?? RECEIPT_DEFAULTS.maxAgeMs,
      memoryLimit: opts.memoryLimit ?? RECEIPT_DEFAULTS.memoryLimit,
      maxReceiverFailures: opts.maxReceiverFailures ?? RECEIPT_DEFAULTS.maxReceiverFailures,
    };
  }

  #queue(account: string): AccountOutbox {
    let q = this.#accounts.get(account);
    if (!q) {
      q = new AccountOutbox(account, this.#opts.memoryLimit);
      this.#accounts.set(account, q);
    }
    return q;
  }

  /** Ids of receipts of a stored page that are done (acknowledged or expired), not yet removed. */
  finished(account: string, pageId: string): readonly string[] {
    return this.#accounts.get(account)?.finished(pageId) ?? [];
  }

  /**
   * Every account outbox read or written since start, for metrics: its level, and whether KV may
   * hold receipts of it not loaded (from before this start, or beyond the memory limit).
   */
  outboxes(): (OutboxLevel & { account: string; unloaded: boolean })[] {
    return [...this.#accounts.values()].map((q) => ({
      account: q.account,
      ...q.level(),
      unloaded: q.dirty,
    }));
  }

  /** An outbox page was committed to KV. */
  added(p: OutboxPage) {
    const q = this.#queue(p.account);
    if (q.holds(p.id)) return;
    if (!q.dirty && q.fits(p.receipts.length)) q.load(p);
    else {
      q.dirty = true;
      q.park(p);
    }
    this.pump(p.account);
  }

  /** Sends what can be sent now for an account; pulls from KV when memory ran dry. */
  pump(account: string) {
    if (this.#stopped) return;
    const q = this.#queue(account);
    const receivers = this.#opts.receivers(account);
    if (receivers.length === 0) return;
    const now = Date.now();
    while (q.ready.length > 0) {
      const s = this.#pick(q, receivers, now);
      if (!s) {
        this.#wakeLater(account, q, receivers, now);
        return;
      }
      this.#send(account, q, s, q.ready.shift()!);
    }
    if (q.dirty && !q.scanning) this.#scan(account, q);
  }

  /** The next receiver in round robin that has room and is not being skipped. */
  #pick(q: AccountOutbox, receivers: Receiver[], now: number): Receiver | undefined {
    for (let i = 0; i < receivers.length; i++) {
      const s = receivers[(q.rr + i) % receivers.length];
      if (s.canDeliver() && this.#healthy(s, now)) {
        q.rr = (q.rr + i + 1) % receivers.length;
        return s;
      }
    }
    return undefined;
  }

  #healthy(s: Receiver, now: number): boolean {
    const h = this.#health.get(s);
    return !h || (!h.unbinding && h.skipUntil <= now);
  }

  /** With receipts waiting and only skipped receivers, pumps again when the first is healthy. */
  #wakeLater(account: string, q: AccountOutbox, receivers: Receiver[], now: number) {
    if (q.wake !== undefined || this.#stopped) return;
    let at = Infinity;
    for (const s of receivers) {
      const h = this.#health.get(s);
      if (h && !h.unbinding && h.skipUntil > now && s.canDeliver()) at = Math.min(at, h.skipUntil);
    }
    if (at === Infinity) return; // receivers are full: an answer pumps again
    const t = setTimeout(() => {
      this.#timers.delete(t);
      q.wake = undefined;
      this.pump(account);
    }, at - now);
    q.wake = t;
    this.#timers.add(t);
  }

  /**
   * Records how a receiver answered; unbinds one that failed too often in a row. A receiver that
   * answers ESME_RTHROTTLED is only rested a moment: it is busy, not failing.
   */
  #answered(s: Receiver, status: number, account: string) {
    // A permanent refusal of one receipt (0x65, 0x66) is an answer, not a failing receiver.
    if (
      status === Status.ESME_ROK || status === Status.ESME_RX_P_APPN ||
      status === Status.ESME_RX_R_APPN
    ) {
      this.#health.delete(s);
      return;
    }
    const h = this.#health.get(s) ?? { failures: 0, skipUntil: 0, unbinding: false };
    if (status === Status.ESME_RTHROTTLED) {
      h.skipUntil = Date.now() + RECEIVER_BACKOFF_MS;
      this.#health.set(s, h);
      return;
    }
    h.failures++;
    h.skipUntil = Date.now() +
      Math.min(RECEIVER_BACKOFF_MAX_MS, RECEIVER_BACKOFF_MS * 2 ** Math.min(h.failures - 1, 20));
    this.#health.set(s, h);
    const max = this.#opts.maxReceiverFailures;
    if (max > 0 && h.failures >= max && !h.unbinding) {
      h.unbinding = true;
      this.#c.receiversUnbound++;
      log.warn("a receiver of {account} failed {n} receipts in a row; unbinding it", {
        account,
        n: h.failures,
      });
      s.unbind().catch((e) => log.error("unbinding failed: {error}", { error: String(e) }));
    }
  }

  async #scan(account: string, q: AccountOutbox) {
    q.scanStarted();
    try {
      for await (const p of this.#store.receiptPages(account)) {
        if (q.holds(p.id)) continue;
        if (!q.fits(p.receipts.length)) {
          q.dirty = true;
          break;
        }
        // A page whose receipts are all held through other pages is a crash leftover.
        if (!q.load(p)) this.#write([Store.pageDoneOp(account, p.id)]);
      }
    } catch (e) {
      log.error("reading receipts of {account} failed: {error}", { account, error: String(e) });
      q.dirty = true;
    } finally {
      q.scanEnded();
    }
    if (q.ready.length > 0) this.pump(account);
  }

  async #send(account: string, q: AccountOutbox, s: Receiver, item: Queued) {
    const o = this.#opts;
    const r = item.r;
    if (o.maxAgeMs > 0 && Date.now() - r.createdAt > o.maxAgeMs) {
      this.#c.receiptsExpired++;
      log.warn("receipt for {id} of {account} expired after {attempts} attempts; dropped", {
        id: r.messageId,
        account,
        attempts: r.attempts,
      });
      await this.#finish(q, item);
      return;
    }
    this.#c.receiptsSent++;
    if (this.#debug) {
      log.debug("receipt {id} for {account} sent (attempt {attempt})", {
        id: r.messageId,
        account,
        attempt: r.attempts + 1,
      });
    }
    let status: number;
    try {
      status = await s.deliver(o.build(r, s.interfaceVersion));
    } catch {
      status = -1; // timeout or session lost
    }
    this.#answered(s, status, account);
    if (status === Status.ESME_ROK) {
      this.#c.receiptsAcked++;
      if (this.#debug) {
        log.debug("receipt {id} for {account} acknowledged", { id: r.messageId, account });
      }
      // The window slot is free now: the next receipt need not wait for this one's removal.
      this.pump(account);
      await this.#finish(q, item);
      return;
    }
    if (status === Status.ESME_RX_P_APPN || status === Status.ESME_RX_R_APPN) {
      // A permanent refusal (spec §5.1.3): sending it again would only be refused again.
      this.#c.receiptsRefused++;
      log.warn("receipt {id} for {account} refused permanently (0x{status}); dropped", {
        id: r.messageId,
        account,
        status: status.toString(16),
      });
      this.pump(account);
      await this.#finish(q, item);
      return;
    }
    this.#c.receiptsRetried++;
    // Sent again only once stored again with its attempt counted.
    const moved = await this.#move(q, item);
    if (this.#otherHealthy(account, s)) {
      // Another receiver can take it now: no account-wide backoff for one bad session.
      q.ready.unshift(moved);
    } else this.#retry(account, q, moved, status);
    this.pump(account);
  }

  /** A receipt is done: its page goes once nothing in it is open (and moves out of it landed). */
  async #finish(q: AccountOutbox, item: Queued) {
    const op = q.done(item);
    if (!op) return;
    await Promise.all(item.page.moves);
    // A failed removal keeps the page held (nothing in it is sent again by this process); the
    // next start sends its receipts again.
    if (await this.#write([op])) q.removed(item.page);
    if (q.dirty && !q.scanning) this.pump(q.account);
  }

  /**
   * Stores a receipt again with its attempt counted, in a page of its own; resolves the receipt
   * as queued now (as it was when the write failed).
   */
  async #move(q: AccountOutbox, item: Queued): Promise<Queued> {
    const next: ReceiptRecord = { ...item.r, attempts: item.r.attempts + 1 };
    const { ops, queued, oldRemoved } = q.move(item, next);
    const written = this.#write(ops);
    item.page.moves.push(written);
    if (!(await written)) {
      q.unmove(item, queued);
      return item;
    }
    if (oldRemoved) q.removed(item.page);
    return queued;
  }

  /** Writes outbox mutations; resolves false (logged) when the write failed. */
  #write(ops: Mutation[]): Promise<boolean> {
    return this.#committer.write(ops).then(() => true, (e) => {
      log.error("updating the receipt outbox failed: {error}", { error: String(e) });
      return false;
    });
  }

  #otherHealthy(account: string, failed: Receiver): boolean {
    const now = Date.now();
    return this.#opts.receivers(account).some((s) => s !== failed && this.#healthy(s, now));
  }

  #retry(account: string, q: AccountOutbox, item: Queued, status: number) {
    const r = item.r;
    const delay = Math.min(
      this.#opts.retryMaxMs,
      this.#opts.retryBaseMs * 2 ** Math.min(r.attempts - 1, 20),
    );
    log.info("receipt {id} not acknowledged (status {status}); retry {n} in {delay} ms", {
      id: r.messageId,
      status,
      n: r.attempts,
      delay,
    });
    if (this.#stopped) return;
    const t = setTimeout(() => {
      this.#timers.delete(t);
      q.ready.push(item);
      this.pump(account);
    }, delay);
    this.#timers.add(t);
  }

  /** Stops sending and retrying; queued receipts stay in KV. */
  stop() {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }
}
