/**
 * The mutations the gateway writes, built over the keys of keys.ts and the layouts of layouts.ts:
 * each a value for the group committer, so callers put what belongs together in one atomic write.
 */
import type { KeyedMutation, Mutation } from "./committer.ts";
import { Keys } from "./keys.ts";
import {
  encodeMessage,
  encodeReceiptPage,
  encodeState,
  encodeStateRun,
  INLINE_BODY,
  PAGE_BYTES,
  PAGE_RECEIPTS,
  receiptSize,
} from "./layouts.ts";
import type {
  JobRecord,
  JoinedRecord,
  MessageRecord,
  PartRef,
  ReceiptRecord,
  StateRecord,
} from "./records.ts";

/** Receipts of one account stored together under one outbox key. */
export interface OutboxPage {
  /** The account the receipts go to. */
  account: string;
  /** The page's key part: its first receipt's message id (a resend: id and attempt). */
  id: string;
  /** The receipts, in the order they were queued. */
  receipts: ReceiptRecord[];
}

/** A route's progress on a job that failed before (kept until the job settles). */
export interface RouteJob {
  /** The route's name. */
  route: string;
  /** Attempts made. */
  attempts: number;
  /** When to try again (ms since the epoch). */
  nextAt: number;
}

/**
 * What identifies an outbox entry (and names a page it starts): the message id, apart for an
 * intermediate notification (a message may have one waiting beside its final receipt).
 */
export function outboxKey(r: ReceiptRecord): string {
  return r.intermediate ? `${r.messageId}:i` : r.messageId;
}

/** Octets per body chunk entry. */
const BODY_CHUNK = INLINE_BODY;

const NO_BODY = new Uint8Array(0);

/** Mutation builders; {@link Store} has them as its static methods (`Store.stateOp(…)`). */
export class StoreMutations {
  /**
   * Mutations that accept a message: the record (a large body in chunk entries), and for a part,
   * its entry in the join queue. The stored message without a state is the route's job.
   */
  static acceptOps(m: MessageRecord, opts: { partTtlMs?: number } = {}): Mutation[] {
    const ops: Mutation[] = [{ type: "message", message: m }];
    if (m.body.length > INLINE_BODY) {
      for (let i = 0; i * BODY_CHUNK < m.body.length; i++) {
        ops.push({
          type: "set",
          key: Keys.bodyChunk(m.id, i),
          value: m.body.subarray(i * BODY_CHUNK, (i + 1) * BODY_CHUNK),
        });
      }
    }
    if (m.concat) {
      const part: PartRef = {
        id: m.id,
        seq: m.concat.seq,
        preview: m.preview,
        waited: m.joinLater === true,
      };
      if (m.publicId !== undefined) part.publicId = m.publicId;
      ops.push({
        type: "set",
        key: Keys.pendingPart(m.account, m.concat.group, m.concat.seq, m.id),
        value: part,
        expireIn: opts.partTtlMs,
      });
    }
    return ops;
  }

  /** Mutations that store a message's replacement (its own id; the body inline). */
  static replacedOps(m: MessageRecord): KeyedMutation[] {
    if (m.body.length > INLINE_BODY) throw new RangeError("a replacement's body must be inline");
    return [
      { type: "set", key: Keys.replaced(m.id), value: encodeMessage(m) },
      { type: "set", key: Keys.anyReplaced(), value: true },
    ];
  }

  /**
   * Mutation that maps a 3.3 bind's 8-character id `n` to message `id` (the counter's floor is
   * written once per atomic: see {@link Store.shortIdFloorOp}).
   */
  static shortIdOp(n: number, id: string): KeyedMutation {
    return { type: "set", key: Keys.shortId(n), value: id };
  }

  /** Mutation that moves the short-id counter's floor up to `n` (a KV `max`). */
  static shortIdFloorOp(n: number): KeyedMutation {
    return { type: "max", key: Keys.shortIdFloor(), value: BigInt(n) };
  }

  /** Mutation that lists the messages of a submit_multi under its id. */
  static multiOp(id: string, ids: readonly string[]): KeyedMutation {
    return { type: "set", key: Keys.multi(id), value: ids };
  }

  /** Mutations that record a joined message and clear its join queue. */
  static joinedOps(j: JoinedRecord, pending: PartRef[]): Mutation[] {
    const ops: Mutation[] = [{ type: "set", key: Keys.joined(j.account, j.id), value: j }];
    for (const p of pending) {
      ops.push({ type: "delete", key: Keys.pendingPart(j.account, j.group, p.seq, p.id) });
      ops.push({ type: "set", key: Keys.partOf(p.id), value: { account: j.account, id: j.id } });
    }
    return ops;
  }

  /**
   * Mutation that stores an explicit job (a joined message for a "whole" route, or a released
   * part: without its body, which may be large and is read from the message when resumed).
   */
  static jobOp(job: JobRecord): KeyedMutation {
    const value = job.released ? { ...job, body: NO_BODY } : job;
    return { type: "set", key: Keys.job(job.route, job.id), value };
  }

  /**
   * Mutation that moves a route's checkpoint forward (a KV `max` of the id as a number, so an
   * atomic that commits late, or a run with nothing pending, never moves it back).
   */
  static checkpointOp(route: string, id: string): KeyedMutation {
    return { type: "max", key: Keys.checkpoint(route), value: id ? BigInt(id) : 0n };
  }

  /** Mutation that stores a route's progress on a job (removed when the job settles). */
  static routeJobOp(id: string, job: RouteJob): KeyedMutation {
    return { type: "set", key: Keys.routeJob(id), value: job };
  }

  /** Mutation that removes a route's progress record. */
  static routeJobDoneOp(id: string): KeyedMutation {
    return { type: "delete", key: Keys.routeJob(id) };
  }

  /** Mutation that maps a provider's id of `route` to our message id. */
  static providerIdOp(route: string, providerId: string, id: string): KeyedMutation {
    return { type: "set", key: Keys.providerId(route, providerId), value: id };
  }

  /** Mutation that gives one message its final state. */
  static stateOp(id: string, state: StateRecord): KeyedMutation {
    return { type: "set", key: Keys.state(id), value: encodeState(state) };
  }

  /** Mutation that removes an explicit job (a joined message) once settled. */
  static jobDoneOp(job: JobRecord): KeyedMutation {
    return { type: "delete", key: Keys.job(job.route, job.id) };
  }

  /**
   * Mutation that gives every message of a run (ids handed out one after the other, see
   * PendingIds.runs) the same state: one record for them all.
   */
  static stateRunOp(first: string, last: string, state: StateRecord): KeyedMutation {
    return { type: "set", key: Keys.stateRun(first), value: encodeStateRun({ ...state, last }) };
  }

  /** Receipts (of any accounts) split into outbox pages, by account, in order. */
  static pages(receipts: readonly ReceiptRecord[]): OutboxPage[] {
    const open = new Map<string, { page: OutboxPage; bytes: number }>();
    const out: OutboxPage[] = [];
    for (const r of receipts) {
      const size = receiptSize(r);
      let cur = open.get(r.account);
      if (!cur || cur.page.receipts.length >= PAGE_RECEIPTS || cur.bytes + size > PAGE_BYTES) {
        // An intermediate notification's page must not share its key with the final receipt's.
        cur = { page: { account: r.account, id: outboxKey(r), receipts: [] }, bytes: 0 };
        open.set(r.account, cur);
        out.push(cur.page);
      }
      cur.page.receipts.push(r);
      cur.bytes += size;
    }
    return out;
  }

  /** Mutation that stores an outbox page. */
  static pageOp(p: OutboxPage): KeyedMutation & { value: Uint8Array } {
    return {
      type: "set",
      key: Keys.receiptPage(p.account, p.id),
      value: encodeReceiptPage(p.receipts),
    };
  }

  /** Mutation that removes an outbox page (every receipt in it acknowledged or moved). */
  static pageDoneOp(account: string, id: string): KeyedMutation {
    return { type: "delete", key: Keys.receiptPage(account, id) };
  }

  /** Mutation that records a day's quota use. */
  static quotaOp(account: string, day: string, used: number): KeyedMutation {
    return { type: "set", key: Keys.quota(account, day), value: used, expireIn: 3 * 86_400_000 };
  }
}
