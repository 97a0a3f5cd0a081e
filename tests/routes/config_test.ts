/** The `routes` and `inbound` config keys: every bad key is named; a good table builds routes. */
import assert from "node:assert/strict";
import { ConfigError, optionsFromConfig, parseConfig } from "../../lib/mod.ts";

const bad = (config: unknown, message: RegExp) =>
  assert.throws(
    () => parseConfig(config),
    (e) => e instanceof ConfigError && message.test(e.message),
  );

Deno.test("parseConfig() names the bad key of a route or an inbound rule", () => {
  bad({ routes: {} }, /^routes: must be an array/);
  bad({ routes: [{ type: "simulator" }] }, /^routes\[0\]\.name: must be 1 to 64/);
  bad({ routes: [{ name: "a b", type: "simulator" }] }, /^routes\[0\]\.name: only letters/);
  bad(
    { routes: [{ name: "a", type: "simulator" }, { name: "a", type: "simulator" }] },
    /^routes\[1\]\.name: "a" appears twice/,
  );
  bad(
    { routes: [{ name: "a", type: "fax" }] },
    /^routes\[0\]\.type: must be one of simulator, http, smpp/,
  );
  bad(
    { routes: [{ name: "a", type: "simulator", match: { dest: "(" } }] },
    /^routes\[0\]\.match\.dest: not a valid pattern/,
  );
  bad(
    { routes: [{ name: "a", type: "simulator", match: { accounts: "x" } }] },
    /^routes\[0\]\.match\.accounts/,
  );
  bad(
    { routes: [{ name: "a", type: "simulator", match: { to: "1" } }] },
    /^routes\[0\]\.match\.to: unknown key/,
  );
  bad(
    { routes: [{ name: "a", type: "simulator", delayMs: -1 }] },
    /^routes\[0\]\.delayMs: must be a number/,
  );
  bad(
    { routes: [{ name: "a", type: "simulator", rules: [{ prefix: "1", stat: "NOPE" }] }] },
    /^routes\[0\]\.rules\[0\]\.stat/,
  );
  bad({ routes: [{ name: "a", type: "simulator", url: "x" }] }, /^routes\[0\]\.url: unknown key/);
  bad({ inbound: [{ dest: "^44" }] }, /^inbound\[0\]\.account: must be 1 to 15/);
  bad({ inbound: [{ dest: "[", account: "a" }] }, /^inbound\[0\]\.dest: not a valid pattern/);
  bad({ simulator: { delayMs: "1" } }, /^simulator\.delayMs/);
});

Deno.test("optionsFromConfig() builds the routing table in order with its matches", () => {
  const o = optionsFromConfig(parseConfig({
    routes: [
      { name: "uk", type: "simulator", match: { dest: "^44", accounts: ["acme"] }, delayMs: 5 },
      { name: "test", type: "simulator", rules: [{ prefix: "1", stat: "UNDELIV", err: "1" }] },
    ],
    inbound: [{ dest: "^4470", account: "acme" }],
  }));
  assert.deepEqual(o.routes?.map((r) => [r.route.name, r.match]), [
    ["uk", { dest: "^44", accounts: ["acme"] }],
    ["test", undefined],
  ]);
  assert.deepEqual(o.inbound, [{ dest: "^4470", account: "acme" }]);
  assert.equal(optionsFromConfig(parseConfig({})).routes, undefined);
});

Deno.test("parseConfig() names the bad key of an http route", () => {
  const r = (extra: Record<string, unknown>) => ({
    routes: [{ name: "uk", type: "http", url: "http://127.0.0.1:9000/send", ...extra }],
  });
  bad({ routes: [{ name: "uk", type: "http" }] }, /^routes\[0\]\.url: required/);
  bad(r({ url: "ftp://x" }), /^routes\[0\]\.url: must be an http\(s\) URL/);
  bad(r({ method: "DELETE" }), /^routes\[0\]\.method: must be GET, POST or PUT/);
  bad(r({ format: "xml" }), /^routes\[0\]\.format: must be json, form or query/);
  bad(r({ params: { to: 1 } }), /^routes\[0\]\.params\.to: must be a string/);
  bad(r({ concurrency: 0 }), /^routes\[0\]\.concurrency: must be a number from 1/);
  bad(
    r({ retry: { baseMs: 10, maxMs: 5 } }),
    /^routes\[0\]\.retry\.maxMs: must not be below baseMs/,
  );
  bad(r({ dlr: { token: "T", id: "ref", stat: {} } }), /^routes\[0\]\.dlr\.status: required/);
  bad(r({ dlr: { id: "ref", status: "s", stat: {} } }), /^routes\[0\]\.dlr\.token: required/);
  bad(
    r({ dlr: { token: "T", id: "ref", status: "s", stat: { ok: "FINE" } } }),
    /^routes\[0\]\.dlr\.stat\.ok: must be one of DELIVRD/,
  );
  bad(r({ mo: { token: "T", from: "f", to: "t" } }), /^routes\[0\]\.mo\.text: required/);
  bad(
    r({ dlr: { token: "", id: "a", status: "b", stat: {} } }),
    /^routes\[0\]\.dlr\.token: must be/,
  );
  const o = optionsFromConfig(parseConfig(r({ match: { dest: "^44" } })));
  assert.equal(o.routes![0].route.name, "uk");
  assert.equal(typeof o.routes![0].route.callback, "function");
});
