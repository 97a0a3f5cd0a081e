/**
 * The fuzz oracle: from the bytes a case sends, which replies the gateway owes (command, sequence
 * number, sometimes the exact status) and whether it must close; then a check of every frame
 * the gateway sends back.
 */
import { decode, encode, peekHeader } from "../../../lib/smpp/codec.ts";
import { commandById, CommandId, isResponse } from "../../../lib/smpp/commands.ts";
import { Status, statusName } from "../../../lib/smpp/status.ts";
import type { Expected } from "./cases.ts";
import type { Credentials } from "./templates.ts";

/** One reply the gateway owes (or may send) for a PDU of the case. */
export interface ExpectedReply {
  /** command_id of the reply (a _resp, or generic_nack). */
  commandId: number;
  /** Acceptable sequence numbers (a generic_nack for a bad length may carry 0). */
  seqs: number[];
  /** Exact command_status, when the state makes it certain. */
  status?: number;
  /** False when the session may already be closing, so the reply may never come. */
  must: boolean;
  /** Description for failure messages. */
  what: string;
  /** Set once the reply arrived. */
  got: boolean;
}

/** Everything the oracle predicts for one case. */
export interface Plan {
  /** Replies in the order their requests were sent. */
  replies: ExpectedReply[];
  /** A bad command_length was sent: generic_nack 0x02, then the gateway must close. */
  mustClose: boolean;
  /** The session is or may become bound, so deliver_sm from the gateway is fine. */
  mayBeBound: boolean;
  /**
   * The bytes end on a PDU boundary with the stream still framed: only then may the driver
   * write answers (deliver_sm_resp…) without splicing them into a partial PDU.
   */
  cleanEnd: boolean;
  /**
   * The session was bound before the case and is certainly still bound, framed and open after
   * it (no unbind, no bad command_length, no partial PDU): fit to run the next bound case.
   */
  endsBound: boolean;
  /**
   * The bytes end framed and leave the session as they found it or certainly bound (no bind
   * from an open session, no unbind, no bad length): an enquire_link after them must be answered.
   */
  settled: boolean;
}

/** Inputs of {@link plan}. */
export interface PlanOptions {
  /** The session was bound (as transceiver) before the case bytes. */
  bound: boolean;
  /** The gateway's cap on command_length. */
  maxPduLength: number;
  /** Account of the binds meant to succeed. */
  credentials: Credentials;
  /** Statuses the case generator predicted exactly. */
  expect?: readonly Expected[];
}

const NACK = 0x80000000;

function u32(b: Uint8Array, o: number): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(o);
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}

function goodBind(frame: Uint8Array, cred: Credentials): boolean {
  try {
    const p = decode(frame);
    return p.body.system_id === cred.systemId && p.body.password === cred.password;
  } catch {
    return false;
  }
}

/** Walks the case bytes the way the gateway frames them and lists the replies it owes. */
export function plan(bytes: Uint8Array, o: PlanOptions): Plan {
  const replies: ExpectedReply[] = [];
  let state: "open" | "bound" | "unknown" = o.bound ? "bound" : "open";
  let closing = false;
  let mustClose = false;
  let mayBeBound = o.bound;
  let off = 0;
  const add = (commandId: number, seqs: number[], what: string, status?: number) =>
    replies.push({ commandId, seqs, status, must: !closing, what, got: false });
  while (bytes.length - off >= 4) {
    const len = u32(bytes, off);
    if (len < 16 || len > o.maxPduLength) {
      const seqs = bytes.length - off >= 16 ? [u32(bytes, off + 12), 0] : [0];
      add(NACK, seqs, `generic_nack for command_length ${len}`, Status.ESME_RINVCMDLEN);
      mustClose = true;
      break;
    }
    if (bytes.length - off < len) break;
    const frame = bytes.subarray(off, off + len);
    off += len;
    const h = peekHeader(frame);
    const cmd = commandById(h.commandId);
    const what = `${cmd?.name ?? hex(h.commandId)} seq ${h.seq}`;
    if (isResponse(h.commandId)) continue;
    if (!cmd) {
      add(NACK, [h.seq], `generic_nack for ${what}`, Status.ESME_RINVCMDID);
      continue;
    }
    const resp = CommandId[`${cmd.name}_resp`];
    if (resp === undefined) {
      add(NACK, [h.seq], `generic_nack for ${what}`, Status.ESME_RINVCMDID);
      continue;
    }
    const bind = cmd.name.startsWith("bind_");
    let status: number | undefined;
    if (cmd.name === "enquire_link") status = Status.ESME_ROK;
    else if (state === "open") status = bind ? undefined : Status.ESME_RINVBNDSTS;
    else if (state === "bound") {
      if (bind) status = Status.ESME_RALYBND;
      else if (cmd.name === "unbind") status = Status.ESME_ROK;
      else if (cmd.name === "deliver_sm") status = Status.ESME_RINVBNDSTS;
    }
    add(resp, [h.seq], `${cmd.name}_resp for ${what}`, status);
    if (bind && state === "open") {
      // A good bind may still be pending while later PDUs arrive; a bad one closes the session.
      if (goodBind(frame, o.credentials)) mayBeBound = true;
      else closing = true;
      state = "unknown";
    } else if (cmd.name === "unbind" && state !== "open") {
      closing = true;
      state = "unknown";
    }
  }
  for (const e of o.expect ?? []) {
    const r = replies.find((r) => r.commandId === e.commandId && r.seqs.includes(e.seq));
    if (r) r.status = e.status;
  }
  const cleanEnd = !mustClose && off === bytes.length;
  return {
    replies,
    mustClose,
    mayBeBound,
    cleanEnd,
    endsBound: cleanEnd && state === "bound",
    settled: cleanEnd && state !== "unknown",
  };
}

/** Server requests the gateway may send, and the answer a well-behaved ESME gives. */
const SERVER_REQUESTS: Record<string, string> = {
  enquire_link: "enquire_link_resp",
  unbind: "unbind_resp",
  deliver_sm: "deliver_sm_resp",
  data_sm: "data_sm_resp",
};

/** Checks the frames the gateway sends for one case against its {@link Plan}. */
export class ReplyChecker {
  /** Everything found wrong so far. */
  readonly failures: string[] = [];
  /** Replies that matched an expectation. */
  matched = 0;
  /** message_id of every submit_sm/data_sm the gateway acknowledged with ESME_ROK. */
  readonly accepted: string[] = [];

  /** Checks against `plan`; `maxPduLength` bounds the frames the gateway may send. */
  constructor(readonly plan: Plan, readonly maxPduLength: number) {}

  /** Adds a reply the driver itself asked for (the bind before the case), matched first. */
  expect(commandId: number, seq: number, what: string, status?: number): ExpectedReply {
    const r = { commandId, seqs: [seq], status, must: true, what, got: false };
    this.plan.replies.unshift(r);
    return r;
  }

  /** Must-replies not received yet. */
  missing(): ExpectedReply[] {
    return this.plan.replies.filter((r) => r.must && !r.got);
  }

  /** Checks one whole frame from the gateway; returns the answer to write back, if any. */
  frame(f: Uint8Array): Uint8Array | null {
    const h = peekHeader(f);
    const name = commandById(h.commandId)?.name ?? hex(h.commandId);
    if (h.length !== f.length || h.length < 16 || h.length > this.maxPduLength) {
      this.failures.push(`gateway sent command_length ${h.length} in a frame of ${f.length}`);
      return null;
    }
    let pdu;
    try {
      pdu = decode(f);
    } catch (e) {
      this.failures.push(`gateway sent a malformed ${name} seq ${h.seq}: ${(e as Error).message}`);
      return null;
    }
    if (isResponse(h.commandId)) {
      const r = this.plan.replies.find((r) =>
        !r.got && r.commandId === h.commandId && r.seqs.includes(h.seq)
      );
      if (!r) {
        this.failures.push(`unexpected ${name} seq ${h.seq} status ${statusName(h.status)}`);
        return null;
      }
      r.got = true;
      this.matched++;
      if (
        h.status === Status.ESME_ROK && (name === "submit_sm_resp" || name === "data_sm_resp")
      ) {
        const id = pdu.body.message_id as string;
        if (id === "") this.failures.push(`${r.what}: ESME_ROK without a message_id`);
        else this.accepted.push(id);
      }
      if (r.status !== undefined && r.status !== h.status) {
        this.failures.push(
          `${r.what}: status ${statusName(h.status)}, expected ${statusName(r.status)}`,
        );
      } else if (h.status === Status.ESME_RSYSERR) {
        this.failures.push(`${r.what}: ESME_RSYSERR (an internal error reached the client)`);
      }
      return null;
    }
    const answer = SERVER_REQUESTS[name];
    if (!answer) {
      this.failures.push(`gateway sent ${name} seq ${h.seq}, not a request it may send`);
      return null;
    }
    if (h.seq < 1 || h.seq > 0x7fffffff) {
      this.failures.push(`gateway sent ${name} with sequence_number ${h.seq}`);
    }
    if (name !== "enquire_link" && name !== "unbind" && !this.plan.mayBeBound) {
      this.failures.push(`gateway sent ${name} seq ${h.seq} to a session that never bound`);
    }
    return encode({ command: answer, seq: h.seq });
  }
}
