/**
 * smppgw as a library: `startGateway()` runs an SMPP 3.4 server on Deno or Bun with Deno KV
 * (`npm:@deno/kv` on Bun; the same file format).
 *
 * ```ts
 * import { startGateway } from "./lib/mod.ts";
 * const gw = await startGateway({ port: 0, kv: ":memory:", accounts: [{ systemId: "acme", password: "s3cret" }] });
 * console.log(`SMPP on ${gw.addr.hostname}:${gw.addr.port}`);
 * await gw.close();
 * ```
 */
import { type AccountConfig, syncAccounts } from "./accounts/accounts.ts";
import { type HttpServer, runtime } from "./runtime.ts";
import { parseSmppRoute } from "./routes/smpp/config.ts";
import { smppRoute } from "./routes/smpp/route.ts";
import { parseHttpRoute } from "./routes/http/config.ts";
import { httpRoute } from "./routes/http/route.ts";
import { httpApp } from "./http/app.ts";
import { adminToken } from "./accounts/admin_token.ts";
import type { GatewayConfig, RouteConfig } from "./config.ts";
import type { RoutingEntry } from "./delivery/router.ts";
import { Gateway, type GatewayOptions } from "./gateway.ts";
import { getLogger } from "@logtape/logtape";
import { LISTEN_DEFAULTS, LOCKOUT_DEFAULTS } from "./core/defaults.ts";
import type { Listener } from "./transport/conn.ts";
import { noticing, STORE_LOCKED } from "./store/notice.ts";
import type { Route } from "./delivery/route.ts";
import { type SimulatorOptions, simulatorRoute } from "./delivery/simulator.ts";

export { type AccountConfig, ensureDefaultAccount, syncAccounts } from "./accounts/accounts.ts";
export {
  ConfigError,
  type ConfigProblem,
  type GatewayConfig,
  parseConfig,
  type RouteConfig,
} from "./config.ts";
export { Gateway, type GatewayOptions, SESSION_DEFAULTS } from "./gateway.ts";
export type {
  CallbackAnswer,
  CallbackRequest,
  InboundMessage,
  Outcome,
  ReceiptResult,
  Route,
  RouteHost,
  RouteReceipt,
} from "./delivery/route.ts";
export type { RouteMatch, RoutingEntry } from "./delivery/router.ts";
export type { InboundRule } from "./delivery/inbound.ts";
export {
  simulate,
  type SimulatorOptions,
  simulatorRoute,
  type SimulatorRule,
} from "./delivery/simulator.ts";
export { type Fence, type OutboxPage, type RouteJob, Store } from "./store/store.ts";
export { StoreMutations } from "./store/mutations.ts";
export { AccountAdmin, type AccountView, AdminError } from "./accounts/admin.ts";
export type { SessionStats } from "./session/contract.ts";
export type {
  RouteBase,
  RouteType,
  SimulatorConfig,
  SimulatorRouteConfig,
} from "./routes/config.ts";
export type { RetryPolicy } from "./routes/retry.ts";
export type { SmppBindMode, SmppRouteConfig } from "./routes/smpp/config.ts";
export type { DlrConfig, HttpFormat, HttpRouteConfig, MoConfig } from "./routes/http/config.ts";
export type {
  AccountRecord,
  Address,
  ConcatRef,
  JobRecord,
  JoinedRecord,
  MessageRecord,
  MoData,
  PartRef,
  PasswordHash,
  ReceiptRecord,
  Stat,
  StateRecord,
} from "./store/records.ts";
export type { DestAddress, FieldValue, PduInit, UnsuccessSme } from "./smpp/codec.ts";
export type { Tlv } from "./smpp/tlvs.ts";
export type { SessionState } from "./smpp/states.ts";
export { LeaseError } from "./store/lease.ts";
export { StoreError } from "./store/schema.ts";
export type { SyncResult } from "./accounts/accounts.ts";
export type { LockoutOptions } from "./accounts/limits.ts";
export type { ReceiptCounters } from "./delivery/dispatcher.ts";
export type { OutboxLevel } from "./delivery/outbox.ts";
export type { Session } from "./session/session.ts";
export type { SessionOptions } from "./session/contract.ts";
export { type CounterName, COUNTERS, type Counters } from "./core/counters.ts";
export { type AccountTally, Meters } from "./core/meters.ts";
export { Histogram } from "./core/histogram.ts";
export {
  PDU_IN,
  PDU_OUT,
  PduCounts,
  type PduDirection,
  type PduSeries,
} from "./core/pdu_counts.ts";
export {
  allMetrics,
  BIND_FAILURE_REASONS,
  BIND_TYPES,
  type BindFailureReason,
  type BindType,
  type MetricDef,
  METRICS,
  type MetricType,
  type NamedMetric,
  THROTTLE_REASONS,
  type ThrottleReason,
} from "./core/metrics.ts";
export type { Health } from "./store/health.ts";
export type { Conn, Connect, ConnectOptions, Listener } from "./transport/conn.ts";
export {
  type HttpServer,
  onBun,
  type Runtime,
  runtime,
  type RuntimeVersion,
  type StopSignal,
} from "./runtime.ts";
export { SmppError } from "./smpp/errors.ts";
/** The SMPP 3.4 codec: commands, statuses, TLVs, encode and decode. */
export * as pdu from "./smpp/mod.ts";
/** Message text: GSM 03.38, UCS2 and Latin-1 codecs, data_coding, part splitting, concatenation. */
export * as text from "./text/mod.ts";

/** Options of {@link startGateway}. */
export interface StartOptions extends Omit<GatewayOptions, "kv" | "route"> {
  /** TCP address; port 0 lets the OS pick. Defaults 127.0.0.1:2775. */
  host?: string;
  /** TCP port (default 2775; 0 lets the OS pick). */
  port?: number;
  /** Optional TLS listener (PEM strings). */
  tls?: { port: number; cert: string; key: string };
  /**
   * The HTTP port (route callbacks `/routes/{name}/dlr` and `/mo`, `/healthz`, `/metrics`, the
   * admin API); off unless given. `host` defaults to 127.0.0.1.
   */
  http?: { host?: string; port: number; adminToken?: string };
  /**
   * A Deno KV handle (kept open on close; on Bun, one from `openKv` of `npm:@deno/kv`) or a path to
   * open (closed on close). Default ":memory:".
   */
  kv?: Deno.Kv | string;
  /** Accounts to create or update in KV. */
  accounts?: AccountConfig[];
  /** Where messages go (default: the simulator with `simulator` options). */
  route?: Route;
  /** Settings of the default simulator route (ignored when `route` is given). */
  simulator?: SimulatorOptions;
}

/** A running gateway. */
export interface RunningGateway {
  /** The SMPP TCP address actually bound. */
  addr: { hostname: string; port: number };
  /** The TLS address, when TLS is on. */
  tlsAddr?: { hostname: string; port: number };
  /** The HTTP address, when the HTTP port is on. */
  httpAddr?: { hostname: string; port: number };
  /**
   * The admin API token this start generated (none was configured or stored): show it once; only
   * its digest is stored.
   */
  generatedAdminToken?: string;
  /** The gateway itself. */
  gateway: Gateway;
  /** The KV handle in use. */
  kv: Deno.Kv;
  /**
   * Resolves if another process took the store over (this one was stalled past its lease): the
   * gateway has then unbound its sessions and stopped; a server should exit non-zero.
   */
  lost: Promise<Error>;
  /** Unbinds sessions, stops work, and closes KV if this call opened it. */
  close(): Promise<void>;
  /** The same as {@link close}, for `await using gw = await startGateway(...)`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts a gateway: opens KV (refusing a file that is not an smppgw store), binds the listening
 * sockets (so "port in use" fails before anything else), takes the store, resumes queued work,
 * syncs accounts, then accepts connections. A failure at any step releases everything.
 *
 * @example
 * ```ts
 * import { startGateway } from "./lib/mod.ts";
 * await using gw = await startGateway({
 *   port: 0,
 *   accounts: [{ systemId: "acme", password: "s3cret" }],
 *   simulator: { delayMs: 100, rules: [{ prefix: "999", stat: "UNDELIV", err: "001" }] },
 * });
 * console.log(`SMPP on ${gw.addr.hostname}:${gw.addr.port}`);
 * ```
 */
export async function startGateway(o: StartOptions = {}): Promise<RunningGateway> {
  const ownKv = typeof o.kv !== "object";
  const kv = typeof o.kv === "object"
    ? o.kv
    : await noticing(runtime.openKv(o.kv ?? ":memory:"), 3000, STORE_LOCKED);
  const listeners: Listener[] = [];
  let gateway: Gateway | undefined;
  let http: HttpServer | undefined;
  try {
    const host = o.host ?? LISTEN_DEFAULTS.host;
    const tcp = runtime.listenTcp(host, o.port ?? LISTEN_DEFAULTS.port);
    listeners.push(tcp);
    let tlsAddr: RunningGateway["tlsAddr"];
    if (o.tls) {
      const tls = runtime.listenTls(host, o.tls.port, o.tls.cert, o.tls.key);
      listeners.push(tls);
      tlsAddr = { hostname: tls.hostname, port: tls.port };
    }
    gateway = new Gateway({
      fdLimit: runtime.fdLimit(),
      ...o,
      kv,
      route: o.route ?? simulatorRoute(o.simulator),
    });
    await gateway.start();
    const gw = gateway;
    let generatedToken: string | undefined;
    if (o.http) {
      const token = await adminToken(gw.store, o.http.adminToken);
      generatedToken = token.generated;
      const app = httpApp({
        routes: () => gw.routes,
        ops: { health: () => gw.health(), metrics: () => gw.metricsText() },
        admin: {
          accounts: gw.accounts,
          sessions: () => gw.sessions,
          store: gw.store,
          finished: (account, page) => gw.finished(account, page),
          outboxes: () => gw.outboxes(),
          counters: gw.counters,
          node: gw.node,
          startedAt: gw.startedAt,
          verifyToken: token.verify,
        },
      });
      http = runtime.serveHttp(o.http.host ?? LISTEN_DEFAULTS.host, o.http.port, app.fetch);
    }
    await syncAccounts(gateway.store, o.accounts ?? []);
    for (const l of listeners) gateway.listen(l);
    const server = http;
    let closing: Promise<void> | undefined;
    const close = () =>
      closing ??= (async () => {
        await server?.close();
        await gw.close();
        if (ownKv) kv.close();
      })();
    return {
      addr: { hostname: tcp.hostname, port: tcp.port },
      tlsAddr,
      httpAddr: server ? { hostname: server.hostname, port: server.port } : undefined,
      generatedAdminToken: generatedToken,
      gateway: gw,
      kv,
      lost: gw.lost,
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (e) {
    for (const l of listeners) l.close();
    await http?.close();
    // The start error is the one to report; a failing cleanup is logged beside it.
    await gateway?.close().catch((c) =>
      getLogger(["smppgw"]).error("cleanup after a failed start: {error}", { error: String(c) })
    );
    if (ownKv) kv.close();
    throw e;
  }
}

/** A route of the config's `routes` table, with its match. */
function routeFromConfig(r: RouteConfig): RoutingEntry {
  switch (r.type) {
    case "simulator":
      return {
        route: simulatorRoute({ name: r.name, delayMs: r.delayMs, rules: r.rules }),
        match: r.match,
      };
    case "smpp":
      return {
        route: smppRoute(parseSmppRoute(r, r.name), { connect: runtime.connect }),
        match: r.match,
      };
    case "http":
      return { route: httpRoute(parseHttpRoute(r, r.name)), match: r.match };
  }
}

/** Turns a parsed config file into {@link StartOptions} (times converted to ms). */
export function optionsFromConfig(c: GatewayConfig): StartOptions {
  const s = c.session ?? {};
  const ms = (sec: number | undefined) => (sec === undefined ? undefined : sec * 1000);
  const session = Object.fromEntries(
    Object.entries({
      enquireLinkMs: ms(s.enquireLinkSec),
      responseTimeoutMs: ms(s.responseTimeoutSec),
      bindTimeoutMs: ms(s.bindTimeoutSec),
      inactivityMs: ms(s.inactivitySec),
      window: s.window,
      deliverWindow: s.deliverWindow,
    }).filter(([, v]) => v !== undefined),
  );
  const r = c.receipts ?? {};
  const l = c.limits ?? {};
  if (l.pduTimeoutSec !== undefined) session.pduTimeoutMs = l.pduTimeoutSec * 1000;
  if (l.drainTimeoutSec !== undefined) session.drainTimeoutMs = l.drainTimeoutSec * 1000;
  if (l.maxOutputBytes !== undefined) session.maxOutputBytes = l.maxOutputBytes;
  return {
    maxConnections: l.maxConnections,
    maxConnectionsPerIp: l.maxConnectionsPerIp,
    maxUnboundConnections: l.maxUnboundConnections,
    maxUnboundConnectionsPerIp: l.maxUnboundConnectionsPerIp,
    routeBacklog: l.routeBacklog,
    maxScheduled: l.maxScheduled,
    bindLockout: l.bindFailures === undefined && l.bindFailureWindowSec === undefined &&
        l.bindLockoutSec === undefined
      ? undefined
      : {
        maxFailures: l.bindFailures ?? LOCKOUT_DEFAULTS.maxFailures,
        windowMs: ms(l.bindFailureWindowSec) ?? LOCKOUT_DEFAULTS.windowMs,
        lockoutMs: ms(l.bindLockoutSec) ?? LOCKOUT_DEFAULTS.lockoutMs,
      },
    systemId: c.systemId,
    nodeId: c.nodeId,
    leaseMs: ms(c.leaseSec),
    retentionDays: c.retentionDays,
    concatTimeoutMs: ms(c.concatTimeoutSec),
    maxValidityMs: c.maxValidityHours === undefined ? undefined : c.maxValidityHours * 3600_000,
    accounts: c.accounts,
    simulator: c.simulator,
    routes: c.routes?.map(routeFromConfig),
    inbound: c.inbound,
    cannedMessages: c.cannedMessages,
    session,
    receiptTextLength: r.textLength,
    receiptRetryMs: ms(r.retrySec),
    receiptRetryMaxMs: ms(r.retryMaxSec),
    receiptMaxAgeMs: r.maxAgeHours === undefined ? undefined : r.maxAgeHours * 3600_000,
    maxReceiverFailures: r.maxReceiverFailures,
  };
}
