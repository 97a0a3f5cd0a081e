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
import type { GroupCommitter } from "../store/committer.ts";
import type { PduInit } from "../smpp/codec.ts";
import { Status } from "../smpp/status.ts";
import type { ReceiptRecord } from "../store/records.ts";
import { Store } from "../store/store.ts";

const log = getLogger(["smppgw", "receipts"]);

/** What the dispatcher needs of a receiver session. */
export interface Receiver {
  readonly interfaceVersion: number;
  canDeliver(): boolean;
  deliver(pdu: Omit<PduInit, "seq">): Promise<number>;
  /** Ends the session (a receiver that keeps failing). */
  unbind(): Promise<void>;
}

/** Dispatcher settings. */
export interface DispatcherOptions {
  /** The account's current receivers. */
  receivers: (account: string) => Receiver[];
  /** Builds the deliver_sm for a receipt, for a receiver's interface version. */
  build: (r: ReceiptRecord, interfaceVersion: number) => Omit<PduInit, "seq">;
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

interface AccountQueue {
  ready: ReceiptRecord[];
  /** Message ids queued, waiting for retry or in flight, so a KV scan skips them. */
  known: Set<string>;
  /** KV may hold receipts not in memory. */
  dirty: boolean;
  /** Acknowledged while the current scan runs: its pages may still show them. */
  ackedDuringScan: Set<string>;
  scanning: boolean;
  rr: number;
  /** A pump is scheduled for when the first skipped receiver is healthy again. */
  wake: ReturnType<typeof setTimeout> | undefined;
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
  readonly #accounts = new Map<string, AccountQueue>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #health = new WeakMap<Receiver, Health>();
  #stopped = false;
  /** Counters since start. */
  readonly #c: Counters;

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

  #queue(account: string): AccountQueue {
    let q = this.#accounts.get(account);
    if (!q) {
      q = {
        ready: [],
        known: new Set(),
        dirty: true,
        scanning: false,
        rr: 0,
        wake: undefined,
        ackedDuringScan: new Set(),
      };
      this.#accounts.set(account, q);
    }
    return q;
  }

  /** A receipt was committed to KV. */
  added(r: ReceiptRecord) {
    const q = this.#queue(r.account);
    if (q.known.has(r.messageId)) return;
    if (q.ready.length < this.#opts.memoryLimit && !q.dirty) {
      q.ready.push(r);
      q.known.add(r.messageId);
    } else q.dirty = true;
    this.pump(r.account);
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
  #pick(q: AccountQueue, receivers: Receiver[], now: number): Receiver | undefined {
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
  #wakeLater(account: string, q: AccountQueue, receivers: Receiver[], now: number) {
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

  /** Records how a receiver answered; unbinds one that failed too often in a row. */
  #answered(s: Receiver, ok: boolean, account: string) {
    if (ok) {
      this.#health.delete(s);
      return;
    }
    const h = this.#health.get(s) ?? { failures: 0, skipUntil: 0, unbinding: false };
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

  async #scan(account: string, q: AccountQueue) {
    q.scanning = true;
    q.dirty = false;
    q.ackedDuringScan.clear();
    try {
      const room = this.#opts.memoryLimit - q.ready.length;
      let seen = 0;
      for await (const r of this.#store.receipts(account)) {
        if (q.known.has(r.messageId) || q.ackedDuringScan.has(r.messageId)) continue;
        if (seen++ >= room) {
          q.dirty = true;
          break;
        }
        q.ready.push(r);
        q.known.add(r.messageId);
      }
    } catch (e) {
      log.error("reading receipts of {account} failed: {error}", { account, error: String(e) });
      q.dirty = true;
    } finally {
      q.scanning = false;
    }
    if (q.ready.length > 0) this.pump(account);
  }

  async #send(account: string, q: AccountQueue, s: Receiver, r: ReceiptRecord) {
    const o = this.#opts;
    if (o.maxAgeMs > 0 && Date.now() - r.createdAt > o.maxAgeMs) {
      this.#c.receiptsExpired++;
      log.warn("receipt for {id} of {account} expired after {attempts} attempts; dropped", {
        id: r.messageId,
        account,
        attempts: r.attempts,
      });
      await this.#committer.write([Store.receiptDoneOp(r)]).catch((e) => this.#writeFailed(e));
      q.known.delete(r.messageId);
      return;
    }
    this.#c.receiptsSent++;
    let status: number;
    try {
      status = await s.deliver(o.build(r, s.interfaceVersion));
    } catch {
      status = -1; // timeout or session lost
    }
    this.#answered(s, status === Status.ESME_ROK, account);
    if (status === Status.ESME_ROK) {
      this.#c.receiptsAcked++;
      // The window slot is free now: the next receipt need not wait for this one's removal.
      this.pump(account);
      try {
        await this.#committer.write([Store.receiptDoneOp(r)]);
      } catch (e) {
        log.error("removing acknowledged receipt {id} failed: {error}", {
          id: r.messageId,
          error: String(e),
        });
      }
      if (q.scanning) q.ackedDuringScan.add(r.messageId);
      q.known.delete(r.messageId);
      if (q.dirty && !q.scanning) this.pump(account);
      return;
    } else if (this.#otherHealthy(account, s)) {
      // Another receiver can take it now: no account-wide backoff for one bad session.
      this.#c.receiptsRetried++;
      const next: ReceiptRecord = { ...r, attempts: r.attempts + 1 };
      this.#committer.write([Store.receiptOp(next)]).catch((e) => this.#writeFailed(e));
      q.ready.unshift(next);
    } else {
      this.#retry(account, q, r, status);
    }
    this.pump(account);
  }

  #otherHealthy(account: string, failed: Receiver): boolean {
    const now = Date.now();
    return this.#opts.receivers(account).some((s) => s !== failed && this.#healthy(s, now));
  }

  #writeFailed(e: unknown) {
    log.error("updating a queued receipt failed: {error}", { error: String(e) });
  }

  #retry(account: string, q: AccountQueue, r: ReceiptRecord, status: number) {
    this.#c.receiptsRetried++;
    const next: ReceiptRecord = { ...r, attempts: r.attempts + 1 };
    const delay = Math.min(
      this.#opts.retryMaxMs,
      this.#opts.retryBaseMs * 2 ** Math.min(r.attempts, 20),
    );
    log.info("receipt {id} not acknowledged (status {status}); retry {n} in {delay} ms", {
      id: r.messageId,
      status,
      n: next.attempts,
      delay,
    });
    this.#committer.write([Store.receiptOp(next)]).catch((e) => this.#writeFailed(e));
    if (this.#stopped) return;
    const t = setTimeout(() => {
      this.#timers.delete(t);
      q.ready.push(next);
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
