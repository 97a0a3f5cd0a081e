import assert from "node:assert/strict";
import { TestClient, within } from "../support/client.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

async function run(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

Deno.test("main.ts serve --help lists every flag", async () => {
  const r = await run("serve", "--help");
  assert.equal(r.code, 0);
  for (
    const flag of [
      "--host",
      "--port",
      "--http-port",
      "--kv",
      "--config",
      "--tls-port",
      "--tls-cert",
      "--tls-key",
    ]
  ) {
    assert.ok(r.stdout.includes(flag), flag);
  }
});

Deno.test("main.ts names the problem on a bad flag, a bad port and a bad config", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bad = await run("serve", "--nope");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /nope/);
    const port = await run("serve", "--port", "99999");
    assert.match(port.stderr, /--port must be a port number/);
    await Deno.writeTextFile(`${dir}/c.json`, JSON.stringify({ accounts: [{ systemId: "x" }] }));
    const cfg = await run("serve", "--config", `${dir}/c.json`, "--kv", `${dir}/k.kv`);
    assert.equal(cfg.code, 2);
    assert.match(cfg.stderr, /accounts\[0\]\.password/);
    const missing = await run("serve", "--config", `${dir}/none.json`);
    assert.match(missing.stderr, /--config .*none\.json/);
    const cmd = await run("frobnicate");
    assert.match(cmd.stderr, /unknown command "frobnicate"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main.ts serve creates a default account on an empty KV, serves it and stops on SIGTERM", async () => {
  const dir = await Deno.makeTempDir();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      MAIN,
      "serve",
      "--port",
      "0",
      "--http-port",
      "0",
      "--kv",
      `${dir}/data/gw.kv`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let text = "";
    for (let i = 0; i < 100 && !/password "([^"]+)"/.test(text); i++) {
      const { value, done } = await within(reader.read(), 20_000, "startup output");
      if (done) break;
      text += value;
    }
    const port = Number(text.match(/on 127\.0\.0\.1:(\d+)/)![1]);
    const [, systemId, password] = text.match(/system_id "([^"]+)" password "([^"]+)"/)!;
    const c = await TestClient.connect(port);
    assert.equal((await c.bind(systemId, password)).status, 0);
    assert.equal((await c.submit("hi")).status, 0);
    child.kill("SIGTERM");
    await within(c.closed, 5000, "unbind on shutdown");
    c.close();
    for (let i = 0; i < 100 && !text.includes("smppgw stopped"); i++) {
      const { value, done } = await within(reader.read(), 5000, "shutdown output");
      if (done) break;
      text += value;
    }
    assert.match(text, /smppgw stopped/);
    assert.equal((await within(child.status, 5000)).code, 0);
  } finally {
    reader.releaseLock();
    await child.stdout.cancel().catch(() => {});
    await child.stderr.cancel();
    try {
      child.kill();
    } catch { /* exited */ }
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
});
