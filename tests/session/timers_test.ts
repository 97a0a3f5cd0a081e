import assert from "node:assert/strict";
import { dueTimer, TIMER_RULES, type TimerFacts } from "../../lib/session/timers.ts";

const OPTS = {
  drainTimeoutMs: 10_000,
  pduTimeoutMs: 5_000,
  bindTimeoutMs: 30_000,
  inactivityMs: 120_000,
  enquireLinkMs: 30_000,
};

function facts(over: Partial<TimerFacts> = {}): TimerFacts {
  return {
    now: 1_000_000,
    openedAt: 1_000_000,
    lastRx: 1_000_000,
    partialSince: 0,
    stalledMs: 0,
    paused: false,
    awaitingBind: false,
    bound: true,
    enquirePending: false,
    ...over,
  };
}

Deno.test("dueTimer() is null while nothing is due", () => {
  assert.equal(dueTimer(OPTS, facts()), null);
});

Deno.test("dueTimer() asks for enquire_link, then unbinds, as a bound session stays silent", () => {
  assert.equal(dueTimer(OPTS, facts({ lastRx: 1_000_000 - 30_000 })), "enquire");
  // One enquire_link at a time.
  assert.equal(dueTimer(OPTS, facts({ lastRx: 1_000_000 - 30_000, enquirePending: true })), null);
  assert.equal(dueTimer(OPTS, facts({ lastRx: 1_000_000 - 120_000 })), "inactive");
});

Deno.test("dueTimer() closes a connection not bound in time, but not while its bind runs", () => {
  const open = { bound: false, openedAt: 1_000_000 - 30_000, lastRx: 0 };
  assert.equal(dueTimer(OPTS, facts({ ...open, awaitingBind: true })), "bind");
  assert.equal(dueTimer(OPTS, facts({ ...open, awaitingBind: false })), null);
});

Deno.test("dueTimer() closes for a slow PDU only while reading, and for unread output first", () => {
  const slow = { partialSince: 1_000_000 - 5_000 };
  assert.equal(dueTimer(OPTS, facts(slow)), "pdu");
  assert.equal(dueTimer(OPTS, facts({ ...slow, paused: true })), null);
  assert.equal(dueTimer(OPTS, facts({ ...slow, stalledMs: 10_000 })), "drain");
});

Deno.test("dueTimer() runs no timer set to 0", () => {
  const off = {
    drainTimeoutMs: 0,
    pduTimeoutMs: 0,
    bindTimeoutMs: 0,
    inactivityMs: 0,
    enquireLinkMs: 0,
  };
  const late = facts({
    openedAt: 0,
    lastRx: 0,
    partialSince: 1,
    stalledMs: 1e9,
    awaitingBind: true,
  });
  assert.equal(dueTimer(OPTS, late), "drain");
  assert.equal(dueTimer(off, late), null);
  assert.deepEqual(TIMER_RULES.map((r) => r.action), [
    "drain",
    "pdu",
    "bind",
    "inactive",
    "enquire",
  ]);
});
