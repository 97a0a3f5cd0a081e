/** Turning a route's outcome into stored state and receipts: one receipt per submitted part. */
import type { Mutation } from "../store/committer.ts";
import type { JobRecord, ReceiptRecord, Stat } from "../store/records.ts";
import { STAT_STATES } from "../store/records.ts";
import { Store } from "../store/store.ts";

/** True when registered_delivery asks for a receipt of this final state. */
export function wantsReceipt(registeredDelivery: number, stat: Stat): boolean {
  const rd = registeredDelivery & 0x03;
  return rd === 1 || (rd === 2 && stat !== "DELIVRD");
}

/**
 * The mutations and receipts settling one job: for a joined job, every part gets its state and
 * its own receipt (with its own id); the job itself is removed once. The receipts are stored in
 * outbox pages by the caller, in the same atomic write as the states.
 */
export function settlement(
  job: JobRecord,
  stat: Stat,
  err: string,
  now: number,
): { ops: Mutation[]; receipts: ReceiptRecord[] } {
  const parts = job.joinedParts ?? [{ id: job.id, seq: 1, preview: job.preview }];
  const ops: Mutation[] = [];
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
    const state = { state: STAT_STATES[stat], doneAt: now, err };
    ops.push(...Store.settleOps(job, p.id, state));
  }
  return { ops, receipts };
}
