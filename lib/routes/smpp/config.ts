/** Config of an upstream SMPP route: the gateway binds as an ESME to another SMSC. */
import { ConfigError, integer, known, num, obj, required, str } from "../../core/validate.ts";
import { parseRetry, type RetryPolicy } from "../retry.ts";

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

const KEYS = [
  "name",
  "type",
  "match",
  "host",
  "port",
  "systemId",
  "password",
  "systemType",
  "interfaceVersion",
  "bind",
  "window",
  "tps",
  "tls",
  "caCerts",
  "reconnectMaxMs",
  "enquireLinkMs",
  "responseTimeoutMs",
  "retry",
  "sourceTon",
  "sourceNpi",
  "destTon",
  "destNpi",
] as const;

/**
 * Checks one SMPP route of the config and fills in its defaults; a ConfigError names the key
 * (`path` is the route's own, e.g. "routes[1]"). `name`, `type` and `match` are the router's:
 * they are kept, not checked.
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
  const r = obj(o, path);
  known(r, path, KEYS);
  const p = `${path}.`;
  str(r, "host", p, 253, true);
  required(r, "port", p);
  num(r, "port", p, 1, 65535);
  integer(r, "port", p);
  str(r, "systemId", p, 15, true);
  str(r, "password", p, 8, true);
  if (r.systemType !== "") str(r, "systemType", p, 12);
  num(r, "interfaceVersion", p, 0, 255);
  integer(r, "interfaceVersion", p);
  if (r.bind !== undefined && r.bind !== "transceiver" && r.bind !== "split") {
    throw new ConfigError(`${p}bind: must be "transceiver" or "split"`);
  }
  num(r, "window", p, 1, 10_000);
  integer(r, "window", p);
  num(r, "tps", p, 0, 1_000_000);
  if (r.tls !== undefined && typeof r.tls !== "boolean") {
    throw new ConfigError(`${p}tls: must be true or false`);
  }
  if (r.caCerts !== undefined) {
    if (!Array.isArray(r.caCerts) || r.caCerts.some((c) => typeof c !== "string" || c === "")) {
      throw new ConfigError(`${p}caCerts: must be a list of PEM certificates (strings)`);
    }
  }
  num(r, "reconnectMaxMs", p, 100, 3_600_000);
  num(r, "enquireLinkMs", p, 0, 3_600_000);
  num(r, "responseTimeoutMs", p, 10, 600_000);
  for (const k of ["sourceTon", "sourceNpi", "destTon", "destNpi"]) {
    num(r, k, p, 0, 255);
    integer(r, k, p);
  }
  const d = SMPP_ROUTE_DEFAULTS;
  return {
    name: r.name as string,
    ...(r.type === undefined ? {} : { type: r.type as "smpp" }),
    ...(r.match === undefined ? {} : { match: r.match }),
    host: r.host as string,
    port: r.port as number,
    systemId: r.systemId as string,
    password: r.password as string,
    systemType: (r.systemType as string | undefined) ?? d.systemType,
    interfaceVersion: (r.interfaceVersion as number | undefined) ?? d.interfaceVersion,
    bind: (r.bind as SmppBindMode | undefined) ?? d.bind,
    window: (r.window as number | undefined) ?? d.window,
    tps: (r.tps as number | undefined) ?? d.tps,
    tls: (r.tls as boolean | undefined) ?? d.tls,
    reconnectMaxMs: (r.reconnectMaxMs as number | undefined) ?? d.reconnectMaxMs,
    enquireLinkMs: (r.enquireLinkMs as number | undefined) ?? d.enquireLinkMs,
    responseTimeoutMs: (r.responseTimeoutMs as number | undefined) ?? d.responseTimeoutMs,
    ...(r.caCerts === undefined ? {} : { caCerts: r.caCerts as string[] }),
    retry: parseRetry(r.retry, `${p}retry`),
    ...Object.fromEntries(
      ["sourceTon", "sourceNpi", "destTon", "destNpi"].filter((k) => r[k] !== undefined)
        .map((k) => [k, r[k] as number]),
    ),
  };
}
