import assert from "node:assert/strict";
import { checkConfigText, loadConfig } from "../../lib/cli/config_file.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import { memoryIo } from "../../lib/cli/io.ts";
import { parseConfig } from "../../lib/config.ts";

Deno.test("a valid config is split into its server section and the gateway part", () => {
  const r = checkConfigText(
    JSON.stringify({ server: { port: 2776 }, accounts: [{ systemId: "a", password: "p" }] }),
    parseConfig,
  );
  assert.ok(r.ok);
  assert.deepEqual(r.config.server, { port: 2776 });
  assert.deepEqual(r.config.gateway, { accounts: [{ systemId: "a", password: "p" }] });
});

Deno.test("a bad config gets one problem per bad key, not only the first", () => {
  const r = checkConfigText(
    JSON.stringify({
      server: { port: -1 },
      systemId: "",
      accounts: [{ systemId: "a" }],
      session: { window: 0 },
      limits: { nope: 1 },
    }),
    parseConfig,
  );
  assert.ok(!r.ok);
  const keys = ["server.port", "systemId", "accounts[0].password", "session.window", "limits.nope"];
  assert.equal(r.problems.length, keys.length, r.problems.join("\n"));
  for (const [i, key] of keys.entries()) assert.ok(r.problems[i].startsWith(key), r.problems[i]);
});

Deno.test("text that is not a JSON object is one problem", () => {
  assert.deepEqual(checkConfigText("[1]", parseConfig), {
    ok: false,
    problems: ["config: must be a JSON object"],
  });
  const r = checkConfigText("{", parseConfig);
  assert.ok(!r.ok && /^not valid JSON/.test(r.problems[0]));
});

Deno.test("loading names the source and the file, and counts the other problems", async () => {
  const io = memoryIo({}, { "c.json": JSON.stringify({ systemId: "", nodeId: 500 }) });
  await assert.rejects(
    () => loadConfig(io, "SMPPGW_CONFIG", "c.json", parseConfig),
    (e) =>
      e instanceof UsageError &&
      /^SMPPGW_CONFIG c\.json: systemId: .*\(and 1 more: main\.ts serve --check-config c\.json\)$/
        .test(e.message),
  );
  await assert.rejects(
    () => loadConfig(io, "--config", "missing.json", parseConfig),
    /--config missing\.json: No such file/,
  );
});

Deno.test("several problems in one section are each a line, in file order", () => {
  const r = checkConfigText(
    JSON.stringify({
      accounts: [{ systemId: "a", password: "p", tps: 0 }, { systemId: "", password: "q" }],
      routes: [{ name: "uk", type: "http", url: "ftp://x", concurrency: 0, colour: "red" }],
    }),
    parseConfig,
  );
  assert.ok(!r.ok);
  assert.deepEqual(r.problems.map((p) => p.slice(0, p.indexOf(":"))), [
    "accounts[0].tps",
    "accounts[1].systemId",
    "routes[0].url",
    "routes[0].concurrency",
    "routes[0].colour",
  ]);
});
