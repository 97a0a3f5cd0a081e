/** The JSON config file: its shape, defaults and validation with messages that name the key. */
import type { AccountConfig } from "./accounts/accounts.ts";
import { MAX_WINDOW, parseAccount as account } from "./accounts/account_config.ts";
import type { InboundRule } from "./delivery/inbound.ts";
import {
  parseInbound,
  parseRoutes,
  parseSimulator,
  type RouteBase,
  type RouteKeysParser,
  type SimulatorConfig,
  type SimulatorRouteConfig,
} from "./routes/config.ts";
import { parseSmppRoute, type SmppRouteConfig } from "./routes/smpp/config.ts";
import { type HttpRouteConfig, parseHttpRoute } from "./routes/http/config.ts";

/** One route of the `routes` table. */
export type RouteConfig =
  | SimulatorRouteConfig
  | (Omit<SmppRouteConfig, "type" | "match"> & RouteBase & { type: "smpp" })
  | (HttpRouteConfig & RouteBase & { type: "http" });

/** Type-specific route key checks. */
const ROUTE_PARSERS: Record<"http" | "smpp", RouteKeysParser> = {
  http: parseHttpRoute,
  smpp: parseSmppRoute,
};
import { ConfigError, known, num, obj, str } from "./core/validate.ts";

export { ConfigError } from "./core/validate.ts";

/** The config file, all keys optional. Times are in the unit their name says. */
export interface GatewayConfig {
  /** system_id presented in bind responses. */
  systemId?: string;
  /** Node id 0..99, part of every message id. */
  nodeId?: number;
  /** Store lease lifetime; a store left by a crashed process is taken over after this. */
  leaseSec?: number;
  /** Days finished messages, states and concatenation mappings are kept. */
  retentionDays?: number;
  /** How long the parts of a concatenated message may take to arrive. */
  concatTimeoutSec?: number;
  /** Accounts to create or update in the store at start. */
  accounts?: AccountConfig[];
  /** Settings of the built-in simulator route (used when there is no `routes` table). */
  simulator?: SimulatorConfig;
  /** The routing table: the first route whose match fits a message takes it. */
  routes?: RouteConfig[];
  /** Which account gets an inbound message, by the number it was sent to. */
  inbound?: InboundRule[];
  /** The HTTP port's settings: the admin API token (else `SMPPGW_ADMIN_TOKEN`, else generated). */
  http?: { adminToken?: string };
  /** Connection, PDU, output and bind-failure limits. */
  limits?: {
    maxConnections?: number;
    maxConnectionsPerIp?: number;
    /** Connections not bound yet, in total and per remote address. */
    maxUnboundConnections?: number;
    maxUnboundConnectionsPerIp?: number;
    pduTimeoutSec?: number;
    /** Unsent output per connection at which reading pauses (resumes at half). */
    maxOutputBytes?: number;
    /** A connection whose output makes no progress this long is closed; 0 = never. */
    drainTimeoutSec?: number;
    bindFailures?: number;
    bindFailureWindowSec?: number;
    bindLockoutSec?: number;
  };
  /** Session timers and windows. */
  session?: {
    enquireLinkSec?: number;
    responseTimeoutSec?: number;
    bindTimeoutSec?: number;
    inactivitySec?: number;
    window?: number;
    deliverWindow?: number;
  };
  /** Delivery receipt text length, retry backoff, maximum age and receiver failure limit. */
  receipts?: {
    textLength?: number;
    retrySec?: number;
    retryMaxSec?: number;
    maxAgeHours?: number;
    maxReceiverFailures?: number;
  };
}

/**
 * Validates a parsed config file; throws ConfigError naming the first bad key.
 *
 * @example
 * ```ts
 * import { parseConfig } from "./lib/mod.ts";
 * const config = parseConfig(JSON.parse('{"systemId": "smppgw", "limits": {"maxConnections": 500}}'));
 * console.log(config.limits?.maxConnections); // 500
 * ```
 */
export function parseConfig(v: unknown): GatewayConfig {
  const o = obj(v, "config");
  known(o, "", [
    "systemId",
    "nodeId",
    "leaseSec",
    "retentionDays",
    "concatTimeoutSec",
    "accounts",
    "simulator",
    "routes",
    "inbound",
    "http",
    "limits",
    "session",
    "receipts",
  ]);
  num(o, "concatTimeoutSec", "", 0.1, 86_400);
  if (o.limits !== undefined) {
    const l = obj(o.limits, "limits");
    const keys = [
      "maxConnections",
      "maxConnectionsPerIp",
      "maxUnboundConnections",
      "maxUnboundConnectionsPerIp",
      "pduTimeoutSec",
      "drainTimeoutSec",
      "bindFailures",
      "bindFailureWindowSec",
      "bindLockoutSec",
    ];
    known(l, "limits", [...keys, "maxOutputBytes"]);
    for (const k of keys) num(l, k, "limits.", 0, 1_000_000);
    num(l, "maxOutputBytes", "limits.", 4096, 1 << 30);
  }
  num(o, "leaseSec", "", 0.1, 3600);
  num(o, "retentionDays", "", 0.001, 3650);
  str(o, "systemId", "", 15);
  num(o, "nodeId", "", 0, 99);
  if (o.accounts !== undefined) {
    if (!Array.isArray(o.accounts)) throw new ConfigError("accounts: must be an array");
    const ids = new Set<string>();
    o.accounts.forEach((a, i) => {
      const acc = account(a, `accounts[${i}]`);
      if (ids.has(acc.systemId)) {
        throw new ConfigError(`accounts[${i}].systemId: "${acc.systemId}" appears twice`);
      }
      ids.add(acc.systemId);
    });
  }
  if (o.simulator !== undefined) parseSimulator(obj(o.simulator, "simulator"), "simulator");
  if (o.routes !== undefined) parseRoutes(o.routes, ROUTE_PARSERS);
  if (o.http !== undefined) {
    const h = obj(o.http, "http");
    known(h, "http", ["adminToken"]);
    if (
      h.adminToken !== undefined && (typeof h.adminToken !== "string" || h.adminToken.length < 16)
    ) {
      throw new ConfigError("http.adminToken: must be a string of at least 16 characters");
    }
  }
  if (o.inbound !== undefined) parseInbound(o.inbound);
  if (o.session !== undefined) {
    const s = obj(o.session, "session");
    const keys = ["enquireLinkSec", "responseTimeoutSec", "bindTimeoutSec", "inactivitySec"];
    known(s, "session", [...keys, "window", "deliverWindow"]);
    for (const k of keys) num(s, k, "session.", 0, 86_400);
    num(s, "window", "session.", 1, MAX_WINDOW);
    num(s, "deliverWindow", "session.", 1, 10_000);
  }
  if (o.receipts !== undefined) {
    const r = obj(o.receipts, "receipts");
    known(r, "receipts", [
      "textLength",
      "retrySec",
      "retryMaxSec",
      "maxAgeHours",
      "maxReceiverFailures",
    ]);
    num(r, "textLength", "receipts.", 0, 160);
    num(r, "retrySec", "receipts.", 0, 86_400);
    num(r, "retryMaxSec", "receipts.", 0, 86_400);
    num(r, "maxAgeHours", "receipts.", 0, 8760);
    num(r, "maxReceiverFailures", "receipts.", 0, 1000);
  }
  return o as GatewayConfig;
}
