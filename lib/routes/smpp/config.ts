/** Config of an upstream SMPP route: the gateway binds as an ESME to another SMSC. */
import { z } from "zod";
import {
  bool,
  nonEmptyStrings,
  number,
  object,
  oneOf,
  parse,
  required,
  text,
  whole,
} from "../../core/schema.ts";
import { RETRY, type RetryPolicy } from "../retry.ts";

/** How the route binds: one transceiver link, or a transmitter and a receiver link. */
export type SmppBindMode = "transceiver" | "split";

/** One SMPP route, as parsed (defaults filled in). Times in ms. */
export interface SmppRouteConfig {
  /** The route's name (jobs are stored under it). */
  name: string;
  /** Always "smpp" when given. */
  type?: "smpp";
  /** Which messages the route takes; read by the router, not by the route. */
  match?: unknown;
  /** The upstream SMSC's host name or address. */
  host: string;
  /** The upstream SMSC's port. */
  port: number;
  /** system_id to bind with (1–15 characters). */
  systemId: string;
  /** Password to bind with (1–8 characters). */
  password: string;
  /** system_type to bind with (default ""). */
  systemType: string;
  /** interface_version to bind with (default 0x34). */
  interfaceVersion: number;
  /** "transceiver" (default) or "split" (bind_transmitter + bind_receiver). */
  bind: SmppBindMode;
  /** Most submit_sm waiting for their response (default 10). */
  window: number;
  /** submit_sm per second; 0 means unlimited (default 0). */
  tps: number;
  /** Connect with TLS (default false). */
  tls: boolean;
  /** Extra PEM CA certificates trusted for TLS. */
  caCerts?: string[];
  /** Longest wait between reconnect attempts (default 30 000; the first one waits 500). */
  reconnectMaxMs: number;
  /** An idle link gets an enquire_link after this long (default 30 000; 0 = never). */
  enquireLinkMs: number;
  /** How long a request may wait for its response (default 10 000). */
  responseTimeoutMs: number;
  /** Retries of temporary failures (throttling, timeouts, lost links). */
  retry: RetryPolicy;
  /** source_addr_ton sent instead of the message's own. */
  sourceTon?: number;
  /** source_addr_npi sent instead of the message's own. */
  sourceNpi?: number;
  /** dest_addr_ton sent instead of the message's own. */
  destTon?: number;
  /** dest_addr_npi sent instead of the message's own. */
  destNpi?: number;
}

/** Defaults of the optional keys of an SMPP route. */
export const SMPP_ROUTE_DEFAULTS = {
  systemType: "",
  interfaceVersion: 0x34,
  bind: "transceiver",
  window: 10,
  tps: 0,
  tls: false,
  reconnectMaxMs: 30_000,
  enquireLinkMs: 30_000,
  responseTimeoutMs: 10_000,
} as const;

const D = SMPP_ROUTE_DEFAULTS;
const byte = whole(0, 255).optional();

/** One SMPP route's keys, with their checks and defaults. */
export const SMPP_ROUTE = object({
  // The router's keys, kept as given: the routes table checks them.
  name: z.unknown().optional().transform((name) => name as string),
  type: z.custom<"smpp">().optional(),
  match: z.unknown().optional(),
  host: text(253),
  port: required(whole(1, 65535)),
  systemId: text(15),
  password: text(8),
  systemType: text(12, { empty: true }).default(D.systemType),
  interfaceVersion: whole(0, 255).default(D.interfaceVersion),
  bind: oneOf(["transceiver", "split"], 'must be "transceiver" or "split"').default(D.bind),
  window: whole(1, 10_000).default(D.window),
  tps: number(0, 1_000_000).default(D.tps),
  tls: bool().default(D.tls),
  caCerts: nonEmptyStrings("must be a list of PEM certificates (strings)").optional(),
  reconnectMaxMs: number(100, 3_600_000).default(D.reconnectMaxMs),
  enquireLinkMs: number(0, 3_600_000).default(D.enquireLinkMs),
  responseTimeoutMs: number(10, 600_000).default(D.responseTimeoutMs),
  retry: RETRY,
  sourceTon: byte,
  sourceNpi: byte,
  destTon: byte,
  destNpi: byte,
});

/**
 * Checks one SMPP route of the config and fills in its defaults; a ConfigError names the key
 * (`path` is the route's own, e.g. "routes[1]"). `name`, `type` and `match` are the router's:
 * they are kept (the routes table checks them).
 *
 * @example
 * ```ts
 * import { parseSmppRoute } from "./config.ts";
 * const c = parseSmppRoute(
 *   { name: "fr", type: "smpp", host: "127.0.0.1", port: 2776, systemId: "gw", password: "pw" },
 *   "routes[1]",
 * );
 * console.log(c.window, c.bind); // 10 "transceiver"
 * parseSmppRoute({ name: "fr", host: "x", port: 0 }, "routes[1]"); // ConfigError "routes[1].port: …"
 * ```
 */
export function parseSmppRoute(o: unknown, path: string): SmppRouteConfig {
  return parse(SMPP_ROUTE, o, path);
}
