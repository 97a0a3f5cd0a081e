/** query_sm answered from the store (spec §4.8). */
import type { Pdu } from "../smpp/codec.ts";
import { Status } from "../smpp/status.ts";
import { MessageState } from "../store/records.ts";
import type { Reply } from "../session/contract.ts";
import type { Store } from "../store/store.ts";
import { resolveId } from "./short_ids.ts";

/** SMPP absolute time `YYMMDDhhmmss000+` in UTC. */
export function smppTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${
    p(d.getUTCHours())
  }${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}000+`;
}

/**
 * The query_sm_resp for a message of `account`: ESME_RQUERYFAIL when unknown, another account's,
 * or with a source_addr other than the submission's.
 */
export async function queryReply(
  store: Store,
  account: string,
  pdu: Pdu<"query_sm">,
): Promise<Reply> {
  // A 3.3 bind's 8-character id stands for the full one.
  const id = pdu.body.message_id ? await resolveId(store, pdu.body.message_id) : null;
  const msg = id ? await store.message(id) : null;
  if (!msg || msg.account !== account) return { status: Status.ESME_RQUERYFAIL };
  // Spec §4.8.1: source_addr must match the original submission. An empty one is not checked:
  // a submission that left it empty was given the account's default source.
  if (pdu.body.source_addr !== "" && pdu.body.source_addr !== msg.source.addr) {
    return { status: Status.ESME_RQUERYFAIL };
  }
  const stored = await store.state(msg.id);
  // A message handed over to a provider is ENROUTE until its receipt: no final date yet.
  const state = stored?.state === MessageState.ENROUTE ? null : stored;
  return {
    status: Status.ESME_ROK,
    body: {
      message_id: pdu.body.message_id,
      final_date: state ? smppTime(state.doneAt) : "",
      message_state: state?.state ?? MessageState.ENROUTE,
      error_code: state ? Number.parseInt(state.err, 10) & 0xff : 0,
    },
  };
}
