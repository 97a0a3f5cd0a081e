/**
 * The built-in simulator route: after `delayMs` each message reaches a final state chosen by
 * destination-prefix rules (first match wins), DELIVRD/000 when none matches.
 */
import { getLogger } from "@logtape/logtape";
import { SIMULATOR_DELAY_MS } from "../core/defaults.ts";
import type { JobRecord, Stat } from "../store/records.ts";
import type { Outcome, Route, RouteHost } from "./route.ts";

const log = getLogger(["smppgw", "simulator"]);

/** A rule: destinations starting with `prefix` end in `stat` with error `err`. */
export interface SimulatorRule {
  /** Destination address prefix this rule matches. */
  prefix: string;
  /** The final state of matching messages. */
  stat: Stat;
  /** Error code for the receipt (default "000"; left-padded to three digits). */
  err?: string;
}

/** Simulator settings. */
export interface SimulatorOptions {
  /** The route's name (default "simulator"); its jobs are stored under it. */
  name?: string;
  /** Time from submission to the final state (ms). */
  delayMs?: number;
  /** Destination-prefix rules; the first match wins, DELIVRD/000 when none matches. */
  rules?: SimulatorRule[];
  /** Most outcomes settled in one batch. */
  batch?: number;
  /** Whether concatenated messages are settled per part or joined first (see Route.mode). */
  mode?: "parts" | "whole";
}

/** The final state for a destination under `rules`. */
export function simulate(
  dest: string,
  rules: readonly SimulatorRule[],
): { stat: Stat; err: string } {
  for (const r of rules) {
    if (dest.startsWith(r.prefix)) return { stat: r.stat, err: (r.err ?? "000").padStart(3, "0") };
  }
  return DELIVERED;
}

/** The outcome when no rule matches (one object for all). */
const DELIVERED: { readonly stat: Stat; readonly err: string } = { stat: "DELIVRD", err: "000" };

/** Creates the simulator route. */
export function simulatorRoute(opts: SimulatorOptions = {}): Route {
  const delayMs = opts.delayMs ?? SIMULATOR_DELAY_MS;
  const rules = opts.rules ?? [];
  const batch = opts.batch ?? 2000;
  // Jobs arrive in submit order (a scheduled one at its time), so a FIFO is ordered by due time
  // (resumed jobs are due at once).
  const dueAt = (job: JobRecord) => (job.scheduleAt ?? job.submitAt) + delayMs;
  let queue: JobRecord[] = [];
  let head = 0;
  let host: RouteHost | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | null = null;
  let stopped = false;

  const schedule = () => {
    if (stopped || running || timer !== undefined || head >= queue.length) return;
    const wait = Math.max(0, dueAt(queue[head]) - Date.now());
    timer = setTimeout(() => {
      timer = undefined;
      running = settleDue().finally(() => {
        running = null;
        schedule();
      });
    }, wait);
  };

  const settleDue = async () => {
    const now = Date.now();
    const due: Outcome[] = [];
    while (head < queue.length && due.length < batch && dueAt(queue[head]) <= now) {
      const job = queue[head++];
      // A message whose validity ended before its time came is EXPIRED.
      if (
        job.validUntil !== undefined && job.validUntil <= dueAt(job)
      ) {
        due.push({ job, stat: "EXPIRED", err: "000" });
      } else {
        const { stat, err } = simulate(job.dest.addr, rules);
        due.push({ job, stat, err });
      }
    }
    if (head > 4096 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
    if (due.length === 0) return;
    try {
      await host!.settle(due);
    } catch (e) {
      // Jobs stay in KV; put them back to try again.
      log.error("settling {n} messages failed: {error}", { n: due.length, error: String(e) });
      queue.splice(head, 0, ...due.map((o) => o.job));
      await new Promise((r) => setTimeout(r, 1000));
    }
  };

  return {
    name: opts.name ?? "simulator",
    mode: opts.mode ?? "parts",
    async start(h, resume) {
      host = h;
      let n = 0;
      for await (const job of resume) {
        queue.push(job);
        n++;
      }
      if (n > 0) log.info("resumed {n} simulator jobs", { n });
      schedule();
    },
    enqueue(job) {
      queue.push(job);
      schedule();
    },
    backlog: () => queue.length - head,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
