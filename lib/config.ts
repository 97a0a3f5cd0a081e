/** The JSON config file: its shape, defaults and validation with messages that name the key. */
import type { AccountConfig } from "./accounts/accounts.ts";
import { ACCOUNTS, MAX_WINDOW } from "./accounts/account_config.ts";
import type { InboundRule } from "./delivery/inbound.ts";
import {
  INBOUND,
  type RouteBase,
  routeTable,
  SIMULATOR,
  type SimulatorConfig,
  type SimulatorRouteConfig,
} from "./routes/config.ts";
import { SMPP_ROUTE, type SmppRouteConfig } from "./routes/smpp/config.ts";
import { HTTP_ROUTE, type HttpRouteConfig } from "./routes/http/config.ts";
import { dict, number, object, parse, secret, text } from "./core/schema.ts";
import { z } from "zod";

export { ConfigError, type ConfigProblem } from "./core/validate.ts";

/** One route of the `routes` table. */
export type RouteConfig =
  | SimulatorRouteConfig
  | (Omit<SmppRouteConfig, "type" | "match"> & RouteBase & { type: "smpp" })
  | (HttpRouteConfig & RouteBase & { type: "http" });

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
  /** Longest validity a message may have (a longer `validity_period` is cut to it; default 72). */
  maxValidityHours?: number;
  /** Accounts to create or update in the store at start. */
  accounts?: AccountConfig[];
  /** Settings of the built-in simulator route (used when there is no `routes` table). */
  simulator?: SimulatorConfig;
  /** The routing table: the first route whose match fits a message takes it. */
  routes?: RouteConfig[];
  /** Which account gets an inbound message, by the number it was sent to. */
  inbound?: InboundRule[];
  /** Canned messages by `sm_default_msg_id` (1–254): the text a submit with that id sends. */
  cannedMessages?: Record<string, string>;
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
    /** Jobs a route may hold in memory before new messages for it get 0x14. */
    routeBacklog?: number;
    /** Scheduled messages that may wait for their time before new ones get 0x14. */
    maxScheduled?: number;
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

const limit = number(0, 1_000_000).optional();
const seconds = number(0, 86_400).optional();

/** The config file's keys (the CLI's `server` section aside), with their checks. */
const CONFIG = object({
  systemId: text(15).optional(),
  nodeId: number(0, 99).optional(),
  leaseSec: number(0.1, 3600).optional(),
  retentionDays: number(0.001, 3650).optional(),
  concatTimeoutSec: number(0.1, 86_400).optional(),
  maxValidityHours: number(0.001, 8760).optional(),
  accounts: ACCOUNTS.optional(),
  simulator: SIMULATOR.optional(),
  // Each route is checked by its type's schema; the table's entries are RouteConfig.
  routes: (routeTable({ http: HTTP_ROUTE, smpp: SMPP_ROUTE }) as z.ZodType<RouteConfig[]>)
    .optional(),
  inbound: INBOUND.optional(),
  cannedMessages: dict(
    z.string({ error: "must be a text" }).min(1, { error: "must not be empty" }).max(1000, {
      error: "must be at most 1000 characters",
    }),
  ).superRefine((m, ctx) => {
    for (const k of Object.keys(m)) {
      if (!/^\d+$/.test(k) || Number(k) < 1 || Number(k) > 254) {
        ctx.addIssue({ code: "custom", path: [k], message: "must be a number from 1 to 254" });
      }
    }
  }).optional(),
  http: object({ adminToken: secret(16).optional() }).optional(),
  limits: object({
    maxConnections: limit,
    maxConnectionsPerIp: limit,
    maxUnboundConnections: limit,
    maxUnboundConnectionsPerIp: limit,
    pduTimeoutSec: limit,
    drainTimeoutSec: limit,
    bindFailures: limit,
    bindFailureWindowSec: limit,
    bindLockoutSec: limit,
    maxOutputBytes: number(4096, 1 << 30).optional(),
    routeBacklog: number(1, 100_000_000).optional(),
    maxScheduled: number(0, 100_000_000).optional(),
  }).optional(),
  session: object({
    enquireLinkSec: seconds,
    responseTimeoutSec: seconds,
    bindTimeoutSec: seconds,
    inactivitySec: seconds,
    window: number(1, MAX_WINDOW).optional(),
    deliverWindow: number(1, 10_000).optional(),
  }).optional(),
  receipts: object({
    textLength: number(0, 160).optional(),
    retrySec: seconds,
    retryMaxSec: seconds,
    maxAgeHours: number(0, 8760).optional(),
    maxReceiverFailures: number(0, 1000).optional(),
  }).optional(),
}).superRefine((c, ctx) => {
  // A message must not outlive its own records (kept retentionDays, default 7).
  const days = c.retentionDays ?? 7;
  if (c.maxValidityHours !== undefined && c.maxValidityHours > days * 24) {
    ctx.addIssue({
      code: "custom",
      path: ["maxValidityHours"],
      message: `must be at most retentionDays × 24 (${
        days * 24
      }): a message must not outlive its records`,
    });
  }
});

/**
 * Validates a parsed config file; throws ConfigError naming the first bad key (in file order),
 * with every problem in its `problems`. Route defaults are filled in when the routes are built.
 *
 * @example
 * ```ts
 * import { parseConfig } from "./lib/mod.ts";
 * const config = parseConfig(JSON.parse('{"systemId": "smppgw", "limits": {"maxConnections": 500}}'));
 * console.log(config.limits?.maxConnections); // 500
 * ```
 */
export function parseConfig(v: unknown): GatewayConfig {
  return parse(CONFIG, v, "", "config");
}
