/**
 * The submit path: a bound session's submit_sm / data_sm becomes a stored message (group commit)
 * before it is answered, then a job for the route; parts of a concatenated message also go to
 * the joiner. query_sm is answered from the store.
 */
import { getLogger } from "@logtape/logtape";
import type { Admission } from "../accounts/admission.ts";
import type { Counters } from "../core/counters.ts";
import type { Meters } from "../core/meters.ts";
import type { Reply } from "../session/session.ts";
import type { Pdu } from "../smpp/codec.ts";
import { SmppError } from "../smpp/errors.ts";
import { Status } from "../smpp/status.ts";
import type { GroupCommitter, Mutation } from "../store/committer.ts";
import type { AccountRecord, JobRecord, MessageRecord } from "../store/records.ts";
import { Store } from "../store/store.ts";
import type { IdGenerator } from "./ids.ts";
import type { Joiner } from "./joiner.ts";
import type { PendingIds } from "./pending.ts";
import { queryReply } from "./query.ts";
import { cancelReply } from "./cancel.ts";
import { ROUTE_BACKLOG, TRANSACTION_TIMEOUT_MS } from "../core/defaults.ts";
import { transactionReply, type Transactions } from "./transactions.ts";
import { buildMessage } from "./submit.ts";

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
  /** Canned messages by sm_default_msg_id. */
  canned?: Readonly<Record<string, string>>;
  /** Characters of text kept for the receipt. */
  previewLength?: number;
  /** How long parts wait to be joined. */
  concatTimeoutMs: number;
  /** Hands `job` to `route` at its `scheduleAt`. */
  schedule(route: JobSink, job: JobRecord): void;
  /** Settles messages DELETED (cancel_sm); resolves once stored. */
  cancel(messages: MessageRecord[]): Promise<void>;
  /** True once this process lost the store: nothing more is accepted. */
  lost: () => boolean;
}

/** Accepts messages for the route. */
export class Intake {
  readonly #p: IntakeParts;
  /** Debug lines on (read once, so a submit costs one test while off). */
  readonly #debug = log.isEnabledFor("debug");

  constructor(parts: IntakeParts) {
    this.#p = parts;
  }

  /** Answers a request of a session bound as `account`. */
  request(account: AccountRecord, pdu: Pdu, session = 0): Promise<Reply> {
    switch (pdu.command) {
      case "submit_sm":
      case "data_sm":
        return this.submit(account, pdu, session);
      case "query_sm":
        return queryReply(this.#p.store, account.systemId, pdu);
      case "cancel_sm":
        return cancelReply(this.#p, account.systemId, pdu);
      case "replace_sm":
        return Promise.resolve({ status: Status.ESME_RREPLACEFAIL });
      default:
        return Promise.resolve({ status: Status.ESME_RSUBMITFAIL });
    }
  }

  /** Validates, stores (answering only after the commit) and hands the message on. */
  async submit(
    account: AccountRecord,
    pdu: Pdu<"submit_sm" | "data_sm">,
    session = 0,
  ): Promise<Reply> {
    const p = this.#p;
    if (p.lost()) return { status: Status.ESME_RSYSERR };
    let msg: MessageRecord;
    let quotaOps: Mutation[];
    // Pending before any await, so pending ids stay in id order for the checkpoint.
    const id = p.ids.next();
    p.pending.add(id);
    let route: JobSink | null;
    try {
      msg = buildMessage(pdu, {
        account,
        id,
        route: "",
        now: Date.now(),
        session,
        canned: p.canned,
        previewLength: p.previewLength,
      });
      route = p.route(account.systemId, msg.dest.addr);
      if (!route) {
        throw new SmppError(Status.ESME_RINVDSTADR, `no route for "${msg.dest.addr}"`);
      }
      if (route.backlog && route.backlog() >= (p.maxBacklog ?? ROUTE_BACKLOG)) {
        throw new SmppError(Status.ESME_RMSGQFUL, `route ${route.name} holds too many messages`);
      }
      msg.route = route.name;
      quotaOps = p.admission.charge(account, msg.parts);
    } catch (e) {
      p.pending.refuse(id);
      p.counters.submitRejected++;
      if (e instanceof SmppError) return { status: e.status };
      throw e;
    }
    // A route that wants whole messages gets a job once all parts are joined.
    const direct = !msg.concat || route.mode !== "whole";
    if (!direct) {
      msg.joinLater = true;
      p.pending.delete(id);
    }
    try {
      const ops = Store.acceptOps(msg, { partTtlMs: 2 * p.concatTimeoutMs });
      await p.committer.write([...ops, ...quotaOps], 400 + msg.body.length * 2);
    } catch (e) {
      p.pending.delete(id);
      log.error("storing message {id} failed: {error}", { id: msg.id, error: String(e) });
      p.counters.submitRejected++;
      return { status: Status.ESME_RSYSERR };
    }
    p.counters.submitted++;
    p.counters.submittedParts += msg.parts;
    const tally = p.meters?.account(account.systemId);
    if (tally) {
      tally.submitted++;
      tally.parts += msg.parts;
    }
    if (this.#debug) {
      log.debug("accepted {id} from {account} to {dest}, {parts} parts, route {route}", {
        id: msg.id,
        account: account.systemId,
        dest: msg.dest.addr,
        parts: msg.parts,
        route: msg.route,
      });
    }
    // Transaction mode: the answer waits for the route's outcome (registered before it can come).
    const transaction = pdu.command === "data_sm" && (msg.esmClass & 0x03) === 0x02
      ? p.transactions?.wait(msg.id, p.transactionTimeoutMs ?? TRANSACTION_TIMEOUT_MS)
      : undefined;
    // The record itself serves as the job (no copy on the hot path; routes read only job fields).
    if (direct) {
      // A scheduled message reaches its route at its time (held by delivery, resumed at start).
      if (msg.scheduleAt !== undefined) p.schedule(route, msg);
      else route.enqueue(msg);
    }
    if (msg.concat) {
      p.joiner.add(msg).catch((e) => log.error("joining failed: {error}", { error: String(e) }));
    }
    if (transaction) return transactionReply(msg.id, await transaction);
    return { status: Status.ESME_ROK, body: { message_id: msg.id } };
  }
}
