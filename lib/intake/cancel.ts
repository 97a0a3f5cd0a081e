/**
 * cancel_sm (spec §4.9): by message_id (with the submission's source_addr), or every pending
 * message of the account from source_addr to destination_addr (and service_type when given).
 * Only messages not yet handed to a route can be cancelled: they become DELETED and are never
 * sent. Nothing to cancel → ESME_RCANCELFAIL (0x11).
 */
import type { Reply } from "../session/contract.ts";
import type { Pdu } from "../smpp/codec.ts";
import { Status } from "../smpp/status.ts";
import type { MessageRecord } from "../store/records.ts";
import { messagesByAddress, messagesById, type TargetParts } from "./targets.ts";

/** What cancelling needs. */
export interface CancelParts extends TargetParts {
  /**
   * Settles the messages DELETED (their receipts queued when asked); resolves once stored to how
   * many were (not those a route is sending right now).
   */
  cancel(messages: MessageRecord[]): Promise<number>;
}

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
    targets = await messagesById(p, account, b.message_id, b.source_addr);
  } else {
    if (!b.source_addr || !b.destination_addr) return fail;
    targets = await messagesByAddress(
      p,
      account,
      b.source_addr,
      b.destination_addr,
      b.service_type,
    );
  }
  if (targets.length === 0 || (await p.cancel(targets)) === 0) return fail;
  return { status: Status.ESME_ROK };
}
