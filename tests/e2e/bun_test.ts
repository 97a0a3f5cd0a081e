/**
 * The same main.ts on Bun (`bun main.ts serve`, Bun found through `npx -y bun@1`): sockets through
 * Bun.listen/Bun.connect, HTTP through Bun.serve, Deno KV through npm:@deno/kv.
 */
import assert from "node:assert/strict";
import { ACCOUNT, TestClient } from "../support/client.ts";
import { makeCert } from "../support/certs.ts";
import { runMain } from "../support/cli.ts";
import {
  bindSubmitReceipt,
  npmSmppFlow,
  receiptedId,
  tlsBindSubmitReceipt,
  writeConfig,
} from "../support/flows.ts";
import { GatewayProcess } from "../support/process.ts";
import { bunPath } from "../support/bun.ts";

const PROBE = new URL("../support/bun_connect_probe.ts", import.meta.url).pathname;

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "smppgw-bun-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** `bun main.ts serve` on a KV file in `dir` with the test account. */
async function bunGateway(dir: string, extra: string[] = [], delayMs = 20) {
  const config = await writeConfig(dir, delayMs);
  return await GatewayProcess.start(
    ["--port", "0", "--kv", `${dir}/gw.kv`, "--config", config, ...extra],
    60_000,
    undefined,
    "bun",
  );
}

Deno.test("Bun: main.ts serve binds, takes submit_sm, sends the receipt and serves HTTP", async () => {
  await withDir(async (dir) => {
    const gw = await bunGateway(dir);
    try {
      await bindSubmitReceipt(gw.port);
      const health = await fetch(`http://127.0.0.1:${gw.httpPort}/healthz`);
      assert.equal(health.status, 200, await health.text());
      const metrics = await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();
      assert.match(metrics, /smppgw_/);
    } finally {
      const status = await gw.stop("SIGTERM");
      assert.equal(status.code, 0, gw.output);
      assert.match(gw.output, /smppgw stopped/);
    }
  });
});

Deno.test("Bun: a receipt owed at shutdown goes out after a restart on the same KV", async () => {
  await withDir(async (dir) => {
    let id: string;
    const first = await bunGateway(dir, [], 300);
    try {
      const tx = await TestClient.connect(first.port);
      try {
        assert.equal((await tx.bind(ACCOUNT.systemId, ACCOUNT.password, "transmitter")).status, 0);
        const r = await tx.submit("owed");
        assert.equal(r.status, 0);
        id = r.body.message_id as string;
      } finally {
        tx.close();
      }
    } finally {
      assert.equal((await first.stop("SIGTERM")).code, 0, first.output);
    }
    const second = await bunGateway(dir, [], 300);
    try {
      const rx = await TestClient.connect(second.port);
      try {
        assert.equal((await rx.bind(ACCOUNT.systemId, ACCOUNT.password, "receiver")).status, 0);
        assert.equal(receiptedId(await rx.next(10_000)), id);
      } finally {
        rx.close();
      }
    } finally {
      assert.equal((await second.stop("SIGTERM")).code, 0, second.output);
    }
  });
});

Deno.test("Bun: bind, submit and receipt over TLS", async () => {
  await withDir(async (dir) => {
    const pem = await makeCert(dir);
    if (!pem) {
      console.warn("SKIPPED: openssl is not available to make a test certificate");
      return;
    }
    const gw = await bunGateway(dir, [
      ...["--tls-port", "0", "--tls-cert", `${dir}/cert.pem`, "--tls-key", `${dir}/key.pem`],
    ]);
    try {
      assert.ok(gw.tlsPort > 0, gw.banner);
      await tlsBindSubmitReceipt(gw.tlsPort, pem.ca);
      // Bun as a TLS client (lib/bun.ts connect, as SMPP routes and `send --tls` use it).
      const probe = (...args: string[]) =>
        new Deno.Command(bun, { args: [PROBE, String(gw.tlsPort), ...args], stdout: "piped" })
          .output().then((o) => new TextDecoder().decode(o.stdout).trim());
      const bun = await bunPath();
      assert.equal(await probe(`${dir}/ca.pem`), "enquire_link_resp 0");
      assert.match(await probe(), /^error: TLS: /, "an unknown CA is refused");
    } finally {
      await gw.stop("SIGTERM");
    }
  });
});

Deno.test("Bun: the npm smpp client binds, submits and gets its receipt", async () => {
  await withDir(async (dir) => {
    const gw = await bunGateway(dir);
    try {
      await npmSmppFlow(gw.port);
    } finally {
      await gw.stop("SIGTERM");
    }
  });
});

Deno.test("Bun: main.ts send (Bun.connect) and version", async () => {
  await withDir(async (dir) => {
    const gw = await bunGateway(dir);
    try {
      const r = await runMain([
        ...["send", "--port", String(gw.port), "--system-id", ACCOUNT.systemId],
        ...["--password", ACCOUNT.password, "--to", "447700900123", "--text", "hi", "--dlr"],
        ...["--timeout", "10"],
      ], { runtime: "bun", timeoutMs: 60_000 });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /message id \d+/);
      assert.match(r.stdout, /DELIVRD/);
    } finally {
      await gw.stop("SIGTERM");
    }
    const v = await runMain(["version"], { runtime: "bun", timeoutMs: 60_000 });
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /^smppgw \d+\.\d+\.\d+\nbun \d+\.\d+\.\d+ \(javascriptcore/);
  });
});

Deno.test("Bun: bad input exits 2 naming the problem, as on Deno", async () => {
  const bad = await runMain(["serve", "--nope"], { runtime: "bun", timeoutMs: 60_000 });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^smppgw: serve: unknown option --nope/);
  const missing = await runMain(["serve", "--config", "/nonexistent/gw.json"], {
    runtime: "bun",
    timeoutMs: 60_000,
  });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--config \/nonexistent\/gw\.json/);
});
