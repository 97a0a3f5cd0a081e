import assert from "node:assert/strict";
import { FailureLockout, ipAllowed, TokenBucket, validIpEntry } from "../../lib/accounts/limits.ts";

Deno.test("TokenBucket.take() allows a burst, then the refill rate", () => {
  let now = 0;
  const b = new TokenBucket(10, 5, () => now);
  assert.equal(b.take(5), true);
  assert.equal(b.take(1), false);
  now = 100; // 0.1 s → 1 token
  assert.equal(b.take(1), true);
  assert.equal(b.take(1), false);
  now = 10_000;
  assert.equal(b.take(3), true, "a 3-part message costs 3");
  assert.equal(b.take(3), false, "refill is capped at the burst");
});

Deno.test("FailureLockout locks a key after maxFailures within the window, then frees it", () => {
  let now = 0;
  const l = new FailureLockout({ maxFailures: 3, windowMs: 1000, lockoutMs: 5000 }, () => now);
  assert.equal(l.fail("a"), false);
  assert.equal(l.fail("a"), false);
  assert.equal(l.locked("a"), false);
  assert.equal(l.fail("a"), true);
  assert.equal(l.locked("a"), true);
  assert.equal(l.locked("b"), false);
  now = 5001;
  assert.equal(l.locked("a"), false);
});

Deno.test("FailureLockout forgets failures older than the window and after a success", () => {
  let now = 0;
  const l = new FailureLockout({ maxFailures: 2, windowMs: 1000, lockoutMs: 5000 }, () => now);
  l.fail("a");
  now = 2000;
  assert.equal(l.fail("a"), false);
  l.succeed("a");
  assert.equal(l.fail("a"), false);
});

Deno.test("ipAllowed() matches exact addresses and IPv4 CIDR ranges", () => {
  assert.equal(ipAllowed("127.0.0.1", ["127.0.0.1"]), true);
  assert.equal(ipAllowed("10.1.2.3", ["10.0.0.0/8"]), true);
  assert.equal(ipAllowed("11.1.2.3", ["10.0.0.0/8"]), false);
  assert.equal(ipAllowed("::ffff:10.1.2.3", ["10.0.0.0/8"]), true);
  assert.equal(ipAllowed("::1", ["::1"]), true);
  assert.equal(ipAllowed("1.2.3.4", ["0.0.0.0/0"]), true);
  assert.equal(ipAllowed("1.2.3.4", []), false);
});

Deno.test("validIpEntry() rejects malformed entries", () => {
  for (const ok of ["1.2.3.4", "10.0.0.0/8", "::1"]) assert.equal(validIpEntry(ok), true, ok);
  for (const bad of ["1.2.3", "300.1.1.1", "10.0.0.0/33", "a.b.c.d", "1.2.3.4/8/1"]) {
    assert.equal(validIpEntry(bad), false, bad);
  }
});
