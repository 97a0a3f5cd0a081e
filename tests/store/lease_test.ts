import { storedMessages } from "../support/records.ts";
import assert from "node:assert/strict";
import { LeaseError, StoreLease } from "../../lib/store/lease.ts";
import { Keys } from "../../lib/store/store.ts";
import { Status } from "../../lib/smpp/status.ts";
import { ACCOUNT, TestClient, testGateway, within } from "../support/client.ts";
import { waitUntil } from "../support/wait.ts";

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
    const lease = await StoreLease.acquire(kv, { ttlMs: 200 });
    assert.notEqual((await kv.get<{ owner: string }>(Keys.lease())).value?.owner, "crashed");
    await lease.release();
    assert.equal((await kv.get(Keys.lease())).value, null);
  } finally {
    kv.close();
  }
});

Deno.test("a process whose store was taken over commits nothing, unbinds its sessions and reports it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "smppgw-lease-" });
  const path = `${dir}/gw.kv`;
  const gw = await testGateway({ kv: path, leaseMs: 60_000 });
  const c = await TestClient.connect(gw.addr.port);
  const other = await Deno.openKv(path);
  try {
    assert.equal((await c.bind(ACCOUNT.systemId, ACCOUNT.password, "transmitter")).status, 0);
    assert.equal((await c.submit("before")).status, 0);
    // What a second process does once the lease has expired: it becomes the owner.
    await other.set(Keys.owner(), { owner: "other", node: 0, since: Date.now() });
    assert.equal((await c.submit("after")).status, Status.ESME_RSYSERR);
    const e = await within(gw.lost, 5000, "lost");
    assert.match(e.message, /no longer owns it/);
    await within(c.closed, 5000, "session closed");
    const floor = (await other.get<Deno.KvU64>(Keys.idFloor(0))).value?.value ?? 0n;
    const msgs = await storedMessages(other);
    assert.equal(msgs.size, 1, "only the message acknowledged before the takeover is stored");
    assert.ok(floor > 0n);
  } finally {
    c.close();
    other.close();
    await gw.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a start that fails on a port in use releases the store at once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "smppgw-lease-" });
  const path = `${dir}/gw.kv`;
  const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    await assert.rejects(
      testGateway({ kv: path, leaseMs: 30_000, port: (busy.addr as Deno.NetAddr).port }),
      Deno.errors.AddrInUse,
    );
    const kv = await Deno.openKv(path);
    try {
      assert.equal((await kv.get(Keys.lease())).value, null, "no lease left behind");
    } finally {
      kv.close();
    }
    // With a 30 s lease, a lease left behind would make this start wait 30 s.
    const gw = await within(testGateway({ kv: path, leaseMs: 30_000 }), 5000, "restart");
    await gw.close();
  } finally {
    busy.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("StoreLease.acquire() says so while another process holds the store's lock", async () => {
  const kv = await Deno.openKv(":memory:");
  const lines: string[] = [];
  const { configure, reset } = await import("@logtape/logtape");
  await configure({
    sinks: { mem: (r) => lines.push(r.message.join("")) },
    loggers: [
      { category: ["smppgw"], lowestLevel: "info", sinks: ["mem"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["mem"] },
    ],
    reset: true,
  });
  try {
    // A read that hangs, as one does on a SQLite file locked by a stopped process.
    const gate = Promise.withResolvers<void>();
    const slow = new Proxy(kv, {
      get(t, p) {
        if (p === "getMany") {
          return async (...a: Parameters<Deno.Kv["getMany"]>) => {
            await gate.promise;
            return t.getMany(...a);
          };
        }
        const v = Reflect.get(t, p);
        return typeof v === "function" ? v.bind(t) : v;
      },
    });
    const acquiring = StoreLease.acquire(slow, { ttlMs: 200, noticeMs: 50 });
    await waitUntil(
      () => lines.some((l) => l.includes("still waiting")),
      10_000,
      "a 'still waiting' line",
    );
    assert.ok(lines.some((l) => l.includes("another process holds its lock")), lines.join("\n"));
    gate.resolve();
    const lease = await within(acquiring, 5000, "acquire");
    await lease.release();
  } finally {
    await reset();
    kv.close();
  }
});
