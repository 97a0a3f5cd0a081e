/**
 * Finding the pending messages a cancel_sm or replace_sm names: by `message_id` (a full id, a
 * 3.3 bind's short id, or a submit_multi's id standing for each of its destinations), or by
 * addresses (a bounded scan of what waits).
 */
import type { MessageRecord } from "../store/records.ts";
import type { Store } from "../store/store.ts";
import type { PendingIds } from "./pending.ts";
import { resolveId } from "./short_ids.ts";

/** Pending messages read per search by addresses at most (a bounded scan of what waits). */
export const MAX_PENDING_SCAN = 100_000;

/** What the searches read. */
export interface TargetParts {
  store: Store;
  pending: PendingIds;
}

/**
 * The pending messages of `account` that `messageId` names, with `source` (when not empty) as
 * their source_addr (spec §4.9.1: it must be the submission's). Parts joined for a "whole" route
 * are left out: their route has the joined message.
 */
export async function messagesById(
  p: TargetParts,
  account: string,
  messageId: string,
  source: string,
): Promise<MessageRecord[]> {
  const id = await resolveId(p.store, messageId);
  if (id === null) return [];
  const ids = (await p.store.multi(id)) ?? [id];
  const out: MessageRecord[] = [];
  for (const x of ids) {
    if (!p.pending.has(x)) continue;
    const m = await p.store.message(x);
    if (m && m.account === account && !m.joinLater && (!source || source === m.source.addr)) {
      out.push(m);
    }
  }
  return out;
}

/**
 * The pending messages of `account` from `source` to `dest` (and of `serviceType` when not
 * empty), oldest first; at most {@link MAX_PENDING_SCAN} are looked at.
 */
export async function messagesByAddress(
  p: TargetParts,
  account: string,
  source: string,
  dest: string,
  serviceType: string,
): Promise<MessageRecord[]> {
  const out: MessageRecord[] = [];
  for (const id of p.pending.open(MAX_PENDING_SCAN)) {
    const m = await p.store.message(id);
    if (
      m && m.account === account && !m.joinLater && m.source.addr === source &&
      m.dest.addr === dest && (!serviceType || m.serviceType === serviceType)
    ) out.push(m);
  }
  return out;
}
