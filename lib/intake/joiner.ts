/**
 * Joins the parts of a concatenated message (UDH or SAR; keyed by account, source, destination
 * and reference) into one logical message in KV. Each part is also a message of its own with its
 * own id and receipt. Parts missing after the timeout are given up on: the joined record says
 * which arrived, and the caller decides what the route gets.
 */
import { type Counters, newCounters } from "../core/counters.ts";
import { getLogger } from "@logtape/logtape";
import type { GroupCommitter } from "../store/committer.ts";
import type { JobRecord, JoinedRecord, MessageRecord, PartRef } from "../store/records.ts";
import { Keys, Store } from "../store/store.ts";

const log = getLogger(["smppgw", "concat"]);

interface Pending {
  account: string;
  group: string;
  total: number;
  firstAt: number;
  /** Every part received, duplicates included (all must leave the join queue). */
  received: PartRef[];
  /** The first part received for each seq. */
  bySeq: Map<number, PartRef>;
}

/** Joiner settings. */
export interface JoinerOptions {
  /** How long to wait for missing parts. */
  timeoutMs: number;
  /**
   * The jobs a joined message becomes for its route (one for a "whole" route, or its parts that
   * waited, released; it may set `j.released`): written in the same atomic write as the joined
   * record, so a crash leaves both or neither.
   */
  jobsFor?: (j: JoinedRecord) => Promise<JobRecord[]>;
  /** Called once a joined record (and its jobs) is stored (complete, or given up on). */
  onJoined?: (j: JoinedRecord, jobs: JobRecord[]) => void | Promise<void>;
  /**
   * The job of a part going on its own to the route that takes it now, or null when none does
   * (see JobRecord.released): for a part sent again after its message's parts were released.
   */
  releasedJob?: (m: MessageRecord) => JobRecord | null;
  /**
   * A part sent again after its message was joined (a client resending after a lost response):
   * it is stored as one of the message's duplicates (`j` as stored now), with its own job when
   * the message's parts were released (`job`, null when no route takes it); the caller settles
   * it with the message, or hands the job on.
   */
  onLateDuplicate?: (
    j: JoinedRecord,
    part: PartRef,
    job: JobRecord | null,
  ) => void | Promise<void>;
  /**
   * Joined messages are finished only after {@link Joiner.release} (the gateway releases once its
   * routes have started: a job written earlier would also be resumed, and so sent twice).
   */
  held?: boolean;
  /** The counters registry (a fresh one by default). */
  counters?: Counters;
}

/** Collects parts and writes joined records. */
export class Joiner {
  readonly #store: Store;
  readonly #committer: GroupCommitter;
  readonly #opts: JoinerOptions;
  readonly #pending = new Map<string, Pending>();
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #released = Promise.withResolvers<void>();
  /** Groups joined lately, by key: a part sent again within twice the timeout is a duplicate. */
  readonly #joined = new Map<string, { id: string; seqs: Set<number>; until: number }>();
  /** Joined messages since start, complete and incomplete. */
  readonly #c: Counters;

  /** This joiner's counters (a view of the shared registry). */
  get counters(): { joined: number; incomplete: number; duplicates: number } {
    const c = this.#c;
    return { joined: c.joined, incomplete: c.joinedIncomplete, duplicates: c.duplicateParts };
  }

  constructor(store: Store, committer: GroupCommitter, opts: JoinerOptions) {
    this.#store = store;
    this.#committer = committer;
    this.#opts = opts;
    this.#c = opts.counters ?? newCounters();
    if (!opts.held) this.#released.resolve();
    this.#timer = setInterval(() => this.sweep(), Math.max(10, Math.min(1000, opts.timeoutMs / 4)));
  }

  /** Adds a stored part; resolves once a completed joined record (if any) is stored. */
  async add(m: MessageRecord): Promise<void> {
    const c = m.concat!;
    const key = `${m.account}\u0000${c.group}`;
    let p = this.#pending.get(key);
    // Only a part held for its joined message ("whole" routes): others went to their route.
    const done = p || !m.joinLater ? undefined : this.#joined.get(key);
    if (done && done.until > Date.now() && done.seqs.has(c.seq)) {
      return await this.#late(m, done.id);
    }
    if (!p) {
      // After a restart, earlier parts of this group are only in KV.
      const earlier = await this.#store.pendingParts(m.account, c.group);
      p = this.#pending.get(key);
      if (!p) {
        p = {
          account: m.account,
          group: c.group,
          total: c.total,
          firstAt: m.submitAt,
          received: [],
          bySeq: new Map(),
        };
        this.#pending.set(key, p);
        for (const e of earlier) if (e.id !== m.id) this.#record(p, e);
      }
    }
    this.#record(p, {
      id: m.id,
      seq: c.seq,
      preview: m.preview,
      waited: m.joinLater === true,
      ...(m.publicId !== undefined ? { publicId: m.publicId } : {}),
    });
    if (p.bySeq.size >= p.total) await this.#finish(key, p, true);
  }

  #record(p: Pending, part: PartRef) {
    if (p.received.some((r) => r.id === part.id)) return;
    p.received.push(part);
    if (p.bySeq.has(part.seq)) {
      this.#c.duplicateParts++;
      log.info("duplicate part {seq} of {group} ({id}) ignored for joining", {
        seq: part.seq,
        group: p.group,
        id: part.id,
      });
      return;
    }
    p.bySeq.set(part.seq, part);
  }

  /**
   * A part of a message joined lately, sent again: it leaves the join queue and joins the stored
   * message's duplicates (with its part-of link), in one write.
   */
  async #late(m: MessageRecord, id: string): Promise<void> {
    const c = m.concat!;
    const part: PartRef = { id: m.id, seq: c.seq, preview: m.preview };
    if (m.publicId !== undefined) part.publicId = m.publicId;
    const j = (await this.#store.kv.get<JoinedRecord>(Keys.joined(m.account, id))).value;
    if (!j) return;
    this.#c.duplicateParts++;
    log.info("part {seq} of {group} ({id}) came again after its message was joined", {
      seq: c.seq,
      group: c.group,
      id: m.id,
    });
    const next: JoinedRecord = { ...j, duplicates: [...(j.duplicates ?? []), part] };
    // The message's parts went on their own: so does this one (its job in the same write).
    const job = j.released ? this.#opts.releasedJob?.(m) ?? null : null;
    await this.#committer.write([
      { type: "set", key: Keys.joined(m.account, id), value: next },
      { type: "delete", key: Keys.pendingPart(m.account, c.group, c.seq, m.id) },
      { type: "set", key: Keys.partOf(m.id), value: { account: m.account, id } },
      ...(job ? [Store.jobOp(job)] : []),
    ]);
    await this.#opts.onLateDuplicate?.(next, part, job);
  }

  /** Lets joined messages be finished (see {@link JoinerOptions.held}). */
  release(): void {
    this.#released.resolve();
  }

  async #finish(key: string, p: Pending, complete: boolean) {
    this.#pending.delete(key);
    await this.#released.promise;
    const parts = Array.from({ length: p.total }, (_, i) => p.bySeq.get(i + 1) ?? null);
    const id = parts.find((x) => x !== null)?.id ?? p.received[0].id;
    const j: JoinedRecord = {
      id,
      account: p.account,
      group: p.group,
      total: p.total,
      parts,
      complete,
      createdAt: Date.now(),
    };
    // A part sent again (a client resending on a timeout) is settled with the message too.
    const duplicates = p.received.filter((r) => p.bySeq.get(r.seq)?.id !== r.id);
    if (duplicates.length > 0) j.duplicates = duplicates;
    if (complete) this.#c.joined++;
    else {
      this.#c.joinedIncomplete++;
      log.warn(
        "concatenated message {group} of {account}: parts {missing} missing after {ms} ms; giving up",
        {
          group: p.group,
          account: p.account,
          missing: parts.flatMap((x, i) => (x ? [] : [i + 1])).join(","),
          ms: this.#opts.timeoutMs,
        },
      );
    }
    try {
      const jobs = (await this.#opts.jobsFor?.(j)) ?? [];
      await this.#committer.write([
        ...Store.joinedOps(j, p.received),
        ...jobs.map((job) => Store.jobOp(job)),
      ]);
      // A part of it sent again soon is a duplicate, not the start of another message.
      this.#joined.set(key, {
        id,
        seqs: new Set(p.bySeq.keys()),
        until: Date.now() + 2 * this.#opts.timeoutMs,
      });
      await this.#opts.onJoined?.(j, jobs);
    } catch (e) {
      log.error("storing joined message {id} failed: {error}", { id, error: String(e) });
    }
  }

  /** Reloads parts waiting from an earlier run, so their timeout still applies. */
  async resume(): Promise<void> {
    for await (const e of this.#store.allPendingParts()) {
      const [, account, group, , id] = e.key as [string, string, string, number, string];
      const key = `${account}\u0000${group}`;
      let p = this.#pending.get(key);
      if (!p) {
        // Ids start with their submit time in ms.
        p = {
          account,
          group,
          total: 0,
          firstAt: Number(id.slice(0, 13)),
          received: [],
          bySeq: new Map(),
        };
        this.#pending.set(key, p);
      }
      this.#record(p, e.value);
    }
    for (const p of this.#pending.values()) {
      if (p.total === 0) {
        p.total = (await this.#store.message(p.received[0].id))?.concat?.total ?? p.bySeq.size;
      }
    }
  }

  /** Gives up on groups older than the timeout. */
  sweep(now = Date.now()) {
    for (const [key, done] of this.#joined) if (done.until <= now) this.#joined.delete(key);
    for (const [key, p] of this.#pending) {
      // A group still being loaded by resume() (its total unknown yet) waits for the next sweep.
      if (p.total > 0 && now - p.firstAt >= this.#opts.timeoutMs) this.#finish(key, p, false);
    }
  }

  /** Stops the timeout sweep (pending parts stay in KV for the next run). */
  stop() {
    clearInterval(this.#timer);
  }
}
