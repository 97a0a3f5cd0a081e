/** What paces an HTTP route: the retry policy (backoff, Retry-After) and the tps Pacer. */
import assert from "node:assert/strict";
import { Pacer } from "../../lib/routes/pacer.ts";
import { nextAttempt, RETRY_DEFAULTS, retryAfterMs } from "../../lib/routes/retry.ts";
import { within } from "../support/wait.ts";

Deno.test("nextAttempt() doubles the backoff up to maxMs, then gives up", () => {
  const p = { baseMs: 100, maxMs: 500, maxAttempts: 6 };
  assert.deepEqual([1, 2, 3, 4, 5].map((n) => nextAttempt(p, n, 1000)), [
    1100,
    1200,
    1400,
    1500,
    1500,
  ]);
  assert.equal(nextAttempt(p, 6, 1000), null);
  assert.equal(nextAttempt(RETRY_DEFAULTS, 1, 0), 1000);
  assert.equal(nextAttempt(RETRY_DEFAULTS, 8, 0), null);
});

Deno.test("nextAttempt() takes Retry-After instead of the backoff, even beyond maxMs", () => {
  const p = { baseMs: 100, maxMs: 500, maxAttempts: 3 };
  assert.equal(nextAttempt(p, 1, 1000, 0), 1000);
  assert.equal(nextAttempt(p, 1, 1000, 300), 1300);
  assert.equal(nextAttempt(p, 1, 1000, 10_000), 11_000);
  assert.equal(nextAttempt(p, 3, 1000, 0), null, "Retry-After does not add attempts");
});

Deno.test("retryAfterMs() reads seconds and HTTP dates", () => {
  const now = Date.parse("2026-11-29T12:00:00Z");
  assert.equal(retryAfterMs("0", now), 0);
  assert.equal(retryAfterMs(" 5 ", now), 5000);
  assert.equal(retryAfterMs("Sun, 29 Nov 2026 12:00:30 GMT", now), 30_000);
  assert.equal(retryAfterMs("Sun, 29 Nov 2026 11:00:00 GMT", now), 0, "a past date: now");
  assert.equal(retryAfterMs(null, now), undefined);
  assert.equal(retryAfterMs("", now), undefined);
  assert.equal(retryAfterMs("soon", now), undefined);
});

Deno.test("Pacer with tps 0 lets every send go at once", async () => {
  const pacer = new Pacer(0, () => 0);
  for (let i = 0; i < 1000; i++) assert.equal(await pacer.wait(), true);
  pacer.stop();
  assert.equal(await pacer.wait(), false);
});

/** `pacer.wait()`, and whether it resolved at once (within two microtask turns). */
async function tryWait(pacer: Pacer) {
  let done = false;
  const w = pacer.wait().then((ok) => {
    done = true;
    return ok;
  });
  await Promise.resolve();
  await Promise.resolve();
  return { now: done, w };
}

/** Takes the slots free now; returns how many there were and the first wait that had to wait. */
async function drain(pacer: Pacer) {
  for (let n = 0; n < 1000; n++) {
    const t = await tryWait(pacer);
    if (!t.now) return { burst: n, pending: t.w };
    assert.equal(await t.w, true);
  }
  throw new Error("the pacer never made a send wait");
}

Deno.test("Pacer lets a second's burst go, then waits for the clock", async () => {
  let now = 10_000;
  const pacer = new Pacer(10, () => now);
  try {
    const { burst, pending } = await drain(pacer);
    assert.ok(burst >= 10 && burst <= 11, `burst of ${burst}`);
    // The next slot is 100 ms later.
    now += 100;
    assert.equal(await within(pending, 2000, "the next slot"), true);
  } finally {
    pacer.stop();
  }
});

Deno.test("Pacer spaces sends evenly after the burst", async () => {
  let now = 50_000;
  const pacer = new Pacer(50, () => now);
  try {
    let { pending } = await drain(pacer);
    for (let i = 0; i < 5; i++) {
      now += 20;
      assert.equal(await within(pending, 2000, `slot ${i}`), true);
      // One slot per 20 ms: the next send waits again.
      const next = await tryWait(pacer);
      assert.equal(next.now, false, `only one send at slot ${i}`);
      pending = next.w;
    }
    now += 20;
    assert.equal(await within(pending, 2000, "the last slot"), true);
  } finally {
    pacer.stop();
  }
});

Deno.test("Pacer.stop() releases its waiters with false", async () => {
  const pacer = new Pacer(1, () => 0);
  assert.equal(await pacer.wait(), true);
  const waiting = [pacer.wait(), pacer.wait()];
  pacer.stop();
  assert.deepEqual(await within(Promise.all(waiting), 2000, "the waiters"), [false, false]);
  assert.equal(await pacer.wait(), false);
});
