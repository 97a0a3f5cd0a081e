/**
 * The expiry sweep: a message handed over to a provider waits for its receipt (ENROUTE); one
 * still waiting when its validity ends becomes EXPIRED (with its receipt when one was asked).
 * Handed-over messages are indexed by expiry (`enroute/<expiresAt>/<id>`), so a sweep reads only
 * those that are due.
 */
import { joinedJobOf } from "./joined.ts";
import { getLogger } from "@logtape/logtape";
import type { GroupCommitter } from "../store/committer.ts";
import { MessageState } from "../store/records.ts";
import { Keys, type Store } from "../store/store.ts";
import type { Outcome } from "./route.ts";

const log = getLogger(["smppgw", "delivery"]);

/** How often the sweep runs (ms), and how many due messages one sweep settles at most. */
export const EXPIRY_SWEEP = { everyMs: 60_000, batch: 1000 } as const;

/** Settles handed-over messages past their validity as EXPIRED, now and every minute. */
export class ExpirySweep {
  readonly #store: Store;
  readonly #committer: GroupCommitter;
  readonly #settle: (o: Outcome[]) => Promise<void>;
  readonly #everyMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | null = null;
  #stopped = false;

  constructor(
    store: Store,
    committer: GroupCommitter,
    settle: (o: Outcome[]) => Promise<void>,
    everyMs: number = EXPIRY_SWEEP.everyMs,
  ) {
    this.#store = store;
    this.#committer = committer;
    this.#settle = settle;
    this.#everyMs = everyMs;
  }

  /** Sweeps now, then every `everyMs`. */
  start() {
    this.#tick();
  }

  /** Stops sweeping; resolves once a sweep in progress ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  #tick() {
    if (this.#stopped) return;
    this.#running = this.sweep().then(
      () => {},
      (e) => log.error("the expiry sweep failed: {error}", { error: String(e) }),
    ).finally(() => {
      this.#running = null;
      if (!this.#stopped) this.#timer = setTimeout(() => this.#tick(), this.#everyMs);
    });
  }

  /** One sweep: settles what is due (at most a batch); returns how many became EXPIRED. */
  async sweep(now = Date.now()): Promise<number> {
    const due = this.#store.kv.list<string>({
      start: Keys.enroutes(),
      end: Keys.enroute(now, ""),
    }, { limit: EXPIRY_SWEEP.batch });
    const outcomes: Outcome[] = [];
    const keys: Deno.KvKey[] = [];
    for await (const e of due) {
      keys.push(e.key);
      const id = e.key[2] as string;
      const [msg, state] = await Promise.all([this.#store.message(id), this.#store.state(id)]);
      // Settled meanwhile (its receipt came), or gone with the retention: only the index is left.
      if (msg && state?.state === MessageState.ENROUTE) {
        // A part stands for its joined message (handed over whole): all its parts expire.
        const job = msg.joinLater ? await joinedJobOf(this.#store, id) : msg;
        if (job) outcomes.push({ job, stat: "EXPIRED", err: "000" });
      }
    }
    if (outcomes.length > 0) {
      log.info("{n} handed-over messages expired without a receipt", { n: outcomes.length });
      await this.#settle(outcomes);
    }
    if (keys.length > 0) await this.#committer.write(keys.map((key) => ({ type: "delete", key })));
    return outcomes.length;
  }
}
