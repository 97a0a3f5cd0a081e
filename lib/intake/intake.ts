/**
 * The submit path: a bound session's submit_sm / data_sm becomes a stored message (group commit)
 * before it is answered, then a job for the route; parts of a concatenated message also go to
 * the joiner. query_sm is answered from the store.
 */
import { getLogger } from "@logtape/logtape";
import type { Admission } from "../accounts/admission.ts";
import type { Counters } from "../core/counters.ts";
import type { Meters } from "../core/meters.ts";
import type { Reply } from "../session/contract.ts";
import type { Pdu } from "../smpp/codec.ts";
import { SmppError } from "../smpp/errors.ts";
import { Status } from "../smpp/status.ts";
import type { GroupCommitter, Mutation } from "../store/committer.ts";
import type { AccountRecord, JobRecord, MessageRecord } from "../store/records.ts";
import { Store } from "../store/store.ts";
import type { KeyedMutation } from "../store/mutation.ts";
import type { IdGenerator } from "./ids.ts";
import type { Joiner } from "./joiner.ts";
import type { PendingIds } from "./pending.ts";
import { queryReply } from "./query.ts";
import { cancelReply } from "./cancel.ts";
import {
  INTERFACE_VERSION,
  MAX_SCHEDULED,
  MAX_VALIDITY_MS,
  ROUTE_BACKLOG,
  TRANSACTION_TIMEOUT_MS,
} from "../core/defaults.ts";
import { transactionReply, type Transactions } from "./transactions.ts";
import { buildMessage, type SubmitContext } from "./submit.ts";
import { carryOver, replaceable, replaceReply } from "./replace.ts";
import { formatShortId, type ShortIds } from "./short_ids.ts";
import type { LatestByAddress } from "./latest.ts";
import { MAX_PENDING_SCAN } from "./targets.ts";
import { DESTINATION_STATUSES, destinations, submitFor, unsuccess } from "./multi.ts";
import type { UnsuccessSme } from "../smpp/commands.ts";
import { INLINE_BODY } from "../store/layouts.ts";

const log = getLogger(["smppgw", "intake"]);

/** Where accepted messages go: the route, as far as intake needs to know it. */
export interface JobSink {
  readonly name: string;
  /** "whole": parts of a concatenated message reach the route only once joined. */
  readonly mode?: "parts" | "whole";
  enqueue(job: JobRecord): void;
  /** Jobs it holds in memory; at `maxBacklog` new messages for it get ESME_RMSGQFUL. */
  backlog?(): number;
}

/** The parts intake works with, built by the gateway. */
export interface IntakeParts {
  store: Store;
  committer: GroupCommitter;
  ids: IdGenerator;
  /** Accepted, unsettled ids: the route checkpoint. */
  pending: PendingIds;
  admission: Admission;
  joiner: Joiner;
  /** The route for a message of `account` to `dest`; null when no route takes it. */
  route: (account: string, dest: string) => JobSink | null;
  counters: Counters;
  /** Per-account tallies of what was accepted (none when absent). */
  meters?: Pick<Meters, "account">;
  /** data_sm in transaction mode waiting for their outcome. */
  transactions?: Transactions;
  /** How long such a data_sm_resp waits for the outcome (ms). */
  transactionTimeoutMs?: number;
  /** Most jobs a route may hold in memory before new messages for it get 0x14. */
  maxBacklog?: number;
  /** Scheduled messages waiting for their time now. */
  scheduled?: () => number;
  /** Most scheduled messages that may wait before new scheduled ones get 0x14. */
  maxScheduled?: number;
  /** Longest validity of any message (ms; an account's `maxValidityHours` may cut it further). */
  maxValidityMs?: number;
  /** Canned messages by sm_default_msg_id. */
  canned?: Readonly<Record<string, string>>;
  /** Characters of text kept for the receipt. */
  previewLength?: number;
  /** How long parts wait to be joined. */
  concatTimeoutMs: number;
  /** Hands `job` to `route` at its `scheduleAt`. */
  schedule(route: JobSink, job: JobRecord): void;
  /** Settles messages DELETED (cancel_sm); resolves once stored to how many were. */
  cancel(messages: MessageRecord[]): Promise<number>;
  /**
   * Stores `next` in place of the message of its id, with `extra` mutations (quota), and gives it
   * to the route; false when the message cannot be changed any more.
   */
  replace(next: MessageRecord, extra?: readonly Mutation[]): Promise<boolean>;
  /** 8-character ids for sessions bound with interface_version 3.3. */
  shortIds: ShortIds;
  /** The newest pending message between two addresses (replace_if_present_flag). */
  latest: LatestByAddress;
  /** True once this process lost the store: nothing more is accepted. */
  lost: () => boolean;
}

/** The longest validity of `account`'s messages: its own cap, never above the gateway's. */
function maxValidity(account: AccountRecord, gateway = MAX_VALIDITY_MS): number {
  const own = account.maxValidityHours === undefined
    ? Infinity
    : account.maxValidityHours * 3600_000;
  return Math.min(own, gateway);
}

/** A message ready to store, with the route it goes to. */
interface Prepared {
  msg: MessageRecord;
  route: JobSink;
  /** The route gets it now (or at its schedule); false: once its parts are joined. */
  direct: boolean;
}

/** Accepts messages for the route. */
export class Intake {
  readonly #p: IntakeParts;
  /** Debug lines on (read once, so a submit costs one test while off). */
  readonly #debug = log.isEnabledFor("debug");

  constructor(parts: IntakeParts) {
    this.#p = parts;
  }

  /**
   * Answers a request of a session bound as `account` (`session` its id, `version` the bind's
   * interface_version: below 0x34 message ids have 8 characters).
   */
  request(
    account: AccountRecord,
    pdu: Pdu,
    session = 0,
    version: number = INTERFACE_VERSION,
  ): Promise<Reply> {
    switch (pdu.command) {
      case "submit_sm":
      case "data_sm":
        return this.submit(account, pdu, session, version);
      case "submit_multi":
        return this.submitMulti(account, pdu, session, version);
      case "query_sm":
        return queryReply(this.#p.store, account.systemId, pdu);
      case "cancel_sm":
        return cancelReply(this.#p, account.systemId, pdu);
      case "replace_sm":
        return replaceReply(this.#p, account, pdu, this.#context(account, session));
      default:
        return Promise.resolve({ status: Status.ESME_RSYSERR });
    }
  }

  /** What building a message of `account` needs besides its PDU (`id` for a new message). */
  #context(account: AccountRecord, session: number, id = ""): SubmitContext {
    const p = this.#p;
    return {
      id,
      route: "",
      account,
      now: Date.now(),
      session,
      canned: p.canned,
      previewLength: p.previewLength,
      maxValidityMs: maxValidity(account, p.maxValidityMs),
    };
  }

  /**
   * The route of `msg` (set on it), or SmppError: ESME_RINVDSTADR when none takes it,
   * ESME_RMSGQFUL when it holds too many messages.
   */
  #prepare(msg: MessageRecord): Prepared {
    const p = this.#p;
    const route = p.route(msg.account, msg.dest.addr);
    if (!route) throw new SmppError(Status.ESME_RINVDSTADR, `no route for "${msg.dest.addr}"`);
    if (route.backlog && route.backlog() >= (p.maxBacklog ?? ROUTE_BACKLOG)) {
      throw new SmppError(Status.ESME_RMSGQFUL, `route ${route.name} holds too many messages`);
    }
    if (
      msg.scheduleAt !== undefined && p.scheduled &&
      p.scheduled() >= (p.maxScheduled ?? MAX_SCHEDULED)
    ) {
      throw new SmppError(Status.ESME_RMSGQFUL, "too many scheduled messages wait");
    }
    msg.route = route.name;
    return { msg, route, direct: !msg.concat || route.mode !== "whole" };
  }

  /** Validates, stores (answering only after the commit) and hands the message on. */
  async submit(
    account: AccountRecord,
    pdu: Pdu<"submit_sm" | "data_sm">,
    session = 0,
    version: number = INTERFACE_VERSION,
  ): Promise<Reply> {
    const p = this.#p;
    if (p.lost()) return { status: Status.ESME_RSYSERR };
    let prepared: Prepared;
    // Pending before any await, so pending ids stay in id order for the checkpoint.
    const id = p.ids.next();
    p.pending.add(id);
    try {
      prepared = this.#prepare(
        buildMessage(pdu, this.#context(account, session, id)),
      );
    } catch (e) {
      return this.#refused([id], e);
    }
    const { msg } = prepared;
    let quotaOps: readonly Mutation[];
    try {
      quotaOps = p.admission.charge(account, msg.parts);
    } catch (e) {
      return this.#refused([id], e);
    }
    if (pdu.command === "submit_sm" && pdu.body.replace_if_present_flag === 1) {
      let replaced: string | null;
      try {
        replaced = await this.#replaceIfPresent(msg, quotaOps);
      } catch (e) {
        log.error("replacing for {id} failed: {error}", { id, error: String(e) });
        return this.#refused([id], new SmppError(Status.ESME_RSYSERR, String(e)));
      }
      if (replaced !== null) {
        p.pending.refuse(id);
        return { status: Status.ESME_ROK, body: { message_id: replaced } };
      }
    }
    // Most submits carry no quota and no short id: no arrays made for them.
    const extra = version < INTERFACE_VERSION ? [...this.#shortId(msg), ...quotaOps] : quotaOps;
    if (!(await this.#store([prepared], extra))) {
      return { status: Status.ESME_RSYSERR };
    }
    // Transaction mode: the answer waits for the route's outcome (registered before it can come).
    const transaction = pdu.command === "data_sm" && (msg.esmClass & 0x03) === 0x02
      ? p.transactions?.wait(msg.id, p.transactionTimeoutMs ?? TRANSACTION_TIMEOUT_MS)
      : undefined;
    this.#handOn(prepared);
    if (transaction) return transactionReply(msg.publicId ?? msg.id, await transaction);
    return { status: Status.ESME_ROK, body: { message_id: msg.publicId ?? msg.id } };
  }

  /**
   * submit_multi: one message per destination, stored in one commit; answered with one id (the
   * first destination's, which each destination's receipt carries) and the destinations that
   * were refused. TPS and quota count every destination's parts.
   */
  async submitMulti(
    account: AccountRecord,
    pdu: Pdu<"submit_multi">,
    session = 0,
    version: number = INTERFACE_VERSION,
  ): Promise<Reply> {
    const p = this.#p;
    if (p.lost()) return { status: Status.ESME_RSYSERR };
    const failed: UnsuccessSme[] = [];
    const prepared: Prepared[] = [];
    const ids: string[] = [];
    let quotaOps: readonly Mutation[];
    try {
      const ctx = this.#context(account, session);
      for (const d of destinations(account, pdu.body.dests)) {
        if ("failed" in d) {
          failed.push(d.failed);
          continue;
        }
        const id = p.ids.next();
        p.pending.add(id);
        ids.push(id);
        try {
          prepared.push(
            this.#prepare(buildMessage(submitFor(pdu, d.address), { ...ctx, id })),
          );
        } catch (e) {
          if (!(e instanceof SmppError) || !DESTINATION_STATUSES.has(e.status)) throw e;
          p.pending.refuse(id);
          failed.push(unsuccess(d.address, e.status));
        }
      }
      if (prepared.length === 0) {
        p.counters.submitRejected++;
        return {
          status: failed[0]?.error_status_code ?? Status.ESME_RINVNUMDESTS,
          errorBody: true,
          body: { message_id: "", unsuccess: failed },
        };
      }
      quotaOps = p.admission.charge(account, prepared.reduce((n, x) => n + x.msg.parts, 0));
    } catch (e) {
      return this.#refused(ids, e);
    }
    const first = prepared[0].msg;
    const extra: Mutation[] = version < INTERFACE_VERSION ? this.#shortId(first) : [];
    const multiId = first.publicId ?? first.id;
    for (const { msg } of prepared) if (msg !== first) msg.publicId = multiId;
    extra.push(Store.multiOp(first.id, prepared.map((x) => x.msg.id)));
    if (!(await this.#store(prepared, [...extra, ...quotaOps]))) {
      return { status: Status.ESME_RSYSERR };
    }
    for (const x of prepared) this.#handOn(x);
    return { status: Status.ESME_ROK, body: { message_id: multiId, unsuccess: failed } };
  }

  /** Answers a submission refused before anything was stored (its ids handed back). */
  #refused(ids: readonly string[], e: unknown): Reply {
    for (const id of ids) this.#p.pending.refuse(id);
    this.#p.counters.submitRejected++;
    if (e instanceof SmppError) return { status: e.status };
    throw e;
  }

  /** Gives `msg` an 8-character id (a 3.3 bind); the mutations that map it to the full one. */
  #shortId(msg: MessageRecord): KeyedMutation[] {
    const n = this.#p.shortIds.next();
    msg.publicId = formatShortId(n);
    return [Store.shortIdOp(n, msg.id)];
  }

  /**
   * replace_if_present_flag 1: the newest pending message of the account with the same
   * service_type, source and destination takes `msg`'s content under its own id. The id the
   * ESME knows it by, or null when there is none to replace (then `msg` is submitted as new).
   */
  async #replaceIfPresent(
    msg: MessageRecord,
    quotaOps: readonly Mutation[],
  ): Promise<string | null> {
    const p = this.#p;
    if (!replaceable(msg) || msg.body.length > INLINE_BODY) return null;
    if (!p.latest.tracks(msg.account)) {
      // The account's first use of the flag: from now on its messages are noted as they come,
      // and those pending already are read once.
      p.latest.track(msg.account);
      for (const id of p.pending.open(MAX_PENDING_SCAN)) {
        const m = await p.store.message(id);
        if (m && m.account === msg.account && !m.joinLater) p.latest.add(m);
      }
    }
    const id = p.latest.find(msg, (id) => p.pending.has(id));
    const old = id === undefined ? null : await p.store.message(id);
    if (!old || !replaceable(old) || old.route !== msg.route) return null;
    const next = carryOver(old, msg, false, false);
    return (await p.replace(next, quotaOps)) ? old.publicId ?? old.id : null;
  }

  /** Stores accepted messages with `extra` mutations in one commit; false when it failed. */
  async #store(prepared: Prepared[], extra: readonly Mutation[]): Promise<boolean> {
    const p = this.#p;
    const ops: Mutation[] = [];
    let bytes = 0;
    for (const x of prepared) {
      // A route that wants whole messages gets a job once all parts are joined.
      if (!x.direct) {
        x.msg.joinLater = true;
        p.pending.delete(x.msg.id);
      }
      for (const op of Store.acceptOps(x.msg, { partTtlMs: 2 * p.concatTimeoutMs })) ops.push(op);
      bytes += 400 + x.msg.body.length * 2;
      if (x.msg.tlvs) { for (const t of x.msg.tlvs) bytes += 4 + t.value.length; }
    }
    for (const op of extra) ops.push(op);
    try {
      await p.committer.write(ops, bytes);
      return true;
    } catch (e) {
      for (const { msg } of prepared) p.pending.delete(msg.id);
      log.error("storing message {id} failed: {error}", {
        id: prepared[0].msg.id,
        error: String(e),
      });
      p.counters.submitRejected++;
      return false;
    }
  }

  /** After the commit: counts the message and gives it to its route (or the joiner). */
  #handOn({ msg, route, direct }: Prepared): void {
    const p = this.#p;
    p.counters.submitted++;
    p.counters.submittedParts += msg.parts;
    const tally = p.meters?.account(msg.account);
    if (tally) {
      tally.submitted++;
      tally.parts += msg.parts;
    }
    if (this.#debug) {
      log.debug("accepted {id} from {account} to {dest}, {parts} parts, route {route}", {
        id: msg.id,
        account: msg.account,
        dest: msg.dest.addr,
        parts: msg.parts,
        route: msg.route,
      });
    }
    // The record itself serves as the job (no copy on the hot path; routes read only job fields).
    if (direct) {
      p.latest.add(msg, (id) => p.pending.has(id));
      // A scheduled message reaches its route at its time (held by delivery, resumed at start).
      if (msg.scheduleAt !== undefined) p.schedule(route, msg);
      else route.enqueue(msg);
    }
    if (msg.concat) {
      p.joiner.add(msg).catch((e) => log.error("joining failed: {error}", { error: String(e) }));
    }
  }
}
