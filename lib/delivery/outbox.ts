/**
 * One account's receipt outbox as held in memory: the receipts waiting to be sent, and the KV
 * pages they came from. A page (receipts stored together at settle time) is removed from KV once
 * every receipt in it is acknowledged, expired or moved to a page of its own (a resend with its
 * attempt counted), so a receipt costs two page-shares of KV writes, not a write and a delete.
 *
 * A page is held whole or not at all: removing a page whose receipts were only partly in memory
 * would lose the rest.
 */
import type { KeyedMutation } from "../store/committer.ts";
import type { ReceiptRecord } from "../store/records.ts";
import { outboxKey, type OutboxPage, Store } from "../store/store.ts";

/** A page with receipts in memory. */
export interface HeldPage {
  readonly id: string;
  /** Its receipts still held (waiting, in flight, or waiting for a retry). */
  open: number;
  /** When its oldest receipt was created (ms since the epoch). */
  readonly oldest: number;
  /** Ids of its receipts that are done (acknowledged or expired). */
  readonly finished: string[];
  /**
   * Writes of receipts moved out of it (true once committed): the page is removed only after
   * them, whatever order the store commits concurrent writes in.
   */
  readonly moves: Promise<boolean>[];
}

/** When the oldest receipt of a page was created. */
function oldestOf(p: OutboxPage): number {
  let oldest = Infinity;
  for (const r of p.receipts) if (r.createdAt < oldest) oldest = r.createdAt;
  return oldest;
}

/** Makes the page ids of resends unique within this process (a crash leftover may hold one). */
let resends = 0;

/** A receipt waiting to be sent, with the page that stores it. */
export interface Queued {
  r: ReceiptRecord;
  page: HeldPage;
}

/** What an account's outbox holds, for metrics. */
export interface OutboxLevel {
  /** Receipts held and not done, plus those of pages stored since start and not loaded. */
  depth: number;
  /** When the oldest of them was created (ms since the epoch; Infinity when none). */
  oldestAt: number;
}

/** In-memory state of one account's outbox. */
export class AccountOutbox {
  /** Receipts ready to be sent, oldest first. */
  readonly ready: Queued[] = [];
  /** KV may hold pages not in memory. */
  dirty = true;
  scanning = false;
  /** Round-robin position over the account's receivers. */
  rr = 0;
  /** A pump is scheduled for when the first skipped receiver is healthy again. */
  wake: ReturnType<typeof setTimeout> | undefined;
  /** Receipt ids held, or done with their page's removal not yet committed. */
  readonly #known = new Set<string>();
  readonly #pages = new Map<string, HeldPage>();
  /** Pages removed while a scan ran: its listing may still show them. */
  readonly #removedDuringScan = new Set<string>();
  /** Pages stored since start but not loaded (no room): their receipts and oldest time. */
  readonly #parked = new Map<string, { n: number; oldest: number }>();

  constructor(readonly account: string, readonly memoryLimit: number) {}

  /** Whether the page is held (its receipts are in memory). */
  holds(pageId: string): boolean {
    return this.#pages.has(pageId) || this.#removedDuringScan.has(pageId);
  }

  /** Ids of a held page's receipts that are done but still in the stored page. */
  finished(pageId: string): readonly string[] {
    return this.#pages.get(pageId)?.finished ?? [];
  }

  /** Whether a page of `n` receipts fits in memory now (an empty queue takes any page). */
  fits(n: number): boolean {
    return this.ready.length === 0 || this.ready.length + n <= this.memoryLimit;
  }

  /**
   * Holds a page's receipts (those not held already through another page). Returns false when
   * none was new: the page is a leftover of a crash (its receipts live on elsewhere) and can go.
   */
  load(p: OutboxPage): boolean {
    this.#parked.delete(p.id);
    const page: HeldPage = { id: p.id, open: 0, oldest: oldestOf(p), finished: [], moves: [] };
    for (const r of p.receipts) {
      const key = outboxKey(r);
      if (this.#known.has(key)) continue;
      this.#known.add(key);
      this.ready.push({ r, page });
      page.open++;
    }
    if (page.open === 0) return false;
    this.#pages.set(p.id, page);
    return true;
  }

  /** A page was stored but not loaded (no room): counted in {@link level} until loaded. */
  park(p: OutboxPage) {
    this.#parked.set(p.id, { n: p.receipts.length, oldest: oldestOf(p) });
  }

  /** The receipts waiting (held and not done, or parked) and when the oldest was created. */
  level(): OutboxLevel {
    const level = { depth: 0, oldestAt: Infinity };
    const add = (n: number, oldest: number) => {
      if (n === 0) return;
      level.depth += n;
      level.oldestAt = Math.min(level.oldestAt, oldest);
    };
    for (const p of this.#pages.values()) add(p.open, p.oldest);
    for (const p of this.#parked.values()) add(p.n, p.oldest);
    return level;
  }

  /** Starts a scan of KV: pages removed from now on are remembered until it ends. */
  scanStarted() {
    this.scanning = true;
    this.dirty = false;
    this.#removedDuringScan.clear();
  }

  /** The scan ended. */
  scanEnded() {
    this.scanning = false;
    this.#removedDuringScan.clear();
  }

  /**
   * A receipt is done (acknowledged or expired). Returns the mutation removing its page when it
   * was the page's last open receipt; call {@link removed} once that is committed.
   */
  done(q: Queued): KeyedMutation | null {
    q.page.finished.push(outboxKey(q.r));
    return --q.page.open === 0 ? Store.pageDoneOp(this.account, q.page.id) : null;
  }

  /**
   * Moves a receipt to a page of its own (a resend, its attempt counted): the new page, and the
   * old page's removal when nothing else in it is open. Returns the mutations, to be written in one
   * atomic write before the receipt is sent again, and the receipt as queued then. Once committed,
   * call {@link removed} for the old page when `oldRemoved` is set; if the write fails, call
   * {@link unmove}.
   */
  move(
    q: Queued,
    next: ReceiptRecord,
  ): { ops: KeyedMutation[]; queued: Queued; oldRemoved: boolean } {
    const id = `${next.messageId}:${next.attempts}.${Date.now().toString(36)}${++resends}`;
    const page: HeldPage = { id, open: 1, oldest: next.createdAt, finished: [], moves: [] };
    this.#pages.set(id, page);
    const ops: KeyedMutation[] = [Store.pageOp({ account: this.account, id, receipts: [next] })];
    const oldRemoved = --q.page.open === 0;
    if (oldRemoved) ops.push(Store.pageDoneOp(this.account, q.page.id));
    return { ops, queued: { r: next, page }, oldRemoved };
  }

  /** A move's write failed: the receipt stays in its old page. */
  unmove(old: Queued, moved: Queued) {
    old.page.open++;
    this.#pages.delete(moved.page.id);
  }

  /** A page's removal is committed: its done receipts are forgotten. */
  removed(page: HeldPage) {
    this.#pages.delete(page.id);
    for (const id of page.finished) this.#known.delete(id);
    if (this.scanning) this.#removedDuringScan.add(page.id);
  }
}
