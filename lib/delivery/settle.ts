/** Turning a route's outcome into stored state and receipts: one receipt per submitted part. */
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
  const parts = job.joinedParts ?? [{ id: job.id, seq: 1, preview: job.preview }];
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
    if (receipt) receipts.push(receipt);
    ids.push(p.id);
  }
  return {
    state: { state: STAT_STATES[stat], doneAt: now, err },
    ids,
    jobDone: job.joinedParts ? Store.jobDoneOp(job) : null,
    receipts,
  };
}
