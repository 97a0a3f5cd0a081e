import assert from "node:assert/strict";
import { LeaseError, StoreLease } from "../lib/lease.ts";
import { Keys } from "../lib/store.ts";
import { testGateway } from "./client.ts";

Deno.test("a second gateway on the same KV file refuses to start while the first runs", async () => {
  const path = await Deno.makeTempFile({ suffix: ".kv" });
  try {
    const first = await testGateway({ kv: path, leaseMs: 300 });
    try {
      await assert.rejects(testGateway({ kv: path, leaseMs: 300 }), LeaseError);
    } finally {
      await first.close();
    }
    const again = await testGateway({ kv: path, leaseMs: 300 });
    await again.close();
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("StoreLease.acquire() takes over a lease that is no longer refreshed", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await kv.set(Keys.lease(), { owner: "crashed", expiresAt: Date.now() + 100 });
    const lease = await StoreLease.acquire(kv, 200);
    assert.notEqual((await kv.get<{ owner: string }>(Keys.lease())).value?.owner, "crashed");
    await lease.release();
    assert.equal((await kv.get(Keys.lease())).value, null);
  } finally {
    kv.close();
  }
});
