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
 * in runs) and the receipts (in outbox pages) in one atomic write. `state` may be shared by
 * the settlements of one outcome (fewer objects per settle).
 */
export function settlement(
  job: JobRecord,
  stat: Stat,
  err: string,
  now: number,
  state: StateRecord = { state: STAT_STATES[stat], doneAt: now, err },
): Settlement {
  const receipted = wantsReceipt(job.registeredDelivery, stat);
  const receipts: ReceiptRecord[] = [];
  // The usual job is one message: no parts list is made for it.
  if (job.joinedParts === undefined) {
    if (receipted) receipts.push(receiptOf(job, job.id, job.preview, job.publicId, stat, err, now));
    const jobDone = job.released ? Store.jobDoneOp(job) : null;
    return { job, state, ids: [job.id], jobDone, receipts };
  }
  const ids: string[] = [];
  for (const p of job.joinedParts) {
    if (receipted) receipts.push(receiptOf(job, p.id, p.preview, p.publicId, stat, err, now));
    ids.push(p.id);
  }
  return { job, state, ids, jobDone: Store.jobDoneOp(job), receipts };
}

/** The receipt of message `id` (the job's own, or one part of a joined job). */
function receiptOf(
  job: JobRecord,
  id: string,
  preview: string,
  publicId: string | undefined,
  stat: Stat,
  err: string,
  now: number,
): ReceiptRecord {
  const receipt: ReceiptRecord = {
    messageId: id,
    account: job.account,
    source: job.dest,
    dest: job.source,
    submitAt: job.submitAt,
    doneAt: now,
    stat,
    err,
    preview,
    userMessageReference: job.userMessageReference,
    attempts: 0,
    createdAt: now,
  };
  if (publicId !== undefined) receipt.publicId = publicId;
  return receipt;
}

/**
 * The state mutations of settlements written together: messages handed out one after the other
 * with the same outcome share one state-run record (see PendingIds.runs); the others, and the
 * parts of joined messages, get one each.
 */
export function stateOps(settled: readonly Settlement[], pending: PendingIds): Mutation[] {
  const ops: Mutation[] = [];
  // A settle has a few outcomes at most: found by a scan, no key string made per message.
  const byOutcome: { state: StateRecord; ids: string[] }[] = [];
  for (const s of settled) {
    if (s.jobDone) {
      for (const id of s.ids) ops.push(Store.stateOp(id, s.state));
      continue;
    }
    let same = byOutcome.find((g) =>
      g.state === s.state || (g.state.state === s.state.state && g.state.err === s.state.err)
    );
    if (!same) byOutcome.push(same = { state: s.state, ids: [] });
    for (const id of s.ids) same.ids.push(id);
  }
  for (const { state, ids } of byOutcome) {
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
