/** The SMPP route's config: defaults filled in, every wrong key named by its path. */
import assert from "node:assert/strict";
import { ConfigError } from "../../lib/core/validate.ts";
import { parseSmppRoute, SMPP_ROUTE_DEFAULTS } from "../../lib/routes/smpp/config.ts";
import { RETRY_DEFAULTS } from "../../lib/routes/retry.ts";

const GOOD = {
  name: "fr",
  type: "smpp",
  match: { dest: "^33" },
  host: "127.0.0.1",
  port: 2776,
  systemId: "gw",
  password: "pw",
  bind: "transceiver",
  window: 10,
  tps: 100,
  tls: false,
  reconnectMaxMs: 30000,
  enquireLinkMs: 30000,
  responseTimeoutMs: 10000,
  retry: { baseMs: 1000, maxMs: 60000, maxAttempts: 8 },
};

Deno.test("smpp route config: the issue's example parses as given", () => {
  const c = parseSmppRoute(GOOD, "routes[1]");
  assert.deepEqual(c, { ...GOOD, systemType: "", interfaceVersion: 0x34 });
});

Deno.test("smpp route config: optional keys take their defaults", () => {
  const c = parseSmppRoute(
    { name: "fr", host: "smsc.example", port: 2775, systemId: "gw", password: "pw" },
    "routes[0]",
  );
  assert.equal(c.bind, SMPP_ROUTE_DEFAULTS.bind);
  assert.equal(c.window, 10);
  assert.equal(c.tps, 0);
  assert.equal(c.tls, false);
  assert.equal(c.reconnectMaxMs, 30_000);
  assert.equal(c.enquireLinkMs, 30_000);
  assert.equal(c.responseTimeoutMs, 10_000);
  assert.deepEqual(c.retry, RETRY_DEFAULTS);
  assert.equal("type" in c, false);
});

Deno.test("smpp route config: overrides and a partial retry are kept", () => {
  const c = parseSmppRoute({
    ...GOOD,
    bind: "split",
    systemType: "VMA",
    interfaceVersion: 0x33,
    sourceTon: 5,
    sourceNpi: 0,
    caCerts: ["-----BEGIN CERTIFICATE-----"],
    retry: { maxAttempts: 3 },
  }, "routes[1]");
  assert.equal(c.bind, "split");
  assert.deepEqual([c.systemType, c.interfaceVersion, c.sourceTon, c.sourceNpi], [
    "VMA",
    0x33,
    5,
    0,
  ]);
  assert.deepEqual(c.retry, { ...RETRY_DEFAULTS, maxAttempts: 3 });
  assert.deepEqual(c.caCerts, ["-----BEGIN CERTIFICATE-----"]);
});

Deno.test("smpp route config: every bad key is refused with its path", () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ port: 0 }, /^routes\[1\]\.port: must be a number from 1 to 65535/],
    [{ port: 2775.5 }, /^routes\[1\]\.port: must be a whole number/],
    [{ port: undefined }, /^routes\[1\]\.port: required/],
    [{ host: "" }, /^routes\[1\]\.host: /],
    [{ host: undefined }, /^routes\[1\]\.host: /],
    [{ systemId: "a-very-long-system-id" }, /^routes\[1\]\.systemId: must be 1 to 15/],
    [{ password: "longer-than-8" }, /^routes\[1\]\.password: must be 1 to 8/],
    [{ bind: "receiver" }, /^routes\[1\]\.bind: must be "transceiver" or "split"/],
    [{ window: 0 }, /^routes\[1\]\.window: /],
    [{ tps: -1 }, /^routes\[1\]\.tps: /],
    [{ tls: "yes" }, /^routes\[1\]\.tls: must be true or false/],
    [{ caCerts: "pem" }, /^routes\[1\]\.caCerts: /],
    [{ reconnectMaxMs: 10 }, /^routes\[1\]\.reconnectMaxMs: /],
    [{ enquireLinkMs: -1 }, /^routes\[1\]\.enquireLinkMs: /],
    [{ responseTimeoutMs: "10s" }, /^routes\[1\]\.responseTimeoutMs: /],
    [{ retry: 3 }, /^routes\[1\]\.retry: must be an object/],
    [{ retry: { baseMs: 0 } }, /^routes\[1\]\.retry\.baseMs: /],
    [{ retry: { maxAttempts: 1.5 } }, /^routes\[1\]\.retry\.maxAttempts: must be a whole/],
    [{ retry: { tries: 3 } }, /^routes\[1\]\.retry\.tries: unknown key/],
    [{ retry: { baseMs: 5000, maxMs: 1000 } }, /^routes\[1\]\.retry\.maxMs: must not be below/],
    [{ sourceTon: 7.5 }, /^routes\[1\]\.sourceTon: must be a whole/],
    [{ destNpi: 300 }, /^routes\[1\]\.destNpi: /],
    [{ systemType: "x".repeat(13) }, /^routes\[1\]\.systemType: /],
    [{ hostname: "x" }, /^routes\[1\]\.hostname: unknown key/],
  ];
  for (const [over, message] of cases) {
    assert.throws(() => parseSmppRoute({ ...GOOD, ...over }, "routes[1]"), (e: unknown) => {
      assert.ok(e instanceof ConfigError, `${JSON.stringify(over)}: ConfigError`);
      assert.match(e.message, message, JSON.stringify(over));
      return true;
    });
  }
  assert.throws(
    () => parseSmppRoute([], "routes[1]"),
    /^ConfigError: routes\[1\]: must be an object/,
  );
});
