/**
 * The session's log lines, category ["smppgw", "session"]: bind, unbind and close at info (a
 * connection that never bound closes at debug), every decoded PDU at trace with its secrets
 * redacted. Trace lines build their properties only when {@link traceEnabled} said so.
 */
import { getLogger } from "@logtape/logtape";
import type { Header, Pdu } from "../smpp/codec.ts";
import { describePdu } from "../smpp/describe.ts";
import { statusName } from "../smpp/status.ts";

const log = getLogger(["smppgw", "session"]);

/** What a session's info lines tell about it. */
export interface SessionFacts {
  /** Process-unique session id. */
  id: number;
  /** system_id of the bound account ("" when never bound). */
  account: string;
  /** "transmitter", "receiver" or "transceiver" ("" when never bound). */
  bindType: string;
  /** The peer's address. */
  remote: string;
}

/** What a session did, for its close line. */
export interface SessionTotals {
  /** PDUs received. */
  pdus: number;
  /** Messages accepted. */
  submitted: number;
  /** deliver_sm / data_sm sent (receipts and inbound messages). */
  delivered: number;
}

/**
 * True when trace lines are on now; a session reads it once when it opens, so the per-PDU path
 * costs one field test while trace is off.
 */
export function traceEnabled(): boolean {
  return log.isEnabledFor("trace");
}

/**
 * Logs a decoded request at trace: command, sequence number, status and body, the password as
 * "***".
 *
 * @example
 * ```ts
 * import { decode, encode } from "../smpp/codec.ts";
 * import { traceEnabled, tracePdu } from "./session_log.ts";
 * const pdu = decode(encode({ command: "enquire_link", seq: 7 }));
 * if (traceEnabled()) tracePdu(1, pdu);
 * ```
 */
export function tracePdu(session: number, pdu: Pdu): void {
  const d = describePdu(pdu);
  log.trace("session {session} got {command} seq {seq} status {status} body {body} tlvs {tlvs}", {
    session,
    ...d,
  });
}

/** Logs a response received (header only: responses to the gateway carry no secrets). */
export function traceResponse(session: number, command: string, h: Header): void {
  log.trace("session {session} got {command} seq {seq} status {status}", {
    session,
    command,
    seq: h.seq,
    status: statusName(h.status),
  });
}

/** Logs a successful bind. */
export function logBound(s: SessionFacts): void {
  log.info("session {id} bound as {systemId} ({bindType}) from {remote}", {
    id: s.id,
    systemId: s.account,
    bindType: s.bindType,
    remote: s.remote,
  });
}

/** Logs an unbind: asked by the client, or sent by the gateway (shutdown, inactivity, …). */
export function logUnbind(s: SessionFacts, by: "client" | "gateway"): void {
  log.info(
    by === "client"
      ? "session {id} ({systemId}) asked to unbind"
      : "session {id} ({systemId}): the gateway unbinds it",
    { id: s.id, systemId: s.account, remote: s.remote, by },
  );
}

/** Logs the end of a session with its duration and totals (debug when it never bound). */
export function logClosed(s: SessionFacts, durationMs: number, t: SessionTotals): void {
  const props = {
    id: s.id,
    systemId: s.account,
    bindType: s.bindType,
    remote: s.remote,
    durationMs,
    pdus: t.pdus,
    submits: t.submitted,
    receipts: t.delivered,
  };
  if (s.account === "") {
    log.debug(
      "session {id} from {remote} closed unbound after {durationMs} ms ({pdus} PDUs)",
      props,
    );
    return;
  }
  log.info(
    "session {id} closed: {systemId} ({bindType}) from {remote} after {durationMs} ms; " +
      "{pdus} PDUs in, {submits} submits, {receipts} deliver_sm out",
    props,
  );
}
