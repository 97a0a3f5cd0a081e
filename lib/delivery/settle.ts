/** Turning a route's outcome into stored state and receipts: one receipt per submitted part. */
import type { PendingIds } from "../intake/pending.ts";
import type { Mutation } from "../store/committer.ts";
import type { JobRecord, ReceiptRecord, Stat, StateRecord } from "../store/records.ts";
import { STAT_STATES } from "../store/records.ts";
import { Store } from "../store/store.ts";

/** True when registered_delivery asks for a receipt of this final state. */
export function wantsReceipt(registeredDelivery: number, stat: Stat): boolean {
  const rd = registeredDelivery & 0x03;
  return rd === 1 || (rd === 2 && stat !== "DELIVRD");
}

/** What settling one job stores. */
export interface Settlement {
  /** The job settled. */
  job: JobRecord;
  /** The state every id gets (the job's own id, or each part's of a joined job). */
  state: StateRecord;
  ids: string[];
  /** Removes the explicit job of a joined message. */
  jobDone: Mutation | null;
  /** The receipts owed, one per id that asked for one. */
  receipts: ReceiptRecord[];
}

/**
 * What settling one job stores: for a joined job, every part gets the state and its own receipt
 * (with its own id), and the job itself is removed. The caller writes the states (one by one or
 * in runs) and the receipts (in outbox pages) in one atomic write.
 */
export function settlement(job: JobRecord, stat: Stat, err: string, now: number): Settlement {
  const parts = job.joinedParts ?? [
    { id: job.id, seq: 1, preview: job.preview, publicId: job.publicId },
  ];
  const ids: string[] = [];
  const receipts: ReceiptRecord[] = [];
  for (const p of parts) {
    const receipt: ReceiptRecord | null = wantsReceipt(job.registeredDelivery, stat)
      ? {
        messageId: p.id,
        account: job.account,
        source: job.dest,
        dest: job.source,
        submitAt: job.submitAt,
        doneAt: now,
        stat,
        err,
        preview: p.preview,
        userMessageReference: job.userMessageReference,
        attempts: 0,
        createdAt: now,
      }
      : null;
    if (receipt) {
      if (p.publicId !== undefined) receipt.publicId = p.publicId;
      receipts.push(receipt);
    }
    ids.push(p.id);
  }
  return {
    job,
    state: { state: STAT_STATES[stat], doneAt: now, err },
    ids,
    jobDone: job.joinedParts ? Store.jobDoneOp(job) : null,
    receipts,
  };
}

/**
 * The state mutations of settlements written together: messages handed out one after the other
 * with the same outcome share one state-run record (see PendingIds.runs); the others, and the
 * parts of joined messages, get one each.
 */
export function stateOps(settled: readonly Settlement[], pending: PendingIds): Mutation[] {
  const ops: Mutation[] = [];
  const byOutcome = new Map<string, { state: StateRecord; ids: string[] }>();
  for (const s of settled) {
    if (s.jobDone) {
      for (const id of s.ids) ops.push(Store.stateOp(id, s.state));
      continue;
    }
    const key = `${s.state.state}|${s.state.err}`;
    let same = byOutcome.get(key);
    if (!same) byOutcome.set(key, same = { state: s.state, ids: [] });
    for (const id of s.ids) same.ids.push(id);
  }
  for (const { state, ids } of byOutcome.values()) {
    for (const run of pending.runs(ids)) {
      ops.push(
        run.length === 1
          ? Store.stateOp(run[0], state)
          : Store.stateRunOp(run[0], run[run.length - 1], state),
      );
    }
  }
  return ops;
}
