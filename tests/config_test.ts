import assert from "node:assert/strict";
import { ConfigError, optionsFromConfig, parseConfig } from "../lib/mod.ts";

Deno.test("parseConfig() accepts the documented example", () => {
  const c = parseConfig({
    accounts: [{
      systemId: "test",
      password: "secret",
      maxSessions: 5,
      sourceAddrs: ["Acme", "44\\d+"],
    }],
    simulator: { delayMs: 1000, rules: [{ prefix: "4479", stat: "UNDELIV", err: "001" }] },
    session: { enquireLinkSec: 30 },
  });
  assert.equal(optionsFromConfig(c).session?.enquireLinkMs, 30_000);
});

Deno.test("parseConfig() names the bad key", () => {
  const cases: [unknown, RegExp][] = [
    [{ accounts: [{ systemId: "test" }] }, /accounts\[0\]\.password/],
    [{ accounts: [{ systemId: "a", password: "123456789" }] }, /password: must be 1 to 8/],
    [
      { accounts: [{ systemId: "a", password: "b", sourceAddrs: ["("] }] },
      /sourceAddrs\[0\]: not a valid pattern/,
    ],
    [{ simulator: { rules: [{ prefix: "1", stat: "FAILED" }] } }, /simulator\.rules\[0\]\.stat/],
    [{ simulator: { delayMs: -1 } }, /simulator\.delayMs/],
    [{ sesion: {} }, /sesion: unknown key/],
    [
      { accounts: [{ systemId: "a", password: "b" }, { systemId: "a", password: "c" }] },
      /appears twice/,
    ],
    [[], /config: must be an object/],
  ];
  for (const [input, re] of cases) {
    assert.throws(
      () => parseConfig(input),
      (e: unknown) => e instanceof ConfigError && re.test(e.message),
      String(re),
    );
  }
});

Deno.test("maxValidityHours, limits.routeBacklog and limits.maxScheduled reach the options; validity stays within retention", () => {
  const o = optionsFromConfig(parseConfig({
    maxValidityHours: 48,
    limits: { routeBacklog: 5000, maxScheduled: 10 },
  }));
  assert.equal(o.maxValidityMs, 48 * 3600_000);
  assert.equal(o.routeBacklog, 5000);
  assert.equal(o.maxScheduled, 10);
  assert.throws(
    () => parseConfig({ maxValidityHours: 200 }),
    /maxValidityHours: must be at most retentionDays × 24 \(168\)/,
  );
  assert.equal(parseConfig({ maxValidityHours: 200, retentionDays: 10 }).maxValidityHours, 200);
});
