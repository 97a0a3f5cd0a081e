/**
 * Reads over one Deno KV handle: accounts, messages, states, outbox pages, jobs and checkpoints.
 * The keys are in keys.ts, the mutations (`Store.stateOp(…)` and the like) in mutations.ts.
 */
import { concatBytes } from "../smpp/bytes.ts";
import { compareIds, decodeMessagePage, findInMessagePage, type StoredMessage } from "./pages.ts";
import { userText } from "../text/mod.ts";
import { decodeMessage, decodeReceiptPage, decodeState, decodeStateRun } from "./layouts.ts";
import type {
  AccountRecord,
  JobRecord,
  JoinedRecord,
  MessageRecord,
  PartRef,
  StateRecord,
} from "./records.ts";
import { Keys } from "./keys.ts";
import { type OutboxPage, type RouteJob, StoreMutations } from "./mutations.ts";

export { Keys, RETAINED } from "./keys.ts";
export { outboxKey, type OutboxPage, type RouteJob } from "./mutations.ts";

/** The ownership check every atomic write carries: the owner entry as this process wrote it. */
export interface Fence {
  /** The owner entry's key. */
  key: Deno.KvKey;
  /** The owner entry's versionstamp as this process wrote it. */
  versionstamp: string;
}

/**
 * Reads over one Deno KV handle, and (inherited, static) the mutation builders of mutations.ts.
 *
 * @example
 * ```ts
 * import { Store } from "./lib/mod.ts";
 * const kv = await Deno.openKv(":memory:");
 * const store = new Store(kv);
 * console.log(await store.account("acme")); // null: no such account yet
 * kv.close();
 * ```
 */ export class Store extends StoreMutations {
  /** Set once this process owns the store: every atomic write checks it. */
  fence: Fence | undefined;
  /** Whether any message was ever replaced (undefined until read from KV). */
  #anyReplaced: boolean | undefined;

  /** A store over `kv`; the caller keeps ownership of the handle. */
  constructor(readonly kv: Deno.Kv) {
    super();
  }

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

  /** The message an 8-character id stands for, or null. */
  async byShortId(n: number): Promise<string | null> {
    return (await this.kv.get<string>(Keys.shortId(n))).value;
  }

  /** The highest 8-character id handed out (0 when none). */
  async shortIdFloor(): Promise<number> {
    return Number((await this.kv.get<Deno.KvU64>(Keys.shortIdFloor())).value?.value ?? 0n);
  }

  /** The messages of a submit_multi with this id, or null when it is not one. */
  async multi(id: string): Promise<string[] | null> {
    return (await this.kv.get<string[]>(Keys.multi(id))).value;
  }
}
