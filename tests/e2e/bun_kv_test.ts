/**
 * One KV file, two runtimes: what the gateway wrote under Deno (Deno.openKv) is read under Bun
 * (npm:@deno/kv with lib/store/v8_codec.ts), and the other way round: the generated account and
 * its password hash, the admin token's digest, a receipt still owed, the message id floor, an
 * account added offline.
 */
import assert from "node:assert/strict";
import { TestClient } from "../support/client.ts";
import { runMain } from "../support/cli.ts";
import { bindSubmitReceipt, receiptedId } from "../support/flows.ts";
import { GatewayProcess, type GatewayRuntime } from "../support/process.ts";

const START_MS = 60_000;
const ADDED = { systemId: "added", password: "pw123" };

async function crossKv(writer: GatewayRuntime, reader: GatewayRuntime) {
  const dir = await Deno.makeTempDir({ prefix: "smppgw-kv-" });
  const kv = `${dir}/gw.kv`;
  try {
    // The writer starts on an empty file: it generates an account and an admin token.
    const first = await GatewayProcess.start(["--port", "0", "--kv", kv], START_MS, {}, writer);
    let id: string;
    const [, systemId, password] = await first.waitOutput(/system_id "([^"]+)" password "([^"]+)"/);
    const token = (await first.waitOutput(/Bearer …\): (\S+)/))[1];
    try {
      const tx = await TestClient.connect(first.port);
      try {
        assert.equal((await tx.bind(systemId, password, "transmitter")).status, 0);
        const r = await tx.submit("owed across runtimes");
        assert.equal(r.status, 0);
        id = r.body.message_id as string;
      } finally {
        tx.close();
      }
    } finally {
      assert.equal((await first.stop("SIGTERM")).code, 0, first.output);
    }
    // An account added offline by the writer's runtime.
    const add = await runMain(
      ["account", "add", ADDED.systemId, "--password", ADDED.password, "--kv", kv],
      { runtime: writer, timeoutMs: START_MS },
    );
    assert.equal(add.code, 0, add.stderr);

    // The reader finds everything.
    const second = await GatewayProcess.start(["--port", "0", "--kv", kv], START_MS, {}, reader);
    try {
      // The start line is logged after the banner and anything shown once.
      await second.waitOutput(/smppgw \S+ started/);
      assert.doesNotMatch(second.output, /No accounts were configured/);
      assert.doesNotMatch(second.output, /Admin API token/);
      const rx = await TestClient.connect(second.port);
      try {
        assert.equal((await rx.bind(systemId, password, "receiver")).status, 0);
        assert.equal(receiptedId(await rx.next(10_000)), id);
      } finally {
        rx.close();
      }
      const res = await fetch(`http://127.0.0.1:${second.httpPort}/v1/accounts`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(res.status, 200);
      const ids = (await res.json() as { systemId: string }[]).map((a) => a.systemId).sort();
      assert.deepEqual(ids, [ADDED.systemId, systemId].sort());
      const next = await bindSubmitReceipt(second.port, ADDED);
      assert.ok(BigInt(next) > BigInt(id), `${next} after ${id}`);
    } finally {
      assert.equal((await second.stop("SIGTERM")).code, 0, second.output);
    }
    // And the writer's runtime reads what the reader wrote.
    const trace = await runMain(["trace", id, "--kv", kv], {
      runtime: writer,
      timeoutMs: START_MS,
    });
    assert.equal(trace.code, 0, trace.stderr);
    assert.match(trace.stdout, new RegExp(id));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("KV file shared: written under Deno, read under Bun", async () => {
  await crossKv("deno", "bun");
});

Deno.test("KV file shared: written under Bun, read under Deno", async () => {
  await crossKv("bun", "deno");
});
