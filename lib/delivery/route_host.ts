/**
 * What each route is given to report back (see RouteHost): final states, retries, hand-overs to
 * a provider, receipts matched by the provider's id, and inbound messages.
 */
import { joinedJobOf } from "./joined.ts";
import type { PendingIds } from "../intake/pending.ts";
import type { GroupCommitter, KeyedMutation } from "../store/committer.ts";
import { MessageState } from "../store/records.ts";
import type { JobRecord } from "../store/records.ts";
import { Keys, Store } from "../store/store.ts";
import {
  expiresAt,
  type InboundMessage,
  type Outcome,
  type ReceiptResult,
  type Route,
  type RouteHost,
  type RouteReceipt,
} from "./route.ts";

/** What the hosts need from delivery. */
export interface RouteHostParts {
  store: Store;
  committer: GroupCommitter;
  pending: PendingIds;
  /** Stores final states and queues their receipts. */
  settle(outcomes: Outcome[]): Promise<void>;
  /** Queues an inbound message for its account. */
  inbound(m: InboundMessage): Promise<"queued" | "no-rule">;
  /** Whether a route of that name is configured (a message of a removed route was re-routed). */
  hasRoute(name: string): boolean;
  /** Queues the intermediate notification of a message its route took (registered_delivery 0x10). */
  intermediate(job: JobRecord): Promise<void>;
  /** A message was handed over (a data_sm in transaction mode may wait for that). */
  handedOver?(id: string): void;
}

/** registered_delivery bit asking for an intermediate notification (spec §5.2.17). */
const INTERMEDIATE = 0x10;

/** The state of a message handed over to a provider, waiting for its receipt. */
const ENROUTE = { state: MessageState.ENROUTE, doneAt: 0, err: "000" };

/** Builds one {@link RouteHost} per route over shared bookkeeping. */
export class RouteHosts {
  readonly #p: RouteHostParts;
  /** Ids with a stored retry record (removed with the final state). */
  readonly #progress = new Set<string>();
  /** Ids whose hand-over is being written: a receipt for one waits for it. */
  readonly #handing = new Map<string, Promise<void>>();
  /** Ids a receipt is settling right now: a second receipt for one is a repeat. */
  readonly #settling = new Set<string>();
  /** Ids a route is sending: cancel_sm and replace_sm leave them alone. */
  readonly #busy = new Set<string>();
  /** Outcomes routes are settling right now (a set per batch: no work per message). */
  readonly #batches = new Set<readonly Outcome[]>();
  /** The current revision of each message replaced while it waited: older copies are not sent. */
  readonly #revs = new Map<string, number>();
  /** Ids a cancel or replace is storing right now: no route may take them meanwhile. */
  readonly #changing = new Set<string>();
  /** Released parts (see JobRecord.released) not yet handed over or settled. */
  readonly #released = new Set<string>();

  constructor(parts: RouteHostParts) {
    this.#p = parts;
  }

  /** `job` with its route's stored progress (attempts, next try), when there is one. */
  async resumed(job: JobRecord): Promise<JobRecord> {
    const p = await this.#p.store.routeJob(job.id);
    if (!p) return job;
    this.#progress.add(job.id);
    return { ...job, attempts: p.attempts, nextAt: p.nextAt };
  }

  /** The mutation removing a settled job's retry record, when it has one. */
  doneOp(id: string): KeyedMutation | null {
    if (this.#progress.size === 0 || !this.#progress.delete(id)) return null;
    return Store.routeJobDoneOp(id);
  }

  /**
   * A joined job stands for parts that are not pending themselves: it is open until settled. A
   * job whose message was replaced since is not (its replacement is).
   */
  #open(job: JobRecord): boolean {
    if (job.joinedParts !== undefined) return true;
    if (job.released) return this.#released.has(job.id);
    if (!this.#p.pending.has(job.id)) return false;
    if (this.#changing.size > 0 && this.#changing.has(job.id)) return false;
    return this.#revs.size === 0 || (this.#revs.get(job.id) ?? 0) === (job.rev ?? 0);
  }

  /**
   * Whether message `id` still waits for its route and no route is sending or settling it: only
   * then may cancel_sm or replace_sm change it.
   */
  changeable(id: string): boolean {
    if (!this.#p.pending.has(id) || this.#busy.has(id) || this.#handing.has(id)) return false;
    if (this.#settling.has(id) || this.#changing.has(id)) return false;
    for (const batch of this.#batches) if (batch.some((o) => o.job.id === id)) return false;
    return true;
  }

  /**
   * Runs `change` (a cancel or replace being stored) for messages that are all changeable:
   * marked first, so no route takes them and no other change starts on them until it is done.
   * Null (and `change` not run) when one of them is not changeable.
   */
  async change<T>(ids: readonly string[], change: () => Promise<T>): Promise<T | null> {
    if (!ids.every((id) => this.changeable(id))) return null;
    for (const id of ids) this.#changing.add(id);
    try {
      return await change();
    } finally {
      for (const id of ids) this.#changing.delete(id);
    }
  }

  /** The revision a replacement of message `id` gets: copies of older ones are stale. */
  nextRev(id: string): number {
    const rev = (this.#revs.get(id) ?? 0) + 1;
    this.#revs.set(id, rev);
    return rev;
  }

  /** A released part (see JobRecord.released) goes to its route: open until handed over or settled. */
  release(id: string): void {
    this.#released.add(id);
  }

  /** Message `id` settled or was handed over: nothing of it is kept. */
  forget(id: string): void {
    this.#busy.delete(id);
    if (this.#released.size > 0) this.#released.delete(id);
    if (this.#revs.size > 0) this.#revs.delete(id);
  }

  /**
   * Settles messages whose validity ended while handed over (the expiry sweep), except those a
   * receipt is settling right now.
   */
  async expire(outcomes: Outcome[]): Promise<void> {
    const mine = outcomes.filter((o) => !this.#settling.has(o.job.id));
    for (const o of mine) this.#settling.add(o.job.id);
    try {
      // A receipt may have settled one since the sweep read it: only those still ENROUTE.
      const open: Outcome[] = [];
      for (const o of mine) {
        const id = o.job.joinedParts?.[0].id ?? o.job.id;
        if ((await this.#p.store.state(id))?.state === MessageState.ENROUTE) open.push(o);
      }
      if (open.length > 0) await this.#p.settle(open);
    } finally {
      for (const o of mine) this.#settling.delete(o.job.id);
    }
  }

  /** The host given to `route`. */
  host(route: Route): RouteHost {
    const p = this.#p;
    return {
      store: p.store,
      settle: async (outcomes) => {
        const open = outcomes.filter((o) => this.#open(o.job));
        if (open.length === 0) return;
        this.#batches.add(open);
        try {
          await p.settle(open);
        } finally {
          this.#batches.delete(open);
        }
      },
      isOpen: (job) => this.#open(job),
      take: (job) => {
        if (!this.#open(job)) return false;
        this.#busy.add(job.id);
        return true;
      },
      retry: async (job, attempts, nextAt) => {
        await p.committer.write([
          Store.routeJobOp(job.id, { route: route.name, attempts, nextAt }),
        ]);
        this.#progress.add(job.id);
        this.#busy.delete(job.id);
      },
      handedOver: (job, providerId) => this.#handedOver(route.name, job, providerId),
      receipt: (r) => this.#receipt(route.name, r),
      inbound: (m) => p.inbound(m),
    };
  }

  /**
   * Stores the provider id mapping and, while the message is still unsettled, state ENROUTE (a
   * receipt that came first has settled it already: its final state stays).
   */
  async #handedOver(route: string, job: JobRecord, providerId: string): Promise<void> {
    if (job.joinedParts) return await this.#joinedHandedOver(route, job, providerId);
    const p = this.#p;
    const ops: KeyedMutation[] = [Store.providerIdOp(route, providerId, job.id)];
    const open = job.released ? this.#released.has(job.id) : p.pending.has(job.id);
    if (open) {
      ops.push(Store.stateOp(job.id, ENROUTE));
      ops.push({ type: "set", key: Keys.enroute(expiresAt(job), job.id), value: route });
      const done = this.doneOp(job.id);
      if (done) ops.push(done);
      // A released part's job record goes: its receipt finds it through its joined record.
      if (job.released) ops.push(Store.jobDoneOp(job));
    }
    const write = p.committer.write(ops);
    this.#handing.set(job.id, write.then(() => {}, () => {}));
    try {
      await write;
      if (open) p.pending.delete(job.id);
      this.forget(job.id);
    } finally {
      this.#handing.delete(job.id);
    }
    if (open) p.handedOver?.(job.id);
    // Asked for an intermediate notification: the route has taken it (sent once, at hand-over).
    if (open && (job.registeredDelivery & INTERMEDIATE)) await p.intermediate(job);
  }

  /**
   * A joined message was handed over whole: its first part stands for it (the provider id maps
   * to it, the expiry sweep finds it), every part is ENROUTE, and its job record goes (it is not
   * sent again after a restart; its receipt finds it through the part).
   */
  async #joinedHandedOver(route: string, job: JobRecord, providerId: string): Promise<void> {
    const p = this.#p;
    const parts = job.joinedParts!;
    const first = parts[0].id;
    const ops: KeyedMutation[] = [
      Store.providerIdOp(route, providerId, first),
      { type: "set", key: Keys.enroute(expiresAt(job), first), value: route },
      Store.jobDoneOp(job),
    ];
    for (const part of parts) ops.push(Store.stateOp(part.id, ENROUTE));
    const done = this.doneOp(job.id);
    if (done) ops.push(done);
    const write = p.committer.write(ops);
    this.#handing.set(first, write.then(() => {}, () => {}));
    try {
      await write;
      this.forget(job.id);
    } finally {
      this.#handing.delete(first);
    }
    if (job.registeredDelivery & INTERMEDIATE) await p.intermediate(job);
  }

  /** Settles the message a receipt is for, found by provider id or our id. */
  async #receipt(route: string, r: RouteReceipt): Promise<ReceiptResult> {
    const { store } = this.#p;
    let id: string | null = null;
    if (r.providerId !== undefined) id = await store.byProviderId(route, r.providerId);
    if (id === null && r.id !== undefined && /^\d{1,20}$/.test(r.id)) id = r.id;
    if (id === null) return "unknown";
    await this.#handing.get(id);
    if (this.#settling.has(id)) return "repeat";
    this.#settling.add(id);
    try {
      const msg = await store.message(id);
      // A message of a route that was removed went to the route that matched it at the restart.
      const ours = msg && (msg.route === route || !this.#p.hasRoute(msg.route));
      if (!msg || !ours) return "unknown";
      // A part handed over inside its joined message: the receipt settles all of them.
      const job: JobRecord | null = msg.joinLater ? await joinedJobOf(store, id) : msg;
      if (!job) return "unknown";
      const state = await store.state(id);
      if (state && state.state !== MessageState.ENROUTE) return "repeat";
      // A part inside a joined message not handed over yet (a released part is its own message).
      if (msg.joinLater && !state && !job.released) return "unknown";
      await this.#p.settle([{ job, stat: r.stat, err: r.err }]);
      await this.#p.committer.write([{ type: "delete", key: Keys.enroute(expiresAt(msg), id) }]);
      return "settled";
    } finally {
      this.#settling.delete(id);
    }
  }
}
