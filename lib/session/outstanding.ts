/**
 * The gateway's own requests on one session (deliver_sm, enquire_link, unbind) awaiting their
 * responses: sequence numbering, matching by sequence number, and response timeouts.
 */
import { SmppError } from "../smpp/errors.ts";
import type { Pdu } from "../smpp/codec.ts";
import { Status } from "../smpp/status.ts";

interface Entry {
  resolve: (p: Pdu) => void;
  reject: (e: unknown) => void;
  deadline: number;
}

/** Requests sent and not yet answered. */
export class OutstandingRequests {
  #seq = 0;
  #entries = new Map<number, Entry>();

  /** The next sequence number: 1..0x7FFFFFFF, then around again (spec §2.5.2). */
  nextSeq(): number {
    this.#seq = this.#seq >= 0x7fffffff ? 1 : this.#seq + 1;
    return this.#seq;
  }

  /** Registers request `seq`; the promise resolves with its response or rejects on timeout. */
  wait(seq: number, timeoutMs: number): Promise<Pdu> {
    const { promise, resolve, reject } = Promise.withResolvers<Pdu>();
    this.#entries.set(seq, { resolve, reject, deadline: Date.now() + timeoutMs });
    return promise;
  }

  /** Hands a response to its request; false when nothing waits for that sequence number. */
  answer(seq: number, response: () => Pdu): boolean {
    const e = this.#entries.get(seq);
    if (!e) return false;
    this.#entries.delete(seq);
    e.resolve(response());
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
