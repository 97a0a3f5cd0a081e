/**
 * Routes take accepted messages onward. The hand-over is durable: a stored message without a
 * final state is a job (a joined message for a "whole" route is an explicit job record), so a
 * route resumes its work after a restart; it reports each outcome to the host.
 */
import type { JobRecord, Stat } from "../store/records.ts";
import type { Store } from "../store/store.ts";

/** The final outcome of one message on a route. */
export interface Outcome {
  /** The job this outcome settles. */
  job: JobRecord;
  /** The final state, as its receipt word. */
  stat: Stat;
  /** Network or SMSC error code, three digits (e.g. "000"). */
  err: string;
}

/** What the gateway gives a route. */
export interface RouteHost {
  /** The gateway's store, for reading messages. */
  readonly store: Store;
  /** Records final states (and receipts when asked); resolves once stored. */
  settle(outcomes: Outcome[]): Promise<void>;
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
}
