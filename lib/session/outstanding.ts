/**
 * The gateway's own requests on one session (deliver_sm, enquire_link, unbind) awaiting their
 * responses: sequence numbering, matching by sequence number, and response timeouts.
 */
import { SmppError } from "../smpp/errors.ts";
import type { Pdu } from "../smpp/codec.ts";
import { Status } from "../smpp/status.ts";

interface Entry {
  /** command_id of the request: only its response (or generic_nack) answers it. */
  command: number;
  /** Takes the response (decoded), or only its command_status (`byStatus`). */
  resolve: (p: Pdu & number) => void;
  /** The response's status is all the caller wants: its body is not decoded. */
  byStatus: boolean;
  reject: (e: unknown) => void;
  deadline: number;
}

const RESPONSE = 0x80000000;
const GENERIC_NACK = 0x80000000;

/** Requests sent and not yet answered. */
export class OutstandingRequests {
  #seq = 0;
  #entries = new Map<number, Entry>();

  /** The next sequence number: 1..0x7FFFFFFF, then around again (spec §2.5.2). */
  nextSeq(): number {
    this.#seq = this.#seq >= 0x7fffffff ? 1 : this.#seq + 1;
    return this.#seq;
  }

  /**
   * Registers request `seq` of `command` (its command_id); the promise resolves with its response
   * or rejects on timeout.
   */
  wait(seq: number, timeoutMs: number, command = 0): Promise<Pdu> {
    return this.#register<Pdu>(seq, timeoutMs, command, false);
  }

  /** Like {@link wait}, resolving with the response's command_status only (nothing decoded). */
  waitStatus(seq: number, timeoutMs: number, command = 0): Promise<number> {
    return this.#register<number>(seq, timeoutMs, command, true);
  }

  #register<T>(seq: number, timeoutMs: number, command: number, byStatus: boolean): Promise<T> {
    const { promise, resolve, reject } = Promise.withResolvers<T>();
    this.#entries.set(seq, {
      command,
      resolve: resolve as (p: Pdu & number) => void,
      byStatus,
      reject,
      deadline: Date.now() + timeoutMs,
    });
    return promise;
  }

  /**
   * Hands a response to its request: matched on sequence number and command (the request's
   * command_id with the response bit, or generic_nack). False when nothing waits for it.
   */
  answer(seq: number, response: () => Pdu, commandId?: number, status = 0): boolean {
    const e = this.#entries.get(seq);
    if (!e) return false;
    if (
      commandId !== undefined && e.command !== 0 && commandId !== GENERIC_NACK &&
      commandId !== ((e.command | RESPONSE) >>> 0)
    ) return false;
    this.#entries.delete(seq);
    e.resolve((e.byStatus ? status : response()) as Pdu & number);
    return true;
  }

  /** Fails the requests whose response is overdue. */
  expire(now = Date.now()) {
    for (const [seq, e] of this.#entries) {
      if (e.deadline <= now) {
        this.#entries.delete(seq);
        e.reject(new SmppError(Status.ESME_RSYSERR, `no response to seq ${seq}`));
      }
    }
  }

  /** Fails every request (the session ended). */
  failAll() {
    for (const e of this.#entries.values()) {
      e.reject(new SmppError(Status.ESME_RSYSERR, "session closed"));
    }
    this.#entries.clear();
  }
}
