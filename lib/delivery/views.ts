/**
 * What the admin API shows of messages and the receipt outbox, read from the store: a message's
 * state and receipt, the newest messages, and the outbox depth per account.
 */
import { type MessageRecord, MessageState, STAT_STATES } from "../store/records.ts";
import { wantsReceipt } from "./settle.ts";
import { outboxKey, type Store } from "../store/store.ts";
import { resolveId } from "../intake/short_ids.ts";

const STATE_NAMES = Object.fromEntries(Object.entries(MessageState).map(([k, v]) => [v, k]));
const STATS = Object.fromEntries(Object.entries(STAT_STATES).map(([k, v]) => [v, k]));

/** A message as the admin API shows it. */
export interface MessageView {
  id: string;
  /** The id the ESME was given when not `id` (a 3.3 bind's 8 characters, a submit_multi's). */
  publicId?: string;
  account: string;
  source: string;
  dest: string;
  /** ISO 8601 times. */
  submitAt: string;
  /** SMPP message_state name: ENROUTE until final, then DELIVERED, UNDELIVERABLE, … */
  state: string;
  /** The receipt's stat word (ENROUTE before a final state). */
  stat: string;
  doneAt: string | null;
  err: string | null;
  route: string;
  parts: number;
  /** The session it was submitted on (process-local id; absent when unknown). */
  session?: number;
  /** The receipt: asked for and queued, sent at least once, acknowledged (or expired). */
  receipt: { queued: boolean; sent: boolean; acknowledged: boolean };
}

/** Which receipts of a stored outbox page are done but not removed yet (from the dispatcher). */
export type FinishedIn = (account: string, pageId: string) => readonly string[];

/** The view of message `id`, or null when unknown. */
export async function messageView(
  store: Store,
  id: string,
  finished: FinishedIn,
): Promise<MessageView | null> {
  // A 3.3 bind's 8-character id finds its message too.
  const full = await resolveId(store, id);
  const m = full === null ? null : await store.message(full);
  return m ? await viewOf(store, m, outboxLookup(store, finished)) : null;
}

/** The outbox entry of a message's receipt, or null when none waits (acknowledged or expired). */
type OutboxLookup = (account: string, id: string) => Promise<{ attempts: number } | null>;

/**
 * An {@link OutboxLookup} that reads each account's outbox pages once (one request may look up
 * many messages of one account).
 */
function outboxLookup(store: Store, finished: FinishedIn): OutboxLookup {
  const byAccount = new Map<string, Promise<Map<string, number>>>();
  const load = async (account: string) => {
    const waiting = new Map<string, number>();
    for await (const p of store.receiptPages(account)) {
      const done = new Set(finished(account, p.id));
      for (const r of p.receipts) {
        if (!r.intermediate && !done.has(r.messageId)) waiting.set(r.messageId, r.attempts);
      }
    }
    return waiting;
  };
  return async (account, id) => {
    let m = byAccount.get(account);
    if (!m) byAccount.set(account, m = load(account));
    const attempts = (await m).get(id);
    return attempts === undefined ? null : { attempts };
  };
}

async function viewOf(store: Store, m: MessageRecord, lookup: OutboxLookup): Promise<MessageView> {
  const s = await store.state(m.id);
  const final = s !== null && s.state !== MessageState.ENROUTE;
  const stat = final ? STATS[s.state] ?? "UNKNOWN" : "ENROUTE";
  const queued = final && wantsReceipt(m.registeredDelivery, stat as "DELIVRD");
  let receipt = { queued, sent: false, acknowledged: false };
  if (queued) {
    const waiting = await lookup(m.account, m.id);
    receipt = waiting
      ? { queued, sent: waiting.attempts > 0, acknowledged: false }
      : { queued, sent: true, acknowledged: true };
  }
  return {
    id: m.id,
    ...(m.publicId !== undefined ? { publicId: m.publicId } : {}),
    account: m.account,
    source: m.source.addr,
    dest: m.dest.addr,
    submitAt: new Date(m.submitAt).toISOString(),
    state: final ? STATE_NAMES[s.state] ?? "UNKNOWN" : "ENROUTE",
    stat,
    doneAt: final ? new Date(s.doneAt).toISOString() : null,
    err: final ? s.err : null,
    route: m.route,
    parts: m.parts,
    ...(m.session ? { session: m.session } : {}),
    receipt,
  };
}

/** Most messages a list request reads (newest first) looking for its matches. */
export const MAX_SCANNED = 100_000;

/** Filters of {@link recentMessages}. */
export interface MessageQuery {
  account?: string;
  /** Only messages submitted at or after this time (ms since the epoch). */
  since?: number;
  /** At most this many (newest first). */
  limit: number;
}

/** Messages newest first (ids are time-ordered, so no index is needed). */
export async function recentMessages(
  store: Store,
  q: MessageQuery,
  finished: FinishedIn,
): Promise<MessageView[]> {
  const out: MessageView[] = [];
  const lookup = outboxLookup(store, finished);
  let scanned = 0;
  for await (const m of store.recentMessages()) {
    // No index by account (it would cost the submit path a KV entry a message): bounded scan.
    if (++scanned > MAX_SCANNED) break;
    if (q.since !== undefined && m.submitAt < q.since) break;
    if (q.account !== undefined && m.account !== q.account) continue;
    out.push(await viewOf(store, m, lookup));
    if (out.length >= q.limit) break;
  }
  return out;
}

/** One account's receipt outbox. */
export interface OutboxView {
  account: string;
  /** Receipts (and inbound messages) waiting for a deliver_sm_resp. */
  depth: number;
  /** Age of the oldest of them, ms (null when none). */
  oldestAgeMs: number | null;
}

/** The outbox of every account with something in it. */
export async function outboxViews(
  store: Store,
  finished: FinishedIn,
  now = Date.now(),
): Promise<OutboxView[]> {
  const byAccount = new Map<string, { ids: Set<string>; oldest: number }>();
  for await (const p of store.allReceiptPages()) {
    const done = new Set(finished(p.account, p.id));
    let a = byAccount.get(p.account);
    if (!a) byAccount.set(p.account, a = { ids: new Set(), oldest: Infinity });
    for (const r of p.receipts) {
      const key = outboxKey(r);
      if (done.has(key)) continue;
      a.ids.add(key);
      a.oldest = Math.min(a.oldest, r.createdAt);
    }
  }
  return [...byAccount].filter(([, a]) => a.ids.size > 0).map(([account, a]) => ({
    account,
    depth: a.ids.size,
    oldestAgeMs: Number.isFinite(a.oldest) ? now - a.oldest : null,
  }));
}

/** One step of a message's life. */
export interface TraceEvent {
  /** ISO 8601 time, null when not recorded. */
  at: string | null;
  event:
    | "received"
    | "routed"
    | "enroute"
    | "final"
    | "receipt queued"
    | "receipt sent"
    | "receipt acknowledged";
  detail: string;
}

/** A message's life as far as the store tells it, oldest first; null when unknown. */
export async function messageTrace(
  store: Store,
  id: string,
  finished: FinishedIn,
): Promise<{ message: MessageView; events: TraceEvent[] } | null> {
  const v = await messageView(store, id, finished);
  if (!v) return null;
  const events: TraceEvent[] = [
    {
      at: v.submitAt,
      event: "received",
      detail: `from ${v.account}${
        v.session ? ` on session ${v.session}` : ""
      }: ${v.source} → ${v.dest}, ${v.parts} part(s)`,
    },
    { at: v.submitAt, event: "routed", detail: `route ${v.route}` },
  ];
  if ((await store.state(id))?.state === MessageState.ENROUTE) {
    events.push({
      at: null,
      event: "enroute",
      detail: "handed over; waiting for the route's receipt",
    });
  }
  if (v.doneAt) {
    events.push({
      at: v.doneAt,
      event: "final",
      detail: `${v.state} (stat ${v.stat}, err ${v.err})`,
    });
  }
  if (v.receipt.queued) {
    events.push({ at: v.doneAt, event: "receipt queued", detail: `for ${v.account}` });
    if (v.receipt.sent) events.push({ at: null, event: "receipt sent", detail: "deliver_sm" });
    if (v.receipt.acknowledged) {
      events.push({
        at: null,
        event: "receipt acknowledged",
        detail: "deliver_sm_resp OK (or expired)",
      });
    }
  }
  return { message: v, events };
}
