/**
 * The standalone executable (`deno task build`: `bun build --compile`), built once into a temp
 * folder, runs the gateway and the other commands with nothing else: bind, submit, receipt.
 */
import assert from "node:assert/strict";
import { build } from "../../scripts/build.ts";
import { ACCOUNT } from "../support/client.ts";
import { runMain } from "../support/cli.ts";
import { bindSubmitReceipt, writeConfig } from "../support/flows.ts";
import { GatewayProcess } from "../support/process.ts";

Deno.test("standalone binary: serve, bind, submit, receipt, send, account and version", async () => {
  const dir = await Deno.makeTempDir({ prefix: "smppgw-binary-" });
  try {
    const binary = `${dir}/smppgw`;
    const size = await build(binary);
    assert.ok(size > 1_000_000, `${size} bytes`);
    const runtime = { binary };
    const config = await writeConfig(dir);
    const kv = `${dir}/gw.kv`;
    // The build's staging folder (with its node_modules) is gone: the binary carries everything.
    const gw = await GatewayProcess.start(
      ["--port", "0", "--kv", kv, "--config", config],
      30_000,
      undefined,
      runtime,
    );
    try {
      await bindSubmitReceipt(gw.port);
      const send = await runMain([
        ...["send", "--port", String(gw.port), "--system-id", ACCOUNT.systemId],
        ...["--password", ACCOUNT.password, "--to", "447700900123", "--text", "hi", "--dlr"],
      ], { runtime, timeoutMs: 30_000 });
      assert.equal(send.code, 0, send.stderr);
      assert.match(send.stdout, /DELIVRD/);
    } finally {
      assert.equal((await gw.stop("SIGTERM")).code, 0, gw.output);
    }
    const list = await runMain(["account", "list", "--kv", kv], { runtime });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(ACCOUNT.systemId));
    const version = await runMain(["version"], { runtime });
    assert.match(version.stdout, /^smppgw \S+\nbun /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
