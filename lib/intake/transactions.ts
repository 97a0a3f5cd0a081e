/**
 * data_sm in transaction mode (esm_class & 0x03 = 0x02): its data_sm_resp waits for the route's
 * outcome (the final state, or the hand-over to a provider) or a timeout, instead of answering at
 * once after the commit.
 */
import type { Reply } from "../session/contract.ts";
import { Status } from "../smpp/status.ts";
import { intTlv, Tag } from "../smpp/tlvs.ts";
import type { Stat } from "../store/records.ts";

/** The route's outcome for a transaction: a final state, or taken by a provider. */
export type TransactionOutcome = { stat: Stat; err: string } | "handed-over" | "timeout";

/** Transaction-mode messages waiting for their outcome, by message id. */
export class Transactions {
  readonly #waiting = new Map<string, (o: TransactionOutcome) => void>();

  /** How many wait now (delivery skips the lookups when none does). */
  get size(): number {
    return this.#waiting.size;
  }

  /** Waits for message `id`'s outcome, at most `timeoutMs`. Register before the route gets it. */
  wait(id: string, timeoutMs: number): Promise<TransactionOutcome> {
    const { promise, resolve } = Promise.withResolvers<TransactionOutcome>();
    const t = setTimeout(() => this.#resolve(id, "timeout"), timeoutMs);
    this.#waiting.set(id, (o) => {
      clearTimeout(t);
      resolve(o);
    });
    return promise;
  }

  /** Message `id` reached a final state. */
  settled(id: string, stat: Stat, err: string) {
    this.#resolve(id, { stat, err });
  }

  /** Message `id` was taken by its provider (it waits for a receipt now). */
  handedOver(id: string) {
    this.#resolve(id, "handed-over");
  }

  #resolve(id: string, o: TransactionOutcome) {
    const w = this.#waiting.get(id);
    if (!w) return;
    this.#waiting.delete(id);
    w(o);
  }
}

/**
 * The data_sm_resp for a transaction's outcome: OK with the message id when delivered, taken by a
 * provider, or still on its way at the timeout (it stays stored and goes on); otherwise
 * ESME_RDELIVERYFAILURE with `delivery_failure_reason` and `network_error_code`.
 */
export function transactionReply(id: string, o: TransactionOutcome): Reply {
  if (o === "handed-over" || o === "timeout" || o.stat === "DELIVRD" || o.stat === "ACCEPTD") {
    return { status: Status.ESME_ROK, body: { message_id: id } };
  }
  const code = Number.parseInt(o.err, 10) || 0;
  // delivery_failure_reason: 0 destination unavailable, 2 permanent network error.
  const reason = o.stat === "UNDELIV" || o.stat === "REJECTD" ? 2 : 0;
  return {
    status: Status.ESME_RDELIVERYFAILURE,
    errorBody: true,
    body: { message_id: id },
    tlvs: [
      intTlv(Tag.delivery_failure_reason, reason),
      { tag: Tag.network_error_code, value: Uint8Array.of(3, (code >> 8) & 0xff, code & 0xff) },
    ],
  };
}
