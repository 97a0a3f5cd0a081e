/** What an ESME link is given (bind parameters, timers, a request handler) and how it fails. */
import type { Pdu } from "../../smpp/codec.ts";
import type { BindCommand } from "../../smpp/commands.ts";
import { statusName } from "../../smpp/status.ts";

/** The link is closed (or closing); `message` says why. */
export class LinkClosed extends Error {
  /** A link that ended because of `message`. */
  constructor(message: string) {
    super(message);
    this.name = "LinkClosed";
  }
}

/** A request got no response within the response timeout. */
export class ResponseTimeout extends Error {
  /** `command` was not answered within `ms`. */
  constructor(readonly command: string, readonly ms: number) {
    super(`no response to ${command} within ${ms} ms`);
    this.name = "ResponseTimeout";
  }
}

/** The upstream answered the bind with an error status. */
export class BindRefused extends Error {
  /** A bind refused with command_status `status`. */
  constructor(readonly status: number, command: string) {
    super(`${command} refused: ${statusName(status)} (0x${status.toString(16)})`);
    this.name = "BindRefused";
  }
}

/** What a bind sends. */
export interface BindParams {
  /** bind_transceiver, bind_transmitter or bind_receiver. */
  command: BindCommand;
  /** system_id. */
  systemId: string;
  /** password (never logged). */
  password: string;
  /** system_type. */
  systemType: string;
  /** interface_version (0x34 for SMPP 3.4). */
  interfaceVersion: number;
}

/** Timers of a link and where its incoming messages go. Times in ms. */
export interface LinkOptions {
  /** How long a request waits for its response; an unanswered bind or enquire_link ends the link. */
  responseTimeoutMs: number;
  /** An enquire_link goes out after this long without anything received (0 = never). */
  enquireLinkMs: number;
  /** A deliver_sm or data_sm from the upstream; resolves the command_status to answer. */
  onRequest(pdu: Pdu<"deliver_sm" | "data_sm">): Promise<number>;
  /** Names the link in logs. */
  label: string;
  /** Clock (ms). */
  now?: () => number;
}
