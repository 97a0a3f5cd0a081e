/**
 * A session's timers as one table of rules, checked in order on every tick of its clock: the
 * first rule that is due says what the session does. The rules only read facts, so they are
 * tested without a clock or a connection.
 *
 * ```ts
 * import { dueTimer } from "./timers.ts";
 * const facts = {
 *   now: 60_000, openedAt: 0, lastRx: 0, partialSince: 0, stalledMs: 0,
 *   paused: false, awaitingBind: true, bound: false, enquirePending: false,
 * };
 * console.log(dueTimer({ bindTimeoutMs: 30_000 }, facts)); // "bind"
 * ```
 */
import type { SessionOptions } from "./contract.ts";

/** What a session's clock reads at one tick (times in ms since the epoch). */
export interface TimerFacts {
  now: number;
  /** When the connection was opened. */
  openedAt: number;
  /** When the session last received a PDU. */
  lastRx: number;
  /** When the incomplete PDU being read began arriving (0: none). */
  partialSince: number;
  /** How long output has waited without a write completing (ms). */
  stalledMs: number;
  /** Reading is paused for unsent output (the PDU timer does not run meanwhile). */
  paused: boolean;
  /** Open and not bound, with no bind in progress. */
  awaitingBind: boolean;
  /** Bound as transmitter, receiver or transceiver. */
  bound: boolean;
  /** An enquire_link of the gateway waits for its response. */
  enquirePending: boolean;
}

/** What a due timer makes the session do. */
export type TimerAction =
  /** Close: the peer leaves our output unread (drainTimeoutMs). */
  | "drain"
  /** Close: a PDU takes too long to arrive (pduTimeoutMs). */
  | "pdu"
  /** Close: no bind in time (bindTimeoutMs). */
  | "bind"
  /** Unbind: nothing received for too long (inactivityMs). */
  | "inactive"
  /** Send enquire_link: nothing received for a while (enquireLinkMs). */
  | "enquire";

/** The timer options the rules read (0 turns a timer off). */
export type TimerOptions = Partial<
  Pick<
    SessionOptions,
    "drainTimeoutMs" | "pduTimeoutMs" | "bindTimeoutMs" | "inactivityMs" | "enquireLinkMs"
  >
>;

/** One rule: when it is due, and what it does. */
export interface TimerRule {
  action: TimerAction;
  due(o: TimerOptions, f: TimerFacts): boolean;
}

const on = (ms: number | undefined): ms is number => ms !== undefined && ms > 0;

/** The rules, in the order they are checked. */
export const TIMER_RULES: readonly TimerRule[] = [
  { action: "drain", due: (o, f) => on(o.drainTimeoutMs) && f.stalledMs >= o.drainTimeoutMs },
  {
    action: "pdu",
    due: (o, f) =>
      on(o.pduTimeoutMs) && f.partialSince > 0 && !f.paused &&
      f.now - f.partialSince >= o.pduTimeoutMs,
  },
  {
    action: "bind",
    due: (o, f) => f.awaitingBind && on(o.bindTimeoutMs) && f.now - f.openedAt >= o.bindTimeoutMs,
  },
  {
    action: "inactive",
    due: (o, f) => f.bound && on(o.inactivityMs) && f.now - f.lastRx >= o.inactivityMs,
  },
  {
    action: "enquire",
    due: (o, f) =>
      f.bound && on(o.enquireLinkMs) && !f.enquirePending && f.now - f.lastRx >= o.enquireLinkMs,
  },
];

/** The action of the first due rule, or null when none is due. */
export function dueTimer(o: TimerOptions, f: TimerFacts): TimerAction | null {
  for (const r of TIMER_RULES) if (r.due(o, f)) return r.action;
  return null;
}
