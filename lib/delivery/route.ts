/**
 * Routes take accepted messages onward. The hand-over is durable: a stored message without a
 * final state is a job (a joined message for a "whole" route is an explicit job record), so a
 * route resumes its work after a restart; it reports each outcome to the host.
 */
import type { JobRecord, Stat } from "../store/records.ts";
import type { Store } from "../store/store.ts";

/** The final outcome of one message on a route. */
export interface Outcome {
  job: JobRecord;
  stat: Stat;
  /** Network or SMSC error code, three digits (e.g. "000"). */
  err: string;
}

/** What the gateway gives a route. */
export interface RouteHost {
  readonly store: Store;
  /** Records final states (and receipts when asked); resolves once stored. */
  settle(outcomes: Outcome[]): Promise<void>;
}

/** A destination for messages. */
export interface Route {
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
