import assert from "node:assert/strict";
import { UsageError } from "../../lib/cli/errors.ts";
import {
  envName,
  resolveServe,
  SERVE_HELP,
  SERVE_SETTINGS,
  serverSectionProblems,
} from "../../lib/cli/serve_settings.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("without flags, variables or config every setting has its default", () => {
  assert.deepEqual(resolveServe({}, env({})), {
    host: "127.0.0.1",
    port: 2775,
    httpHost: "127.0.0.1",
    httpPort: 8775,
    kv: "./data/smppgw.kv",
    logLevel: "info",
    logFormat: "text",
  });
});

Deno.test("every setting: the config beats the default, the environment the config, a flag the environment", () => {
  const values: Record<string, [string, string, string]> = {
    host: ["10.0.0.1", "10.0.0.2", "10.0.0.3"],
    port: ["2001", "2002", "2003"],
    httpPort: ["3001", "3002", "3003"],
    httpHost: ["10.1.0.1", "10.1.0.2", "10.1.0.3"],
    tlsPort: ["4001", "4002", "4003"],
    tlsCert: ["a.pem", "b.pem", "c.pem"],
    tlsKey: ["a.key", "b.key", "c.key"],
    kv: ["a.kv", "b.kv", "c.kv"],
    logLevel: ["debug", "trace", "error"],
    logFormat: ["json", "text", "json"],
  };
  const config = { label: "c.json", server: {} as Record<string, unknown> };
  const vars: Record<string, string> = {};
  const flags: Record<string, string> = {};
  for (const s of SERVE_SETTINGS) {
    const [c, e, f] = values[s.key];
    config.server[s.key] = /^\d+$/.test(c) ? Number(c) : c;
    vars[envName(s.flag)] = e;
    flags[s.flag] = f;
  }
  const fromConfig = resolveServe({}, env({}), config);
  const fromEnv = resolveServe({}, env(vars), config);
  const fromFlags = resolveServe(flags, env(vars), config);
  for (const s of SERVE_SETTINGS) {
    const [c, e, f] = values[s.key];
    assert.equal(String(fromConfig[s.key]), c, `${s.key} from the config`);
    assert.equal(String(fromEnv[s.key]), e, `${s.key} from the environment`);
    assert.equal(String(fromFlags[s.key]), f, `${s.key} from a flag`);
  }
});

Deno.test("only the winning value is checked, and its error names where it came from", () => {
  const bad = { label: "c.json", server: { port: "x" } };
  assert.throws(
    () => resolveServe({}, env({}), bad),
    /^UsageError: server\.port in c\.json must be a port number/,
  );
  assert.throws(
    () => resolveServe({}, env({ SMPPGW_PORT: "y" }), bad),
    /SMPPGW_PORT must be .* got "y"/,
  );
  assert.throws(() => resolveServe({ port: "z" }, env({ SMPPGW_PORT: "y" })), /--port must be/);
  assert.equal(resolveServe({ port: "0" }, env({ SMPPGW_PORT: "y" }), bad).port, 0);
  assert.throws(
    () => resolveServe({ "log-format": "xml" }, env({})),
    /--log-format must be one of text, json/,
  );
  // An empty variable counts as unset.
  assert.equal(resolveServe({}, env({ SMPPGW_PORT: "" })).port, 2775);
}); // deno-fmt-ignore

Deno.test("TLS needs its port, certificate and key together", () => {
  assert.throws(() => resolveServe({ "tls-port": "2776" }, env({})), UsageError);
  assert.throws(() => resolveServe({}, env({ SMPPGW_TLS_CERT: "c.pem" })), /need --tls-port/);
  const s = resolveServe({ "tls-port": "2776" }, env({ SMPPGW_TLS_CERT: "c", SMPPGW_TLS_KEY: "k" }));
  assert.deepEqual([s.tlsPort, s.tlsCert, s.tlsKey], [2776, "c", "k"]);
});

Deno.test("the server section of a config reports every problem", () => {
  assert.deepEqual(serverSectionProblems({ port: 2776, kv: ":memory:", logLevel: "debug" }), []);
  const problems = serverSectionProblems({ port: 70000, logFormat: "xml", colour: 1, kv: [] });
  assert.equal(problems.length, 4);
  assert.match(problems[0], /^server\.port must be a port number/);
  assert.match(problems[1], /^server\.logFormat must be one of text, json/);
  assert.match(problems[2], /^server\.colour: unknown key/);
  assert.match(problems[3], /^server\.kv: must be a string or a number/);
  assert.deepEqual(serverSectionProblems([]), ["server: must be an object"]);
});

Deno.test("serve --help names each setting's flag and environment variable", () => {
  for (const s of SERVE_SETTINGS) {
    assert.match(SERVE_HELP, new RegExp(`--${s.flag} \\S+ +${envName(s.flag)} `), s.flag);
  }
  assert.match(SERVE_HELP, /--config FILE +SMPPGW_CONFIG /);
});
