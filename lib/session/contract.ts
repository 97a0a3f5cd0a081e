/**
 * What a session and the gateway agree on: the options a session runs with, the answers the
 * gateway gives it (replies, bind decisions), and what a session counts.
 */
import type { Meters } from "../core/meters.ts";
import type { PduInit } from "../smpp/codec.ts";
import type { Tlv } from "../smpp/tlvs.ts";

/** A response produced by the handler; the session adds command and sequence number. */
export interface Reply {
  status: number;
  /** With a non-zero status: send body and TLVs anyway (a failed transaction's data_sm_resp). */
  errorBody?: boolean;
  body?: PduInit["body"];
  tlvs?: readonly Tlv[];
}

/** What the bind policy decided; the session applies it to itself. */
export interface BindDecision {
  /** The bind_*_resp status; anything but 0 refuses the bind and closes the connection. */
  status: number;
  /** The system_id the session is bound as (with status 0). */
  account?: string;
  /** The account's request window, when it has its own. */
  window?: number;
}

/** Timers and limits of a session. Times in milliseconds; 0 turns a timer off. */
export interface SessionOptions {
  /** system_id the gateway presents in bind responses. */
  systemId: string;
  /** A bound session receiving nothing this long gets an enquire_link (closed if unanswered). */
  enquireLinkMs: number;
  /** How long the gateway waits for a response to its own request. */
  responseTimeoutMs: number;
  /** A connection not bound within this time is closed. */
  bindTimeoutMs: number;
  /** A bound session receiving nothing this long is unbound. */
  inactivityMs: number;
  /** Unanswered ESME requests processed at once; more get ESME_RTHROTTLED. */
  window: number;
  /** Unanswered deliver_sm the gateway keeps outstanding on this session. */
  deliverWindow: number;
  /** A PDU started must be complete within this time, so a byte-by-byte sender cannot hold a session. */
  pduTimeoutMs: number;
  /** Largest command_length accepted (octets). */
  maxPduLength?: number;
  /** Unsent output at which the session stops reading until it has drained to half. */
  maxOutputBytes: number;
  /**
   * A session whose output makes no progress (no write completes) for this long is closed: the
   * peer does not read. 0 turns it off.
   */
  drainTimeoutMs: number;
}

/** Where a session counts its PDUs and its window throttling (the gateway's {@link Meters}). */
export type SessionMeters = Pick<Meters, "pdus" | "throttled">;

/** What a session did so far. */
export interface SessionStats {
  /** When the bind succeeded (ms since the epoch; 0 before). */
  boundAt: number;
  /** Messages accepted (submit_sm, data_sm, submit_multi answered OK). */
  submitted: number;
  /** deliver_sm / data_sm the gateway sent (receipts and inbound messages, resends included). */
  delivered: number;
  /** PDUs received (requests and responses). */
  pdus: number;
}
