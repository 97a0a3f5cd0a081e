/** GET /healthz over real HTTP: ok while the gateway listens and owns a writable store, else 503. */
import assert from "node:assert/strict";
import { probeStore } from "../../lib/store/health.ts";
import { Keys } from "../../lib/store/store.ts";
import { testGateway, within } from "../support/client.ts";

async function healthz(port: number): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  return { status: res.status, body: await res.json() };
}

Deno.test("GET /healthz answers 200 ok, without a token, after a write through the committer", async () => {
  await using gw = await testGateway({ http: { port: 0, adminToken: "admin-token" } });
  const before = Date.now();
  assert.deepEqual(await healthz(gw.httpAddr!.port), { status: 200, body: { status: "ok" } });
  const written = await gw.kv.get<number>(Keys.health());
  assert.ok(written.value !== null && written.value >= before, "the probe key was written");
});

Deno.test("GET /healthz answers 503 once another process took the store over", async () => {
  const dir = await Deno.makeTempDir({ prefix: "smppgw-health-" });
  const path = `${dir}/gw.kv`;
  const other = await Deno.openKv(path);
  try {
    await using gw = await testGateway({ kv: path, leaseMs: 60_000, http: { port: 0 } });
    const port = gw.httpAddr!.port;
    assert.equal((await healthz(port)).status, 200);
    // What a second process does once the lease has expired: it becomes the owner.
    await other.set(Keys.owner(), { owner: "other", node: 0, since: Date.now() });
    const fenced = await healthz(port);
    assert.equal(fenced.status, 503);
    assert.match(
      (fenced.body as { error: string }).error,
      /ownership check|no longer owns/,
    );
    await within(gw.lost, 5000, "the gateway noticed the takeover");
    assert.deepEqual(await healthz(port), {
      status: 503,
      body: { status: "unhealthy", error: "this process no longer owns the KV store" },
    });
  } finally {
    other.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("GET /healthz answers 503 when the KV handle is closed", async () => {
  const kv = await Deno.openKv(":memory:");
  await using gw = await testGateway({ kv, http: { port: 0 } });
  assert.equal((await healthz(gw.httpAddr!.port)).status, 200);
  kv.close();
  const r = await healthz(gw.httpAddr!.port);
  assert.equal(r.status, 503);
  assert.equal((r.body as { status: string }).status, "unhealthy");
  assert.match((r.body as { error: string }).error, /^KV write failed: /);
});

Deno.test("GET /healthz answers 503 while the gateway shuts down", async () => {
  await using gw = await testGateway({ http: { port: 0 } });
  await gw.gateway.close();
  assert.deepEqual(await healthz(gw.httpAddr!.port), {
    status: 503,
    body: { status: "unhealthy", error: "shutting down" },
  });
});

Deno.test("probeStore() answers unhealthy when the write takes longer than the limit", async () => {
  const stalled = Promise.withResolvers<void>();
  const health = await probeStore({ write: () => stalled.promise }, 20);
  assert.deepEqual(health, {
    status: "unhealthy",
    error: "KV write failed: the KV write did not complete within 20 ms",
  });
  stalled.resolve();
});
