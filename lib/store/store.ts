/** Every Deno KV key the gateway uses, in one place, with the reads and writes built on them. */
import { concatBytes } from "../smpp/bytes.ts";
import {
  compareIds,
  decodeMessagePage,
  findInMessagePage,
  messageKey,
  messagePageKey,
  type StoredMessage,
} from "./pages.ts";
import { userText } from "../text/mod.ts";
import type { KeyedMutation, Mutation } from "./committer.ts";
import {
  decodeMessage,
  decodeReceiptPage,
  decodeState,
  decodeStateRun,
  encodeMessage,
  encodeReceiptPage,
  encodeState,
  encodeStateRun,
  INLINE_BODY,
  PAGE_BYTES,
  PAGE_RECEIPTS,
  receiptSize,
} from "./layouts.ts";
import type {
  AccountRecord,
  JobRecord,
  JoinedRecord,
  MessageRecord,
  PartRef,
  ReceiptRecord,
  StateRecord,
} from "./records.ts";

/** Receipts of one account stored together under one outbox key. */
export interface OutboxPage {
  /** The account the receipts go to. */
  account: string;
  /** The page's key part: its first receipt's message id (a resend: id and attempt). */
  id: string;
  /** The receipts, in the order they were queued. */
  receipts: ReceiptRecord[];
}

/** A route's progress on a job that failed before (kept until the job settles). */
export interface RouteJob {
  /** The route's name. */
  route: string;
  /** Attempts made. */
  attempts: number;
  /** When to try again (ms since the epoch). */
  nextAt: number;
}

/**
 * What identifies an outbox entry (and names a page it starts): the message id, apart for an
 * intermediate notification (a message may have one waiting beside its final receipt).
 */
export function outboxKey(r: ReceiptRecord): string {
  return r.intermediate ? `${r.messageId}:i` : r.messageId;
}

/** KV keys. */
export const Keys = {
  account: (systemId: string): Deno.KvKey => ["account", systemId],
  accounts: (): Deno.KvKey => ["account"],
  /** An account removed through the admin API: binds as it get 0x0D, not 0x0F. */
  removedAccount: (systemId: string): Deno.KvKey => ["account_removed", systemId],
  /** A message stored on its own (releases before message pages; tests). */
  message: (id: string): Deno.KvKey => messageKey(id),
  /** The messages of one atomic write from `first` on (see pages.ts). */
  messagePage: (first: string): Deno.KvKey => messagePageKey(first),
  messagePages: (): Deno.KvKey => ["mpage"],
  /** A message replaced (replace_sm, replace_if_present_flag) before it reached its route. */
  replaced: (id: string): Deno.KvKey => ["msgrep", id],
  /** Set once any message was replaced: until then reads need not look for replacements. */
  anyReplaced: (): Deno.KvKey => ["meta", "replaced"],
  /** The message an 8-character id (of a 3.3 bind) stands for. */
  shortId: (n: number): Deno.KvKey => ["sid", n],
  /** The short-id counter's highest value handed out (a KV `max`, so none is handed out twice). */
  shortIdFloor: (): Deno.KvKey => ["meta", "sid"],
  /** The ids of a submit_multi's destinations, by the multi's id (its first destination's). */
  multi: (id: string): Deno.KvKey => ["multi", id],
  bodyChunk: (id: string, i: number): Deno.KvKey => ["msgbody", id, i],
  bodyChunks: (id: string): Deno.KvKey => ["msgbody", id],
  state: (id: string): Deno.KvKey => ["state", id],
  /** One state for the messages from `first` to the run's last id, settled together. */
  stateRun: (first: string): Deno.KvKey => ["srun", first],
  stateRuns: (): Deno.KvKey => ["srun"],
  /** Explicit jobs (joined messages for "whole" routes); a plain message is its own job. */
  job: (route: string, id: string): Deno.KvKey => ["job", route, id],
  jobs: (route: string): Deno.KvKey => ["job", route],
  /** A route's progress on a job it failed before: attempts and when to try again. */
  routeJob: (id: string): Deno.KvKey => ["rjob", id],
  /** A message handed over and waiting for its receipt, by when it expires (the expiry sweep). */
  enroute: (expiresAt: number, id: string): Deno.KvKey => ["enroute", expiresAt, id],
  enroutes: (): Deno.KvKey => ["enroute"],
  /** Our message id for a provider's id (a message handed over, waiting for its receipt). */
  providerId: (route: string, providerId: string): Deno.KvKey => ["pmap", route, providerId],
  /** Every message below this id has a state: where the resume scan starts. */
  checkpoint: (route: string): Deno.KvKey => ["ckpt", route],
  /** An outbox page: receipts of one account, removed together once all are acknowledged. */
  receiptPage: (account: string, page: string): Deno.KvKey => ["dlr", account, page],
  receipts: (account: string): Deno.KvKey => ["dlr", account],
  allReceipts: (): Deno.KvKey => ["dlr"],
  /** A part waiting to be joined: by account, group, seq and id (duplicates kept apart). */
  pendingPart: (account: string, group: string, seq: number, id: string): Deno.KvKey => [
    "cpart",
    account,
    group,
    seq,
    id,
  ],
  pendingParts: (account: string, group: string): Deno.KvKey => ["cpart", account, group],
  allPendingParts: (): Deno.KvKey => ["cpart"],
  checkpoints: (): Deno.KvKey => ["ckpt"],
  joined: (account: string, id: string): Deno.KvKey => ["joined", account, id],
  /** Which joined message a part belongs to. */
  partOf: (id: string): Deno.KvKey => ["partof", id],
  quota: (account: string, day: string): Deno.KvKey => ["quota", account, day],
  idFloor: (node: number): Deno.KvKey => ["ids", node],
  /** The store lease, refreshed by the owner. */
  lease: (): Deno.KvKey => ["lease"],
  /** The store's owner; its versionstamp is the fencing token every atomic write checks. */
  owner: (): Deno.KvKey => ["owner"],
  /** Which process claimed a node id. */
  node: (node: number): Deno.KvKey => ["node", node],
  /** SHA-256 digest of the admin API token (when it was generated, not configured). */
  adminToken: (): Deno.KvKey => ["meta", "admin_token"],
  /** The store marker: which program made the store, at which schema version. */
  schema: (): Deno.KvKey => ["meta", "schema"],
  /** When the health check last wrote through the committer (ms since the epoch). */
  health: (): Deno.KvKey => ["meta", "health"],
} as const;

/**
 * Key prefixes of finished history, kept for `retentionDays` (set as the entries' `expireIn`):
 * messages with their body chunks, states, and the concatenation mappings.
 */
export const RETAINED: ReadonlySet<string> = new Set([
  "msg",
  "mpage",
  "msgrep",
  "sid",
  "multi",
  "msgbody",
  "state",
  "srun",
  "joined",
  "partof",
  "pmap",
]);

/** Octets per body chunk entry. */
const BODY_CHUNK = INLINE_BODY;

/** The ownership check every atomic write carries: the owner entry as this process wrote it. */
export interface Fence {
  /** The owner entry's key. */
  key: Deno.KvKey;
  /** The owner entry's versionstamp as this process wrote it. */
  versionstamp: string;
}

/**
 * Reads and mutation builders over one Deno KV handle.
 *
 * @example
 * ```ts
 * import { Store } from "./lib/mod.ts";
 * const kv = await Deno.openKv(":memory:");
 * const store = new Store(kv);
 * console.log(await store.account("acme")); // null: no such account yet
 * kv.close();
 * ```
 */
export class Store {
  /** Set once this process owns the store: every atomic write checks it. */
  fence: Fence | undefined;
  /** Whether any message was ever replaced (undefined until read from KV). */
  #anyReplaced: boolean | undefined;

  /** A store over `kv`; the caller keeps ownership of the handle. */
  constructor(readonly kv: Deno.Kv) {}

  /** An atomic operation that commits only while this process owns the store. */
  atomic(): Deno.AtomicOperation {
    const op = this.kv.atomic();
    if (this.fence) op.check(this.fence);
    return op;
  }

  /** The account, or null. */
  async account(systemId: string): Promise<AccountRecord | null> {
    return (await this.kv.get<AccountRecord>(Keys.account(systemId))).value;
  }

  /** Creates or replaces an account. */
  async putAccount(a: AccountRecord): Promise<void> {
    const res = await this.atomic().set(Keys.account(a.systemId), a)
      .delete(Keys.removedAccount(a.systemId)).commit();
    if (!res.ok) {
      throw new Error("writing the account failed: this process no longer owns the store");
    }
  }

  /** Creates an account unless one of that system_id exists; false when it does. */
  async createAccount(a: AccountRecord): Promise<boolean> {
    const res = await this.atomic().check({ key: Keys.account(a.systemId), versionstamp: null })
      .set(Keys.account(a.systemId), a).delete(Keys.removedAccount(a.systemId)).commit();
    if (res.ok) return true;
    if (await this.account(a.systemId)) return false;
    throw new Error("writing the account failed: this process no longer owns the store");
  }

  /** Removes an account, leaving a mark so that binds as it are refused as removed. */
  async removeAccount(systemId: string): Promise<void> {
    const res = await this.atomic().delete(Keys.account(systemId))
      .set(Keys.removedAccount(systemId), Date.now()).commit();
    if (!res.ok) {
      throw new Error("removing the account failed: this process no longer owns the store");
    }
  }

  /** Whether an account was removed through the admin API (and not created again). */
  async wasRemoved(systemId: string): Promise<boolean> {
    return (await this.kv.get(Keys.removedAccount(systemId))).value !== null;
  }

  /** All accounts. */
  async accounts(): Promise<AccountRecord[]> {
    const out: AccountRecord[] = [];
    for await (const e of this.kv.list<AccountRecord>({ prefix: Keys.accounts() })) {
      out.push(e.value);
    }
    return out;
  }

  /** The stored message with its whole body (as replaced, when it was), or null. */
  async message(id: string): Promise<MessageRecord | null> {
    this.#anyReplaced ??= (await this.kv.get(Keys.anyReplaced())).value !== null;
    if (this.#anyReplaced) {
      const replaced = (await this.kv.get(Keys.replaced(id))).value;
      if (replaced !== null) return await this.#loaded(id, replaced);
    }
    return await this.#original(id);
  }

  /** A replacement was stored (with {@link Store.replacedOps}): reads look for them from now on. */
  noteReplaced(): void {
    this.#anyReplaced = true;
  }

  /** The message as submitted (before any replace). */
  async #original(id: string): Promise<MessageRecord | null> {
    // The page with the greatest first id at or below `id`: pages do not overlap while ids grow,
    // as they do; a few more are looked at in case ids once went back (a clock stepped back).
    const pages = this.kv.list<Uint8Array>({
      start: Keys.messagePages(),
      end: Keys.messagePage(id + "\0"),
    }, { reverse: true, limit: 8 });
    for await (const e of pages) {
      const found = findInMessagePage(e.value, id);
      if (found) return await this.#loaded(id, found);
    }
    const v = (await this.kv.get(Keys.message(id))).value;
    return v === null ? null : await this.#loaded(id, v);
  }

  /**
   * Stored messages newest first (ids are time-ordered), below `before` when given: message pages
   * and messages on their own keys read backwards and merged. Bodies over the inline size are not
   * loaded (the record's `body` is then empty).
   */
  async *recentMessages(before = "9".repeat(20)): AsyncGenerator<MessageRecord> {
    const paged = async function* (kv: Deno.Kv): AsyncGenerator<StoredMessage> {
      const pages = kv.list<Uint8Array>({
        start: Keys.messagePages(),
        end: Keys.messagePage(before),
      }, { reverse: true, batchSize: 20 });
      for await (const e of pages) {
        const { messages } = decodeMessagePage(e.value);
        for (let i = messages.length - 1; i >= 0; i--) {
          if (compareIds(messages[i].id, before) < 0) yield messages[i];
        }
      }
    };
    const own = async function* (kv: Deno.Kv): AsyncGenerator<StoredMessage> {
      const list = kv.list({ start: ["msg"], end: Keys.message(before) }, {
        reverse: true,
        batchSize: 100,
      });
      for await (const e of list) yield { id: e.key[1] as string, value: e.value as Uint8Array };
    };
    const a = paged(this.kv), b = own(this.kv);
    let x = await a.next(), y = await b.next();
    while (!x.done || !y.done) {
      const takeA = !x.done && (y.done || compareIds(x.value.id, y.value.id) >= 0);
      const m = takeA ? x.value : y.value!;
      yield decodeMessage(m.id, m.value).message;
      if (takeA) x = await a.next();
      else y = await b.next();
    }
  }

  async #loaded(id: string, v: unknown): Promise<MessageRecord> {
    const { message, chunkedBody } = decodeMessage(id, v);
    if (chunkedBody) {
      message.body = concatBytes(await this.#chunks<Uint8Array>(Keys.bodyChunks(id)));
    }
    return message;
  }

  async #chunks<T>(prefix: Deno.KvKey): Promise<T[]> {
    const out: T[] = [];
    for await (const e of this.kv.list<T>({ prefix })) out.push(e.value);
    return out;
  }

  /** The delivery state of a message (its own, or its run's), or null while it has none. */
  async state(id: string): Promise<StateRecord | null> {
    const v = (await this.kv.get(Keys.state(id))).value;
    if (v !== null) return decodeState(v);
    // The run with the greatest first id at or below `id` (runs do not overlap; a few more are
    // looked at in case a settle retried after a commit of unknown outcome nested one).
    const runs = this.kv.list<Uint8Array>({
      start: Keys.stateRuns(),
      end: Keys.stateRun(id + "\0"),
    }, {
      reverse: true,
      limit: 8,
    });
    for await (const e of runs) {
      const { last, ...state } = decodeStateRun(e.value);
      if (id <= last) return state;
    }
    return null;
  }

  /** The joined record of the message a part belongs to, or null. */
  async joinedRecordOf(partId: string): Promise<JoinedRecord | null> {
    const ref = (await this.kv.get<{ account: string; id: string }>(Keys.partOf(partId))).value;
    return ref ? (await this.kv.get<JoinedRecord>(Keys.joined(ref.account, ref.id))).value : null;
  }

  /** The joined message a part belongs to, with its text read from the parts; or null. */
  async joinedOf(partId: string): Promise<{ joined: JoinedRecord; text: string | null } | null> {
    const joined = await this.joinedRecordOf(partId);
    if (!joined) return null;
    let text: string | null = "";
    for (const p of joined.parts) {
      const part = p ? await this.message(p.id) : null;
      const t = part ? userText(part).text : null;
      if (t === null) {
        text = null;
        break;
      }
      text += t;
    }
    return { joined, text };
  }

  /** Parts of a group waiting to be joined (after a restart, to rebuild the joiner). */
  async pendingParts(account: string, group: string): Promise<PartRef[]> {
    const out: PartRef[] = [];
    for await (const e of this.kv.list<PartRef>({ prefix: Keys.pendingParts(account, group) })) {
      out.push(e.value);
    }
    return out;
  }

  /** Every part waiting to be joined, with its key (account, group, seq, id). */
  allPendingParts(): Deno.KvListIterator<PartRef> {
    return this.kv.list<PartRef>({ prefix: Keys.allPendingParts() });
  }

  /** Parts used today of an account's daily quota. */
  async quotaUsed(account: string, day: string): Promise<number> {
    return (await this.kv.get<number>(Keys.quota(account, day))).value ?? 0;
  }

  /** The persisted id high-water mark of a node (0 when none). */
  async idFloor(node: number): Promise<number> {
    return Number((await this.kv.get<Deno.KvU64>(Keys.idFloor(node))).value?.value ?? 0n);
  }

  /** A route's stored progress on a job (attempts, next try), or null. */
  async routeJob(id: string): Promise<RouteJob | null> {
    return (await this.kv.get<RouteJob>(Keys.routeJob(id))).value;
  }

  /** Our message id for a provider id of `route`, or null. */
  async byProviderId(route: string, providerId: string): Promise<string | null> {
    return (await this.kv.get<string>(Keys.providerId(route, providerId))).value;
  }

  /** The route's checkpoint ("" before the first one). */
  async checkpoint(route: string): Promise<string> {
    const v = (await this.kv.get<Deno.KvU64>(Keys.checkpoint(route))).value?.value ?? 0n;
    return v === 0n ? "" : String(v);
  }

  /**
   * Messages of `route` (null: of every route) from `from` up to (not including) `before` that have no state yet: the
   * route's unfinished work. Merges the ordered message, state and state-run ranges, so it reads
   * each once.
   */
  async *pending(route: string | null, from: string, before: string): AsyncGenerator<JobRecord> {
    const range = (p: string) => ({ start: [p, from], end: [p, before] });
    const states = this.kv.list({ ...range("state") }, { batchSize: 500 })[Symbol.asyncIterator]();
    const runs = this.#runsFrom(from, before);
    let state = await states.next();
    let run = await runs.next();
    let last = "";
    const settled = async (id: string) => {
      // Ids that went back (a message on its own key above paged ones) are looked up directly:
      // the ordered cursors have passed them.
      if (id < last) return (await this.state(id)) !== null;
      last = id;
      while (!state.done && (state.value.key[1] as string) < id) state = await states.next();
      while (!run.done && run.value.last < id) run = await runs.next();
      return (!state.done && state.value.key[1] === id) || (!run.done && run.value.first <= id);
    };
    // Messages on their own keys: of earlier releases (older than every paged one), or whose id
    // went back.
    for await (const e of this.kv.list({ ...range("msg") }, { batchSize: 500 })) {
      const id = e.key[1] as string;
      if (await settled(id)) continue;
      const replaced = (await this.kv.get(Keys.replaced(id))).value;
      const m = await this.#loaded(id, replaced ?? e.value);
      if ((route === null || m.route === route) && !m.joinLater) yield m;
    }
    // Replaced messages are read in the same id order: as they are now, not as submitted.
    const reps = this.kv.list({ ...range("msgrep") }, { batchSize: 100 })[Symbol.asyncIterator]();
    let rep = await reps.next();
    for await (const { id, value } of this.#pagedFrom(from, before)) {
      if (await settled(id)) continue;
      while (!rep.done && (rep.value.key[1] as string) < id) rep = await reps.next();
      const now = !rep.done && rep.value.key[1] === id ? rep.value.value : value;
      const m = await this.#loaded(id, now);
      if ((route === null || m.route === route) && !m.joinLater) yield m;
    }
  }

  /** Paged messages with ids from `from` up to (not including) `before`, in id order. */
  async *#pagedFrom(from: string, before: string): AsyncGenerator<StoredMessage> {
    const below = this.kv.list<Uint8Array>({
      start: Keys.messagePages(),
      end: Keys.messagePage(from),
    }, { reverse: true, limit: 1 });
    const rest = this.kv.list<Uint8Array>({
      start: Keys.messagePage(from),
      end: Keys.messagePage(before),
    }, { batchSize: 50 });
    for (const pages of [below, rest]) {
      for await (const e of pages) {
        for (const m of decodeMessagePage(e.value).messages) {
          if (m.id >= from && m.id < before) yield m;
        }
      }
    }
  }

  /** State runs that may cover ids from `from` (the one starting below it too), in id order. */
  async *#runsFrom(from: string, before: string): AsyncGenerator<{ first: string; last: string }> {
    const decode = (e: Deno.KvEntry<Uint8Array>) => ({
      first: e.key[1] as string,
      last: decodeStateRun(e.value).last,
    });
    const below = this.kv.list<Uint8Array>({ start: Keys.stateRuns(), end: Keys.stateRun(from) }, {
      reverse: true,
      limit: 1,
    });
    for await (const e of below) yield decode(e);
    const rest = this.kv.list<Uint8Array>({
      start: Keys.stateRun(from),
      end: Keys.stateRun(before),
    }, {
      batchSize: 500,
    });
    for await (const e of rest) yield decode(e);
  }

  /** Pages through the explicit jobs queued for a route, oldest first. */
  async *jobs(route: string): AsyncGenerator<JobRecord> {
    for await (
      const e of this.kv.list<JobRecord>({ prefix: Keys.jobs(route) }, { batchSize: 500 })
    ) yield { ...e.value, body: e.value.body ?? new Uint8Array(0) }; // jobs of earlier releases had none
  }

  /** Pages through an account's outbox, oldest page first. */
  async *receiptPages(account: string): AsyncGenerator<OutboxPage> {
    for await (const e of this.kv.list({ prefix: Keys.receipts(account) }, { batchSize: 100 })) {
      const id = e.key[2] as string;
      yield { account, id, receipts: decodeReceiptPage(account, e.value) };
    }
  }

  /** Every outbox page of every account, by account. */
  async *allReceiptPages(): AsyncGenerator<OutboxPage> {
    for await (const e of this.kv.list({ prefix: Keys.allReceipts() }, { batchSize: 100 })) {
      const account = e.key[1] as string;
      yield { account, id: e.key[2] as string, receipts: decodeReceiptPage(account, e.value) };
    }
  }

  /** Counts queued receipts of every account. */
  async receiptCount(): Promise<number> {
    let n = 0;
    for await (const e of this.kv.list({ prefix: Keys.allReceipts() })) {
      n += decodeReceiptPage(e.key[1] as string, e.value).length;
    }
    return n;
  }

  /**
   * Mutations that accept a message: the record (a large body in chunk entries), and for a part,
   * its entry in the join queue. The stored message without a state is the route's job.
   */
  static acceptOps(m: MessageRecord, opts: { partTtlMs?: number } = {}): Mutation[] {
    const ops: Mutation[] = [{ type: "message", message: m }];
    if (m.body.length > INLINE_BODY) {
      for (let i = 0; i * BODY_CHUNK < m.body.length; i++) {
        ops.push({
          type: "set",
          key: Keys.bodyChunk(m.id, i),
          value: m.body.subarray(i * BODY_CHUNK, (i + 1) * BODY_CHUNK),
        });
      }
    }
    if (m.concat) {
      const part: PartRef = { id: m.id, seq: m.concat.seq, preview: m.preview };
      if (m.publicId !== undefined) part.publicId = m.publicId;
      ops.push({
        type: "set",
        key: Keys.pendingPart(m.account, m.concat.group, m.concat.seq, m.id),
        value: part,
        expireIn: opts.partTtlMs,
      });
    }
    return ops;
  }

  /** Mutations that store a message's replacement (its own id; the body inline). */
  static replacedOps(m: MessageRecord): KeyedMutation[] {
    if (m.body.length > INLINE_BODY) throw new RangeError("a replacement's body must be inline");
    return [
      { type: "set", key: Keys.replaced(m.id), value: encodeMessage(m) },
      { type: "set", key: Keys.anyReplaced(), value: true },
    ];
  }

  /**
   * Mutation that maps a 3.3 bind's 8-character id `n` to message `id` (the counter's floor is
   * written once per atomic: see {@link Store.shortIdFloorOp}).
   */
  static shortIdOp(n: number, id: string): KeyedMutation {
    return { type: "set", key: Keys.shortId(n), value: id };
  }

  /** Mutation that moves the short-id counter's floor up to `n` (a KV `max`). */
  static shortIdFloorOp(n: number): KeyedMutation {
    return { type: "max", key: Keys.shortIdFloor(), value: BigInt(n) };
  }

  /** The message an 8-character id stands for, or null. */
  async byShortId(n: number): Promise<string | null> {
    return (await this.kv.get<string>(Keys.shortId(n))).value;
  }

  /** The highest 8-character id handed out (0 when none). */
  async shortIdFloor(): Promise<number> {
    return Number((await this.kv.get<Deno.KvU64>(Keys.shortIdFloor())).value?.value ?? 0n);
  }

  /** Mutation that lists the messages of a submit_multi under its id. */
  static multiOp(id: string, ids: readonly string[]): KeyedMutation {
    return { type: "set", key: Keys.multi(id), value: ids };
  }

  /** The messages of a submit_multi with this id, or null when it is not one. */
  async multi(id: string): Promise<string[] | null> {
    return (await this.kv.get<string[]>(Keys.multi(id))).value;
  }

  /** Mutations that record a joined message and clear its join queue. */
  static joinedOps(j: JoinedRecord, pending: PartRef[]): Mutation[] {
    const ops: Mutation[] = [{ type: "set", key: Keys.joined(j.account, j.id), value: j }];
    for (const p of pending) {
      ops.push({ type: "delete", key: Keys.pendingPart(j.account, j.group, p.seq, p.id) });
      ops.push({ type: "set", key: Keys.partOf(p.id), value: { account: j.account, id: j.id } });
    }
    return ops;
  }

  /** Mutation that stores an explicit job (a joined message for a "whole" route). */
  static jobOp(job: JobRecord): KeyedMutation {
    return { type: "set", key: Keys.job(job.route, job.id), value: job };
  }

  /**
   * Mutation that moves a route's checkpoint forward (a KV `max` of the id as a number, so an
   * atomic that commits late, or a run with nothing pending, never moves it back).
   */
  static checkpointOp(route: string, id: string): KeyedMutation {
    return { type: "max", key: Keys.checkpoint(route), value: id ? BigInt(id) : 0n };
  }

  /** Mutation that stores a route's progress on a job (removed when the job settles). */
  static routeJobOp(id: string, job: RouteJob): KeyedMutation {
    return { type: "set", key: Keys.routeJob(id), value: job };
  }

  /** Mutation that removes a route's progress record. */
  static routeJobDoneOp(id: string): KeyedMutation {
    return { type: "delete", key: Keys.routeJob(id) };
  }

  /** Mutation that maps a provider's id of `route` to our message id. */
  static providerIdOp(route: string, providerId: string, id: string): KeyedMutation {
    return { type: "set", key: Keys.providerId(route, providerId), value: id };
  }

  /** Mutation that gives one message its final state. */
  static stateOp(id: string, state: StateRecord): KeyedMutation {
    return { type: "set", key: Keys.state(id), value: encodeState(state) };
  }

  /** Mutation that removes an explicit job (a joined message) once settled. */
  static jobDoneOp(job: JobRecord): KeyedMutation {
    return { type: "delete", key: Keys.job(job.route, job.id) };
  }

  /**
   * Mutation that gives every message of a run (ids handed out one after the other, see
   * PendingIds.runs) the same state: one record for them all.
   */
  static stateRunOp(first: string, last: string, state: StateRecord): KeyedMutation {
    return { type: "set", key: Keys.stateRun(first), value: encodeStateRun({ ...state, last }) };
  }

  /** Receipts (of any accounts) split into outbox pages, by account, in order. */
  static pages(receipts: readonly ReceiptRecord[]): OutboxPage[] {
    const open = new Map<string, { page: OutboxPage; bytes: number }>();
    const out: OutboxPage[] = [];
    for (const r of receipts) {
      const size = receiptSize(r);
      let cur = open.get(r.account);
      if (!cur || cur.page.receipts.length >= PAGE_RECEIPTS || cur.bytes + size > PAGE_BYTES) {
        // An intermediate notification's page must not share its key with the final receipt's.
        cur = { page: { account: r.account, id: outboxKey(r), receipts: [] }, bytes: 0 };
        open.set(r.account, cur);
        out.push(cur.page);
      }
      cur.page.receipts.push(r);
      cur.bytes += size;
    }
    return out;
  }

  /** Mutation that stores an outbox page. */
  static pageOp(p: OutboxPage): KeyedMutation & { value: Uint8Array } {
    return {
      type: "set",
      key: Keys.receiptPage(p.account, p.id),
      value: encodeReceiptPage(p.receipts),
    };
  }

  /** Mutation that removes an outbox page (every receipt in it acknowledged or moved). */
  static pageDoneOp(account: string, id: string): KeyedMutation {
    return { type: "delete", key: Keys.receiptPage(account, id) };
  }

  /** Mutation that records a day's quota use. */
  static quotaOp(account: string, day: string, used: number): KeyedMutation {
    return { type: "set", key: Keys.quota(account, day), value: used, expireIn: 3 * 86_400_000 };
  }
}
