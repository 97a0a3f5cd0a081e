/**
 * The receipt outbox: receipts live in KV until an RX/TRX session answers deliver_sm_resp OK
 * (at-least-once). Sends are spread round robin over the account's receivers, each within its
 * deliver window; failures are retried with backoff; a session bind pulls what waited in KV.
 */
import { getLogger } from "@logtape/logtape";
import type { GroupCommitter } from "./committer.ts";
import type { PduInit } from "./pdu/codec.ts";
import { Status } from "./pdu/status.ts";
import type { ReceiptRecord } from "./records.ts";
import { Store } from "./store.ts";

const log = getLogger(["smppgw", "receipts"]);

/** What the dispatcher needs of a receiver session. */
export interface Receiver {
  readonly interfaceVersion: number;
  canDeliver(): boolean;
  deliver(pdu: Omit<PduInit, "seq">): Promise<number>;
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
}

/** Counters of the receipt outbox. */
export interface ReceiptCounters {
  sent: number;
  acked: number;
  retried: number;
  expired: number;
}

/** Delivers queued receipts to receiver sessions. */
export class ReceiptDispatcher {
  readonly #store: Store;
  readonly #committer: GroupCommitter;
  readonly #opts: Required<DispatcherOptions>;
  readonly #accounts = new Map<string, AccountQueue>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #stopped = false;
  /** Counters since start. */
  readonly counters: ReceiptCounters = { sent: 0, acked: 0, retried: 0, expired: 0 };

  constructor(store: Store, committer: GroupCommitter, opts: DispatcherOptions) {
    this.#store = store;
    this.#committer = committer;
    this.#opts = {
      ...opts,
      retryBaseMs: opts.retryBaseMs ?? 5_000,
      retryMaxMs: opts.retryMaxMs ?? 300_000,
      maxAgeMs: opts.maxAgeMs ?? 72 * 3600_000,
      memoryLimit: opts.memoryLimit ?? 10_000,
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
    while (q.ready.length > 0) {
      const s = this.#pick(q, receivers);
      if (!s) return;
      this.#send(account, q, s, q.ready.shift()!);
    }
    if (q.dirty && !q.scanning) this.#scan(account, q);
  }

  #pick(q: AccountQueue, receivers: Receiver[]): Receiver | undefined {
    for (let i = 0; i < receivers.length; i++) {
      const s = receivers[(q.rr + i) % receivers.length];
      if (s.canDeliver()) {
        q.rr = (q.rr + i + 1) % receivers.length;
        return s;
      }
    }
    return undefined;
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
      this.counters.expired++;
      log.warn("receipt for {id} of {account} expired after {attempts} attempts; dropped", {
        id: r.messageId,
        account,
        attempts: r.attempts,
      });
      await this.#committer.write([Store.receiptDoneOp(r)]).catch(() => {});
      q.known.delete(r.messageId);
      return;
    }
    this.counters.sent++;
    let status: number;
    try {
      status = await s.deliver(o.build(r, s.interfaceVersion));
    } catch {
      status = -1; // timeout or session lost
    }
    if (status === Status.ESME_ROK) {
      this.counters.acked++;
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
    } else {
      this.#retry(account, q, r, status);
    }
    this.pump(account);
  }

  #retry(account: string, q: AccountQueue, r: ReceiptRecord, status: number) {
    this.counters.retried++;
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
    this.#committer.write([Store.receiptOp(next)]).catch(() => {});
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
