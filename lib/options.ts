/** The settings of a gateway: everything but `kv` has a default (`lib/core/defaults.ts`). */
import type { AccountConfig } from "./accounts/accounts.ts";
import type { LockoutOptions } from "./accounts/limits.ts";
import type { Route } from "./delivery/route.ts";
import type { RoutingEntry } from "./delivery/router.ts";
import type { InboundRule } from "./delivery/inbound.ts";
import type { SessionOptions } from "./session/contract.ts";

/** Gateway settings; everything but `kv` has a default. */
export interface GatewayOptions {
  /** The Deno KV handle holding the store (the caller closes it). */
  kv: Deno.Kv;
  /** system_id presented in bind responses. */
  systemId?: string;
  /** Where messages go when there is no `routes` table; the simulator by default. */
  route?: Route;
  /**
   * The routing table: the first route whose match fits a message takes it; a message no route
   * takes is refused with ESME_RINVDSTADR. Replaces `route`.
   */
  routes?: RoutingEntry[];
  /** Which account gets an inbound (mobile-originated) message, by the number it was sent to. */
  inbound?: InboundRule[];
  /** Node id 0..99, part of every message id. */
  nodeId?: number;
  /** Session timers and windows (ms). */
  session?: Partial<Omit<SessionOptions, "systemId">>;
  /** Characters of message text in the receipt's `text:` field. */
  receiptTextLength?: number;
  /** Receipt retry backoff start and cap, and maximum age (ms). */
  receiptRetryMs?: number;
  /** Cap of the receipt retry backoff (ms). */
  receiptRetryMaxMs?: number;
  /** Receipts older than this (ms) are dropped undelivered. */
  receiptMaxAgeMs?: number;
  /** Receipt failures in a row after which a receiver session is unbound (default 5, 0 = never). */
  maxReceiverFailures?: number;
  /** How long shutdown waits for each unbind_resp. */
  unbindWaitMs?: number;
  /** Store lease lifetime: a crashed owner's store is taken over after this long. */
  leaseMs?: number;
  /** Days finished messages, states and concatenation mappings are kept (default 7). */
  retentionDays?: number;
  /**
   * Open connections allowed in total (default 1000, kept below the open-file limit) and per
   * remote address (default 100).
   */
  maxConnections?: number;
  /** Open connections allowed per remote address (default 100). */
  maxConnectionsPerIp?: number;
  /**
   * Connections not bound yet allowed in total (default 200; when full, the oldest idle one is
   * closed to make room) and per remote address (default 20; more are refused).
   */
  maxUnboundConnections?: number;
  /** Connections not bound yet allowed per remote address (default 20; more are refused). */
  maxUnboundConnectionsPerIp?: number;
  /** The process's soft open-file limit, when known: the default connection cap stays below it. */
  fdLimit?: number | null;
  /** Failed binds per system_id and per IP before a lockout. */
  bindLockout?: LockoutOptions;
  /**
   * The config accounts (as given to `syncAccounts`): binds as them are checked against these
   * passwords, held in memory only; their KV records carry no password.
   */
  accounts?: readonly AccountConfig[];
  /** How often handed-over messages past their validity are looked for (ms; default 60 000). */
  expirySweepMs?: number;
  /** Jobs a route may hold in memory before new messages for it get 0x14 (default 100 000). */
  routeBacklog?: number;
  /** Scheduled messages that may wait for their time (default 100 000); more get 0x14. */
  maxScheduled?: number;
  /** Canned messages by `sm_default_msg_id` (1–254): the text a submit_sm naming one sends. */
  cannedMessages?: Readonly<Record<string, string>>;
  /** How long the parts of a concatenated message may take to arrive. */
  concatTimeoutMs?: number;
  /** Longest validity a message may have, for every account (default 72 h). */
  maxValidityMs?: number;
}
