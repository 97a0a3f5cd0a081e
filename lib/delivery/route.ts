/**
 * Routes take accepted messages onward. The hand-over is durable: a stored message without a
 * final state is a job (a joined message for a "whole" route is an explicit job record), so a
 * route resumes its work after a restart; it reports each outcome to the host.
 */
import { MAX_VALIDITY_MS } from "../core/defaults.ts";
import type { JobRecord, Stat } from "../store/records.ts";
import type { Store } from "../store/store.ts";

/**
 * When a job's message expires: its `validity_period` (capped at submit), else the gateway's
 * maximum validity after it was accepted. A route settles a job still unfinished then as EXPIRED.
 */
export function expiresAt(job: JobRecord, maxValidityMs: number = MAX_VALIDITY_MS): number {
  return job.validUntil ?? job.submitAt + maxValidityMs;
}

/** The final outcome of one message on a route. */
export interface Outcome {
  /** The job this outcome settles. */
  job: JobRecord;
  /** The final state, as its receipt word. */
  stat: Stat;
  /** Network or SMSC error code, three digits (e.g. "000"). */
  err: string;
}

/** A receipt a route got for one of its messages (from a provider callback or an upstream). */
export interface RouteReceipt {
  /** Our message id, when the report carries it. */
  id?: string;
  /** The provider's id, as given to {@link RouteHost.handedOver}. */
  providerId?: string;
  /** The final state. */
  stat: Stat;
  /** Error code, three digits (e.g. "000"). */
  err: string;
}

/** How {@link RouteHost.receipt} used a report. */
export type ReceiptResult =
  /** It settled a message waiting for it. */
  | "settled"
  /** The message had its final state already: a repeated report, ignored. */
  | "repeat"
  /** No message of this route has that id. */
  | "unknown";

/**
 * A mobile-originated message a route received: text (the gateway picks the data_coding: GSM
 * 7-bit when possible, else UCS2, split into UDH parts when long) or raw user data as an upstream
 * SMSC sent it.
 */
export interface InboundMessage {
  /** The sender (the handset). */
  source: string;
  /** The number it was sent to; matched against the `inbound` rules to find the account. */
  dest: string;
  /** The text. */
  text?: string;
  /** Or the user data as received (UDH included when `esmClass` has 0x40). */
  body?: Uint8Array;
  /** data_coding of `body`. */
  dataCoding?: number;
  /** esm_class of `body` (0x40: it starts with a UDH). */
  esmClass?: number;
}

/** What the gateway gives a route (one host per route: stored mappings are per route). */
export interface RouteHost {
  /** The gateway's store, for reading messages. */
  readonly store: Store;
  /**
   * Records final states (and receipts when asked); resolves once stored. A job settled meanwhile
   * (e.g. by a receipt that came while it waited for a retry) is left as it is.
   */
  settle(outcomes: Outcome[]): Promise<void>;
  /**
   * Whether a job still waits for its route: false once it was settled or handed over (a route
   * checks before sending a retry, so a message settled meanwhile is not sent twice).
   */
  isOpen(job: JobRecord): boolean;
  /**
   * Like {@link isOpen}, and marks the job as being sent: from then on cancel_sm and replace_sm
   * refuse it (0x11, 0x13) until it settles, is handed over or waits for a retry. Call it just
   * before sending; send nothing when it is false.
   */
  take(job: JobRecord): boolean;
  /**
   * Records a temporary failure: the job is tried again at `nextAt` (ms since the epoch) and, after
   * a restart, resumes with `attempts` and `nextAt` set. Resolves once stored.
   */
  retry(job: JobRecord, attempts: number, nextAt: number): Promise<void>;
  /**
   * The message was handed over and now waits for the route's receipt, matched by `providerId`
   * (or our id). Stores state ENROUTE: it is not resumed after a restart. Resolves once stored.
   */
  handedOver(job: JobRecord, providerId: string): Promise<void>;
  /** A receipt for a message handed over by this route: settles it (and queues its receipt). */
  receipt(r: RouteReceipt): Promise<ReceiptResult>;
  /**
   * A message from a handset: goes to the account the `inbound` rules give `dest`, as deliver_sm
   * to its receivers (waiting in KV while none is bound). "no-rule" when no rule matches.
   */
  inbound(m: InboundMessage): Promise<"queued" | "no-rule">;
}

/** A request to a route's callback endpoint (`/routes/{name}/dlr` or `/mo`), already parsed. */
export interface CallbackRequest {
  /** The fields of the JSON body, the form, or the query string (values as strings). */
  fields: Readonly<Record<string, string>>;
  /** The token from `Authorization: Bearer …` or `?token=`; null when none was given. */
  token: string | null;
}

/** The answer to a callback: the HTTP status and a JSON body (`{ error, path }` for errors). */
export interface CallbackAnswer {
  /** HTTP status: 200, or 400/401/404 (503 while the route is not started). */
  status: number;
  /** The JSON body. */
  body: Record<string, unknown>;
}

/**
 * A destination for messages.
 *
 * @example
 * ```ts
 * import type { Outcome, Route, RouteHost } from "./lib/mod.ts";
 * // A route that reports every message delivered at once.
 * let host: RouteHost | undefined;
 * const instant: Route = {
 *   name: "instant",
 *   async start(h, resume) {
 *     host = h;
 *     const old: Outcome[] = [];
 *     for await (const job of resume) old.push({ job, stat: "DELIVRD", err: "000" });
 *     if (old.length > 0) await h.settle(old);
 *   },
 *   enqueue(job) {
 *     // A real route retries a failed settle; the job stays in KV and resumes after a restart.
 *     host?.settle([{ job, stat: "DELIVRD", err: "000" }]).catch(console.error);
 *   },
 *   async stop() {},
 * };
 * ```
 */
export interface Route {
  /** The route's name; its jobs and checkpoint are stored under it, so keep it stable. */
  readonly name: string;
  /**
   * "parts" (default): every submitted part is a job. "whole": parts of a concatenated message
   * are joined first and the route gets one job listing its parts.
   */
  readonly mode?: "parts" | "whole";
  /**
   * Starts the route with the unfinished jobs of an earlier run (oldest first). Consume `resume`
   * before resolving: the gateway listens only afterwards, so old jobs come before new ones.
   */
  start(host: RouteHost, resume: AsyncIterable<JobRecord>): Promise<void>;
  /** A job was just committed for this route. */
  enqueue(job: JobRecord): void;
  /** Stops taking work; resolves when in-flight settlements are stored. */
  stop(): Promise<void>;
  /**
   * Jobs it holds in memory (waiting, retrying, in flight). At the gateway's `routeBacklog`
   * new messages for it are refused with ESME_RMSGQFUL (0x14), so a dead provider cannot make
   * memory grow without bound.
   */
  backlog?(): number;
  /** Receipts ("dlr") and inbound messages ("mo") posted to the gateway's HTTP port for it. */
  callback?(kind: "dlr" | "mo", req: CallbackRequest): Promise<CallbackAnswer>;
}
