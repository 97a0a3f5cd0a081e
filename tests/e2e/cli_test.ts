/** main.ts as a user runs it: help, version, bad input, config checks, settings precedence. */
import assert from "node:assert/strict";
import { VERSION } from "../../lib/core/version.ts";
import { lines, runMain } from "../support/cli.ts";
import { GatewayProcess } from "../support/process.ts";

/** Asserts a run failed with exit code 2 and exactly one line `smppgw: …` matching `re`. */
function assertUsageError(r: { code: number; stderr: string }, re: RegExp) {
  assert.equal(r.code, 2, r.stderr);
  const errLines = lines(r.stderr);
  assert.equal(errLines.length, 1, r.stderr);
  assert.match(errLines[0], /^smppgw: /);
  assert.match(errLines[0], re);
}

Deno.test("main.ts help lists every command", async () => {
  const [help, dashed] = await Promise.all([runMain(["help"]), runMain(["--help"])]);
  assert.equal(help.code, 0);
  assert.equal(dashed.stdout, help.stdout);
  for (const cmd of ["serve", "send", "version", "help", "account", "trace"]) {
    assert.match(help.stdout, new RegExp(`^  ${cmd} `, "m"), cmd);
  }
  assert.match(help.stdout, /npx -y deno@2 run -A main.ts/);
  assert.match(help.stdout, /npx -y deno@2 task start/);
});

Deno.test("every command has --help, and help COMMAND shows the same", async () => {
  const commands = ["serve", "send", "version", "help", "account", "trace"];
  const runs = await Promise.all([
    ...commands.map((c) => runMain([c, "--help"])),
    runMain(["help", "send"]),
  ]);
  for (const [i, r] of runs.entries()) {
    assert.equal(r.code, 0, `${commands[i] ?? "help send"}: ${r.stderr}`);
    assert.match(r.stdout, /^Usage: npx -y deno@2 run -A main\.ts /, commands[i]);
  }
  assert.equal(runs[6].stdout, runs[1].stdout);
  for (const flag of ["--system-id", "--password", "--to", "--from", "--text", "--coding"]) {
    assert.ok(runs[1].stdout.includes(flag), flag);
  }
  for (const flag of ["--tls", "--timeout", "--dlr"]) assert.ok(runs[1].stdout.includes(flag));
  for (const name of ["SMPPGW_HOST", "SMPPGW_LOG_FORMAT", "--log-format", "--check-config"]) {
    assert.ok(runs[0].stdout.includes(name), name);
  }
});

Deno.test("main.ts version prints the smppgw and Deno versions", async () => {
  const r = await runMain(["version"]);
  assert.equal(r.code, 0);
  const [first, second] = lines(r.stdout);
  assert.equal(first, `smppgw ${VERSION}`);
  assert.match(second, /^deno \d+\.\d+\.\d+ \(v8 .+, typescript .+\)$/);
});

Deno.test("bad input exits with code 2 and one line naming the problem", async () => {
  const [flag, cmd, planned, missing, value, version, extra, env] = await Promise.all([
    runMain(["serve", "--nope"]),
    runMain(["frobnicate"]),
    runMain(["account", "list", "--url", "http://127.0.0.1:1"]),
    runMain(["send", "--to", "1", "--text", "hi", "--password", "pw"]),
    runMain([
      "send",
      "--system-id",
      "a",
      "--password",
      "p",
      "--to",
      "1",
      "--text",
      "x",
      "--coding",
      "ebcdic",
    ]),
    runMain(["version", "--verbose"]),
    runMain(["help", "serve", "send"]),
    runMain(["serve", "--kv", ":memory:"], { env: { SMPPGW_PORT: "http" } }),
  ]); // deno-fmt-ignore
  assertUsageError(flag, /unknown option --nope/);
  assertUsageError(cmd, /unknown command "frobnicate"/);
  assertUsageError(planned, /account needs --token or SMPPGW_ADMIN_TOKEN/);
  assertUsageError(missing, /--system-id is required/);
  assertUsageError(value, /--coding must be one of gsm, ucs2, latin1, got "ebcdic"/);
  assertUsageError(version, /unknown option --verbose/);
  assertUsageError(extra, /unexpected argument "send"/);
  assertUsageError(env, /^smppgw: SMPPGW_PORT must be a port number from 0 to 65535, got "http"$/);
});

Deno.test("serve --check-config passes a valid file and lists every problem of a bad one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/good.json`,
      JSON.stringify({
        server: { port: 2776, logFormat: "json" },
        accounts: [{ systemId: "acme", password: "secret" }],
      }),
    );
    await Deno.writeTextFile(
      `${dir}/bad.json`,
      JSON.stringify({
        server: { port: 99999, colour: "red" },
        accounts: [{ systemId: "acme" }],
        session: { window: 0 },
      }),
    );
    await Deno.writeTextFile(`${dir}/broken.json`, "{ not json");
    const [good, bad, broken, none] = await Promise.all(
      ["good", "bad", "broken", "none"].map((f) =>
        runMain(["serve", "--check-config", `${dir}/${f}.json`])
      ),
    );
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /good\.json: valid/);
    assert.equal(bad.code, 2);
    const problems = lines(bad.stderr);
    assert.equal(problems.length, 4, bad.stderr);
    for (const p of problems) assert.match(p, /^smppgw: .*bad\.json: /);
    for (const key of ["server.port", "server.colour", "accounts[0].password", "session.window"]) {
      assert.ok(bad.stderr.includes(key), key);
    }
    assertUsageError(broken, /broken\.json: not valid JSON/);
    assertUsageError(none, /--check-config .*none\.json/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A port that is taken while `body` runs. */
async function withTakenPort<T>(body: (port: number) => Promise<T>): Promise<T> {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    return await body((taken.addr as Deno.NetAddr).port);
  } finally {
    taken.close();
  }
}

Deno.test("a flag beats its environment variable", async () => {
  await withTakenPort(async (taken) => {
    const gw = await GatewayProcess.start(
      ["--port", "0", "--log-format", "text", "--kv", ":memory:"],
      30_000,
      { SMPPGW_PORT: String(taken), SMPPGW_LOG_FORMAT: "json", SMPPGW_KV: "./data/never.kv" },
    );
    const status = await gw.stop("SIGTERM");
    assert.equal(status.code, 0, gw.output);
    assert.notEqual(gw.port, taken);
    assert.match(gw.output, /\(KV :memory:\)/);
    assert.match(gw.output, /^\S+Z INFO {2}smppgw\.gateway: smppgw .* started/m);
    assert.doesNotMatch(gw.output, /^\{/m);
  });
});

Deno.test("an environment variable beats the config file, which beats the default", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await withTakenPort(async (taken) => {
      const config = `${dir}/c.json`;
      await Deno.writeTextFile(
        config,
        JSON.stringify({ server: { port: taken, logFormat: "json", kv: ":memory:" } }),
      );
      const gw = await GatewayProcess.start([], 30_000, {
        SMPPGW_CONFIG: config,
        SMPPGW_PORT: "0",
      });
      const status = await gw.stop("SIGTERM");
      assert.equal(status.code, 0, gw.output);
      assert.notEqual(gw.port, taken);
      assert.match(gw.output, /\(KV :memory:\)/);
      const json = lines(gw.output).filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
      assert.ok(json.some((j) => /started/.test(j.message)), gw.output);
    });
    // A bad value in the config names its key and the file.
    await Deno.writeTextFile(`${dir}/bad.json`, JSON.stringify({ server: { logLevel: "loud" } }));
    const r = await runMain(["serve", "--config", `${dir}/bad.json`, "--kv", ":memory:"]);
    assertUsageError(r, /server\.logLevel must be one of trace, .* got "loud"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
