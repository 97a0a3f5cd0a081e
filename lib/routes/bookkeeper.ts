/**
 * The route's calls to its host that must not be lost (handedOver, retry, settle): each is
 * retried with backoff until it is stored, in order per job, and logged when it fails.
 */
import { getLogger } from "@logtape/logtape";
import { Sleeper } from "./sleeper.ts";

const log = getLogger(["smppgw", "route"]);

/** Backoff of failed host calls. */
export interface BookkeeperOptions {
  /** First wait after a failure (ms). */
  baseMs?: number;
  /** Longest wait (ms). */
  maxMs?: number;
  /** Names the route in logs. */
  label: string;
}

/**
 * Runs host calls until they succeed. Calls with the same key run one after the other (a job's
 * retry is stored before its hand-over). After {@link stop}, failed calls are not tried again:
 * their job is still unfinished in the store and resumes after a restart.
 *
 * @example
 * ```ts
 * import { Bookkeeper } from "./bookkeeper.ts";
 * import type { RouteHost } from "../delivery/route.ts";
 * import type { JobRecord } from "../store/records.ts";
 * declare const host: RouteHost;
 * declare const job: JobRecord;
 * const book = new Bookkeeper({ label: "fr" });
 * await book.run(job.id, "hand-over", () => host.handedOver(job, "abc123"));
 * await book.stop();
 * ```
 */
export class Bookkeeper {
  readonly #o: BookkeeperOptions;
  readonly #sleeper = new Sleeper();
  readonly #tails = new Map<string, Promise<boolean>>();
  readonly #tasks = new Set<Promise<boolean>>();
  #stopped = false;

  /** A bookkeeper logging as route `label`. */
  constructor(o: BookkeeperOptions) {
    this.#o = o;
  }

  /** Calls in progress or waiting to be tried again. */
  get pending(): number {
    return this.#tasks.size;
  }

  /**
   * Runs `fn` after the earlier calls of `key`, again after each failure; resolves true once it
   * succeeded, false when the bookkeeper stopped before that.
   */
  run(key: string, what: string, fn: () => Promise<unknown>): Promise<boolean> {
    const before = this.#tails.get(key);
    const task = (async () => {
      if (before) await before;
      return await this.#attempt(what, fn);
    })();
    this.#tails.set(key, task);
    this.#tasks.add(task);
    task.finally(() => {
      this.#tasks.delete(task);
      if (this.#tails.get(key) === task) this.#tails.delete(key);
    });
    return task;
  }

  /** Stops retrying; resolves once the attempts in progress have finished. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#sleeper.wakeAll();
    while (this.#tasks.size > 0) await Promise.all(this.#tasks);
  }

  async #attempt(what: string, fn: () => Promise<unknown>): Promise<boolean> {
    let delay = this.#o.baseMs ?? 1000;
    for (let attempt = 1;; attempt++) {
      try {
        await fn();
        return true;
      } catch (e) {
        const label = this.#o.label;
        if (this.#stopped) {
          log.error("{label}: {what} failed while stopping (resumed after a restart): {error}", {
            label,
            what,
            error: String(e),
          });
          return false;
        }
        log.error("{label}: {what} failed (attempt {attempt}), trying again in {ms} ms: {error}", {
          label,
          what,
          attempt,
          ms: delay,
          error: String(e),
        });
      }
      await this.#sleeper.sleep(delay);
      if (this.#stopped) return false;
      delay = Math.min(delay * 2, this.#o.maxMs ?? 30_000);
    }
  }
}
