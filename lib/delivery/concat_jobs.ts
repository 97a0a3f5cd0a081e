/**
 * What concatenated messages become for their routes: a joined message's one job for a "whole"
 * route, or its parts that waited released to go on their own (see JobRecord.released), parts
 * sent again after the join, and explicit jobs stored for a route that is gone at a restart.
 */
import { getLogger } from "@logtape/logtape";
import type { GroupCommitter, Mutation } from "../store/committer.ts";
import {
  type JobRecord,
  type JoinedRecord,
  type MessageRecord,
  MessageState,
  type PartRef,
  type Stat,
  STAT_STATES,
} from "../store/records.ts";
import { Keys, Store } from "../store/store.ts";
import { joinedJob } from "./joined.ts";
import type { Outcome } from "./route.ts";
import type { RouteHosts } from "./route_host.ts";
import type { Router } from "./router.ts";

const log = getLogger(["smppgw", "delivery"]);

/** Final stat word of each stored message_state. */
const STAT_WORDS = new Map<number, Stat>(
  Object.entries(STAT_STATES).map(([stat, state]) => [state, stat as Stat]),
);

/** What {@link ConcatJobs} works with (the delivery's parts). */
export interface ConcatJobParts {
  store: Store;
  committer: GroupCommitter;
  router: Router;
  hosts: RouteHosts;
  /** Gives `job` to `route` now, or at its schedule. */
  hand(route: { enqueue(job: JobRecord): void }, job: JobRecord): void;
  /** Stores final states and queues their receipts. */
  settle(outcomes: Outcome[]): Promise<void>;
}

/** The jobs of concatenated messages (see the module doc). */
export class ConcatJobs {
  readonly #p: ConcatJobParts;
  /** Jobs of joined messages given to "whole" routes, until settled (see lateDuplicate). */
  readonly joinedJobs = new Map<string, JobRecord>();

  constructor(parts: ConcatJobParts) {
    this.#p = parts;
  }

  /** A stored released part with its body again (stored without it); null when it is gone. */
  async withBody(job: JobRecord): Promise<JobRecord | null> {
    if (!job.released) return job;
    const m = await this.#p.store.message(job.id);
    return m && { ...m, route: job.route, released: true };
  }

  /**
   * Explicit jobs stored for routes no longer configured: each record moves to the route that
   * matches it now, which resumes it with its own (a joined message whose new route sends parts
   * has its parts released instead), or is settled UNDELIV when none does.
   */
  async rehome(): Promise<void> {
    const { router, store, committer } = this.#p;
    const orphans: Outcome[] = [];
    for await (const e of store.kv.list<JobRecord>({ prefix: ["job"] }, { batchSize: 500 })) {
      if (router.byName(e.key[1] as string)) continue;
      const stored = await this.withBody(e.value);
      if (!stored) continue;
      const route = router.pick(stored.account, stored.dest.addr);
      if (!route) {
        orphans.push({ job: stored, stat: "UNDELIV", err: "000" });
        continue;
      }
      const ops: Mutation[] = [{ type: "delete", key: e.key }];
      if (stored.joinedParts && route.mode !== "whole") {
        // The parts of a joined message go on their own to a route that sends parts.
        for (const p of stored.joinedParts) {
          const m = await store.message(p.id);
          if (m) ops.push(Store.jobOp({ ...m, route: route.name, released: true }));
        }
        const j = await store.joinedRecordOf(stored.joinedParts[0].id);
        if (j) {
          ops.push({
            type: "set",
            key: Keys.joined(j.account, j.id),
            value: { ...j, released: true },
          });
        }
      } else ops.push(Store.jobOp({ ...stored, route: route.name }));
      await committer.write(ops);
    }
    if (orphans.length > 0) {
      log.warn("{n} stored jobs match no route any more: UNDELIV", { n: orphans.length });
      await this.#p.settle(orphans);
    }
  }

  /**
   * The jobs joined message `j` becomes, stored with the joined record. A "whole" route gets one
   * job for it when all its parts waited for the join. When its route sends parts now (its
   * `concat` changed since the parts came, or it was removed and another route matches), or some
   * parts went on their own already, the parts that waited are released: each its own job, and
   * `j.released` is set. None when the parts did not wait, or when no route takes them (see
   * {@link joined}).
   */
  async jobsFor(j: JoinedRecord): Promise<JobRecord[]> {
    const { store, router } = this.#p;
    const refs = [...j.parts, ...(j.duplicates ?? [])].filter((p) => p !== null);
    // The usual cases: on a route that sends parts none waited (nothing to read); on a "whole"
    // route all did (the first part is the job's base).
    if (refs.every((p) => p.waited === false)) return [];
    if (refs.every((p) => p.waited === true)) {
      const m = await store.message(refs[0].id);
      const route = m && (router.byName(m.route) ?? router.pick(m.account, m.dest.addr));
      if (m && route?.mode === "whole") return [{ ...joinedJob(m, j), route: route.name }];
    }
    const parts: MessageRecord[] = [];
    for (const p of refs) {
      const m = await store.message(p.id);
      if (m) parts.push(m);
    }
    const waited = parts.filter((m) => m.joinLater);
    if (waited.length === 0) return [];
    const first = waited[0];
    const route = router.byName(first.route) ?? router.pick(first.account, first.dest.addr);
    if (route?.mode === "whole" && waited.length === parts.length) {
      // The job stands for the joined message: its text is read from the parts.
      return [{ ...joinedJob(first, j), route: route.name }];
    }
    j.released = true;
    return waited.flatMap((m) => this.releasedJob(m) ?? []);
  }

  /**
   * The job of part `m` going on its own to the route that takes it now (its own, else the one
   * matching it), or null when none does (see JobRecord.released).
   */
  releasedJob(m: MessageRecord): JobRecord | null {
    const { router } = this.#p;
    const route = router.byName(m.route) ?? router.pick(m.account, m.dest.addr);
    return route ? { ...m, route: route.name, released: true } : null;
  }

  /**
   * Released parts (see JobRecord.released) go to their routes; those no route takes now (a
   * `route` that is not configured) are settled UNDELIV.
   */
  #goAlone(jobs: JobRecord[]): Promise<void> | undefined {
    const orphans: Outcome[] = [];
    for (const job of jobs) {
      const route = job.released ? this.#p.router.byName(job.route) : undefined;
      if (!route) {
        orphans.push({ job: { ...job, released: true }, stat: "UNDELIV", err: "000" });
        continue;
      }
      this.#p.hosts.release(job.id);
      this.#p.hand(route, job);
    }
    if (orphans.length === 0) return;
    log.warn("{n} parts going on their own match no route: UNDELIV", { n: orphans.length });
    return this.#p.settle(orphans);
  }

  /**
   * A joined message and its jobs are stored (see {@link jobsFor}): their route gets them. Parts
   * that waited for a route that is gone, with none matching now, are settled UNDELIV.
   */
  async joined(j: JoinedRecord, jobs: JobRecord[]): Promise<void> {
    const { router, store } = this.#p;
    const joinedJob = jobs.find((job) => job.joinedParts);
    const route = joinedJob && router.byName(joinedJob.route);
    if (joinedJob && route) {
      this.joinedJobs.set(joinedJob.id, joinedJob);
      this.#p.hand(route, joinedJob);
      return;
    }
    if (!j.released) return;
    // Released: parts no route takes got no job; they are settled UNDELIV with the others' hand-on.
    const alone = new Map(jobs.map((job) => [job.id, job]));
    for (const p of [...j.parts, ...(j.duplicates ?? [])]) {
      if (!p || alone.has(p.id)) continue;
      const m = await store.message(p.id);
      if (m?.joinLater) alone.set(m.id, { ...m, released: true });
    }
    await this.#goAlone([...alone.values()]);
  }

  /**
   * A part of joined message `j` sent again after the join (stored among its duplicates): it gets
   * the message's outcome. Settled already: the same state now; handed over: ENROUTE, and the
   * receipt settles it with the others; still waiting for its route: it rides with the job. When
   * the message's parts were released, it goes on its own too (`job`, stored with it; UNDELIV
   * when no route takes it).
   */
  async lateDuplicate(j: JoinedRecord, part: PartRef, job: JobRecord | null = null): Promise<void> {
    const { store, committer } = this.#p;
    if (j.released) {
      const m = job ?? await store.message(part.id);
      if (m) await this.#goAlone([m]);
      return;
    }
    const first = j.parts.find((p) => p !== null);
    if (!first) return;
    const state = await store.state(first.id);
    if (state && state.state !== MessageState.ENROUTE) {
      const m = await store.message(part.id);
      const stat = STAT_WORDS.get(state.state);
      if (m && stat) await this.#p.settle([{ job: m, stat, err: state.err }]);
      return;
    }
    if (state) {
      await committer.write([Store.stateOp(part.id, state)]);
      return;
    }
    const joinedJob = this.joinedJobs.get(j.id);
    if (joinedJob?.joinedParts) {
      joinedJob.joinedParts.push(part);
      await committer.write([Store.jobOp(joinedJob)]);
    }
  }
}
