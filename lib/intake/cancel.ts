/**
 * cancel_sm (spec §4.9): by message_id (with the submission's source_addr), or every pending
 * message of the account from source_addr to destination_addr (and service_type when given).
 * Only messages not yet handed to a route can be cancelled: they become DELETED and are never
 * sent. Nothing to cancel → ESME_RCANCELFAIL (0x11).
 */
import type { Reply } from "../session/session.ts";
import type { Pdu } from "../smpp/codec.ts";
import { Status } from "../smpp/status.ts";
import type { MessageRecord } from "../store/records.ts";
import type { Store } from "../store/store.ts";
import type { PendingIds } from "./pending.ts";

/** What cancelling needs. */
export interface CancelParts {
  store: Store;
  pending: PendingIds;
  /** Settles the messages DELETED (their receipts queued when asked); resolves once stored. */
  cancel(messages: MessageRecord[]): Promise<void>;
}

/** Pending messages read per cancel by addresses at most (a bounded scan of what waits). */
export const MAX_CANCEL_SCAN = 100_000;

/** The cancel_sm_resp for a request of `account`. */
export async function cancelReply(
  p: CancelParts,
  account: string,
  pdu: Pdu<"cancel_sm">,
): Promise<Reply> {
  const b = pdu.body;
  const fail = { status: Status.ESME_RCANCELFAIL };
  let targets: MessageRecord[];
  if (b.message_id) {
    const m = p.pending.has(b.message_id) ? await p.store.message(b.message_id) : null;
    if (!m || m.account !== account || m.joinLater) return fail;
    // The source_addr must be the submission's (spec §4.9.1); an empty one is not checked.
    if (b.source_addr && b.source_addr !== m.source.addr) return fail;
    targets = [m];
  } else {
    if (!b.source_addr || !b.destination_addr) return fail;
    targets = [];
    for (const id of p.pending.open(MAX_CANCEL_SCAN)) {
      const m = await p.store.message(id);
      if (
        m && m.account === account && !m.joinLater && m.source.addr === b.source_addr &&
        m.dest.addr === b.destination_addr && (!b.service_type || m.serviceType === b.service_type)
      ) targets.push(m);
    }
  }
  if (targets.length === 0) return fail;
  await p.cancel(targets);
  return { status: Status.ESME_ROK };
}
