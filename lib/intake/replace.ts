/**
 * replace_sm (spec §4.10) and submit_sm's replace_if_present_flag: a message not yet handed to
 * its route gets new text, registered_delivery, schedule_delivery_time and validity_period (an
 * empty time keeps the old one), under the same id. A message a route is sending, a final one,
 * or a part of a concatenated message cannot be replaced: ESME_RREPLACEFAIL (0x13).
 */
import { MAX_SCHEDULED } from "../core/defaults.ts";
import type { Reply } from "../session/contract.ts";
import type { Pdu } from "../smpp/codec.ts";
import { SmppError } from "../smpp/errors.ts";
import { Status } from "../smpp/status.ts";
import type { AccountRecord, MessageRecord } from "../store/records.ts";
import type { Mutation } from "../store/committer.ts";
import type { Admission } from "../accounts/admission.ts";
import { buildMessage, type SubmitContext } from "./submit.ts";
import { messagesById, type TargetParts } from "./targets.ts";

/** What replacing needs. */
export interface ReplaceParts extends TargetParts {
  /** Stores `next` in place of its message (with `extra`) and gives it to the route; false when too late. */
  replace(next: MessageRecord, extra?: readonly Mutation[]): Promise<boolean>;
  /** Charges the account's TPS and daily quota (SmppError 0x58 over them); the quota mutations. */
  admission: Pick<Admission, "charge">;
  /** Scheduled messages waiting now, and how many may (a replacement scheduling one more). */
  scheduled?: () => number;
  maxScheduled?: number;
}

/** The fields of a replace_sm that change the message. */
export type ReplaceFields = Pick<
  Pdu<"replace_sm">["body"],
  | "schedule_delivery_time"
  | "validity_period"
  | "registered_delivery"
  | "sm_default_msg_id"
  | "short_message"
>;

/** Submit settings a replacement is checked against, as at submit. */
export type ReplaceContext = Omit<SubmitContext, "id" | "route" | "session">;

/**
 * `m` with the replace_sm's fields, checked as a submit_sm would be (0x61, 0x62, 0x63, 0x01, …).
 * It keeps its id, submit time, addresses, coding and TLVs; an empty time keeps the old one.
 */
export function replacement(m: MessageRecord, f: ReplaceFields, ctx: ReplaceContext) {
  const pdu: Pdu<"submit_sm"> = {
    command: "submit_sm",
    commandId: 4,
    status: 0,
    seq: 0,
    body: {
      service_type: m.serviceType,
      source_addr_ton: m.source.ton,
      source_addr_npi: m.source.npi,
      source_addr: m.source.addr,
      dest_addr_ton: m.dest.ton,
      dest_addr_npi: m.dest.npi,
      destination_addr: m.dest.addr,
      esm_class: m.esmClass,
      protocol_id: m.protocolId,
      priority_flag: m.priority,
      schedule_delivery_time: f.schedule_delivery_time,
      validity_period: f.validity_period,
      registered_delivery: f.registered_delivery,
      replace_if_present_flag: 0,
      data_coding: m.dataCoding,
      sm_default_msg_id: f.sm_default_msg_id,
      short_message: f.short_message,
    },
    tlvs: m.tlvs ?? [],
  };
  const next = buildMessage(pdu, { ...ctx, id: m.id, route: m.route, session: m.session });
  return carryOver(m, next, f.schedule_delivery_time === "", f.validity_period === "");
}

/**
 * `next` as the replacement of `m`: the same submit time, public id, user_message_reference and
 * TLVs; `m`'s schedule and validity when `keepSchedule`/`keepValidity`.
 */
export function carryOver(
  m: MessageRecord,
  next: MessageRecord,
  keepSchedule: boolean,
  keepValidity: boolean,
): MessageRecord {
  const out: MessageRecord = { ...next, id: m.id, submitAt: m.submitAt };
  if (m.publicId !== undefined) out.publicId = m.publicId;
  else delete out.publicId;
  if (m.userMessageReference !== undefined && out.userMessageReference === undefined) {
    out.userMessageReference = m.userMessageReference;
  }
  if (keepSchedule) {
    if (m.scheduleAt === undefined) delete out.scheduleAt;
    else out.scheduleAt = m.scheduleAt;
  }
  if (keepValidity) {
    if (m.validUntil === undefined) delete out.validUntil;
    else out.validUntil = m.validUntil;
  }
  return out;
}

/** Whether `m` may be replaced at all (not a part of a concatenated message). */
export function replaceable(m: MessageRecord): boolean {
  return m.concat === undefined && m.joinLater !== true;
}

/** The replace_sm_resp for a request of `account`. */
export async function replaceReply(
  p: ReplaceParts,
  account: AccountRecord,
  pdu: Pdu<"replace_sm">,
  ctx: ReplaceContext,
): Promise<Reply> {
  const fail = { status: Status.ESME_RREPLACEFAIL };
  const b = pdu.body;
  const targets = (await messagesById(p, account.systemId, b.message_id, b.source_addr))
    .filter(replaceable);
  let replaced = 0;
  for (const m of targets) {
    let next: MessageRecord;
    let quota: readonly Mutation[];
    try {
      next = replacement(m, b, ctx);
      if (next.concat) return fail;
      // Scheduling a message that was not: one more waits in memory, within the cap.
      if (
        next.scheduleAt !== undefined && m.scheduleAt === undefined && p.scheduled &&
        p.scheduled() >= (p.maxScheduled ?? MAX_SCHEDULED)
      ) return { status: Status.ESME_RMSGQFUL };
      // A replacement is a submission too: it counts against TPS and the daily quota.
      quota = p.admission.charge(account, next.parts);
    } catch (e) {
      if (e instanceof SmppError) return { status: e.status };
      throw e;
    }
    if (await p.replace(next, quota)) replaced++;
  }
  return replaced > 0 ? { status: Status.ESME_ROK } : fail;
}
