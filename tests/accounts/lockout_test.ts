import assert from "node:assert/strict";
import net from "node:net";
import { concatBytes } from "../../lib/smpp/bytes.ts";
import { KeyGate, type Release, Slots } from "../../lib/accounts/gate.ts";
import { LOCKOUT_DEFAULTS } from "../../lib/core/defaults.ts";
import { FailureLockout } from "../../lib/accounts/limits.ts";
import { hashPassword } from "../../lib/accounts/password.ts";
import { decode, encode } from "../../lib/smpp/codec.ts";
import { Status } from "../../lib/smpp/status.ts";
import { ACCOUNT, TestClient, testGateway, within } from "../support/client.ts";
import { waitUntil } from "../support/wait.ts";

Deno.test("FailureLockout counts attempts in flight against the budget", () => {
  const l = new FailureLockout({ maxFailures: 3, windowMs: 1000, lockoutMs: 5000 }, () => 0);
  l.begin("a");
  l.begin("a");
  assert.equal(l.exhausted("a"), false);
  l.begin("a");
  assert.equal(l.exhausted("a"), true, "three in flight use the whole budget");
  assert.equal(l.finish("a", "void"), false);
  assert.equal(l.exhausted("a"), false, "an attempt never checked gives its place back");
  assert.equal(l.finish("a", "failed"), false);
  assert.equal(l.exhausted("a"), false, "one failure and one in flight, of three");
  l.begin("a");
  assert.equal(l.exhausted("a"), true, "one failure and two in flight");
  assert.equal(l.finish("a", "failed"), false);
  assert.equal(l.finish("a", "failed"), true, "the third failure starts the lockout");
  assert.equal(l.locked("a"), true);
  assert.equal(l.exhausted("b"), false);
});

Deno.test("FailureLockout forgets a key's failures when an attempt succeeds", () => {
  const l = new FailureLockout({ maxFailures: 2, windowMs: 1000, lockoutMs: 5000 }, () => 0);
  l.begin("a");
  l.finish("a", "failed");
  l.begin("a");
  l.finish("a", "ok");
  assert.equal(l.recentFailures("a"), 0);
  assert.equal(l.inFlight("a"), 0);
});

Deno.test("KeyGate admits one holder per key, first come first served, and refuses past the line", async () => {
  const gate = new KeyGate(2, 10);
  const a = (await gate.enter(["id:x", "ip:1"]))!;
  assert.ok(a);
  const order: string[] = [];
  const b = gate.enter(["id:x", "ip:2"]).then((r) => (order.push("b"), r!));
  const c = gate.enter(["id:y", "ip:1"]).then((r) => (order.push("c"), r!));
  const d = gate.enter(["id:x", "ip:3"]).then((r) => (order.push("d"), r!));
  assert.equal(await gate.enter(["id:x", "ip:4"]), null, "a third waiter for id:x is refused");
  const free = (await gate.enter(["id:z", "ip:9"]))!;
  assert.ok(free, "other keys pass at once");
  free();
  assert.equal(gate.waiting, 3);
  a();
  const [rb, rc] = await Promise.all([b, c]);
  assert.deepEqual(order, ["b", "c"], "b and c need different keys of a; d waits behind b");
  rb();
  rc();
  rc();
  (await d)();
  assert.deepEqual(order, ["b", "c", "d"]);
  assert.equal(gate.waiting, 0);
  const again = await gate.enter(["id:x", "ip:1"]);
  assert.ok(again, "everything was given back");
  again();
});

Deno.test("Slots runs at most max at once and refuses past the waiting line", async () => {
  const slots = new Slots(2, 1);
  const a = (await slots.acquire())!;
  const b = (await slots.acquire())!;
  const waiting = slots.acquire();
  assert.equal(await slots.acquire(), null);
  assert.equal(slots.active, 2);
  a();
  a();
  const c = (await waiting) as Release;
  assert.equal(slots.active, 2, "the slot went straight to the waiter");
  b();
  c();
  assert.equal(slots.active, 0);
});

/** A raw TCP client from a chosen 127.x source address (node:net can pick it; Deno.connect not). */
class RawClient {
  #got: Uint8Array = new Uint8Array(0);
  readonly #status = Promise.withResolvers<number>();

  private constructor(readonly socket: net.Socket, readonly ip: string) {
    socket.on("data", (d: Uint8Array) => {
      this.#got = concatBytes([this.#got, d]);
      const got = this.#got;
      const len = got.length >= 4 ? new DataView(got.buffer, got.byteOffset).getUint32(0) : 0;
      if (len > 0 && got.length >= len) this.#status.resolve(decode(got.subarray(0, len)).status);
    });
    socket.on("error", (e: Error) => this.#status.reject(e));
    socket.on("close", () => this.#status.reject(new Error(`${ip}: closed without a bind_resp`)));
    // Settled by whoever awaits bind(); a client never asked to bind must not fail the test.
    this.#status.promise.catch(() => {});
  }

  /** Connects from `ip` to 127.0.0.1:port. */
  static connect(port: number, ip: string): Promise<RawClient> {
    const socket = net.connect({ host: "127.0.0.1", port, localAddress: ip });
    const { promise, resolve, reject } = Promise.withResolvers<RawClient>();
    socket.once("connect", () => resolve(new RawClient(socket, ip)));
    socket.once("error", reject);
    return within(promise, 10_000, `connecting from ${ip}`);
  }

  /** Sends bind_transceiver; resolves the bind_resp status. */
  bind(systemId: string, password: string): Promise<number> {
    this.socket.write(encode({
      command: "bind_transceiver",
      seq: 1,
      body: { system_id: systemId, password, interface_version: 0x34 },
    }));
    return within(this.#status.promise, 30_000, `bind from ${this.ip}`);
  }

  close() {
    this.socket.destroy();
  }
}

/** Binds a test client, waiting up to 30 s (binds may wait in line); resolves the status. */
async function bindStatus(c: TestClient, systemId: string, password: string): Promise<number> {
  const body = { system_id: systemId, password, interface_version: 0x34 };
  return (await c.request({ command: "bind_transceiver", body }, 30_000)).status;
}

/** Generous connection caps: these tests are about binds, not connection limits. */
const OPEN_CAPS = {
  maxConnections: 5000,
  maxConnectionsPerIp: 1000,
  maxUnboundConnections: 5000,
  maxUnboundConnectionsPerIp: 1000,
};

Deno.test("60 concurrent wrong binds for one system_id from one IP: at most 10 password checks, then the right password gets 0x0D", async () => {
  await using gw = await testGateway({ bindLockout: LOCKOUT_DEFAULTS, ...OPEN_CAPS });
  const clients: TestClient[] = [];
  try {
    for (let i = 0; i < 60; i++) clients.push(await TestClient.connect(gw.addr.port));
    const statuses = await within(
      Promise.all(clients.map(async (c) => await bindStatus(c, ACCOUNT.systemId, "wrong"))),
      30_000,
      "60 bind responses",
    );
    const checked = statuses.filter((s) => s === Status.ESME_RINVPASWD).length;
    const refused = statuses.filter((s) => s === Status.ESME_RBINDFAIL).length;
    assert.equal(checked + refused, 60, `only 0x0E and 0x0D: ${statuses}`);
    assert.ok(checked <= 10, `${checked} wrong passwords were checked`);
    assert.ok(
      gw.gateway.counters.passwordChecks <= 10,
      `${gw.gateway.counters.passwordChecks} checks`,
    );
    const before = gw.gateway.counters.passwordChecks;
    const right = await TestClient.connect(gw.addr.port);
    clients.push(right);
    assert.equal(
      (await right.bind(ACCOUNT.systemId, ACCOUNT.password)).status,
      Status.ESME_RBINDFAIL,
    );
    assert.equal(gw.gateway.counters.passwordChecks, before, "refused without a password check");
  } finally {
    for (const c of clients) c.close();
  }
});

Deno.test("500 concurrent wrong binds from 5 IPs: at most 10 password checks per IP, and another account binds within 2 s meanwhile", async () => {
  await using gw = await testGateway({ bindLockout: LOCKOUT_DEFAULTS, ...OPEN_CAPS });
  const store = gw.gateway.store;
  const clients: TestClient[] = [];
  try {
    // Accounts with PBKDF2 hashes in KV (like the first-run default account): costly to check.
    const hashed = async (systemId: string, password: string) =>
      await store.putAccount({
        systemId,
        password: await hashPassword(password),
        maxSessions: 5,
        sourceAddrs: [],
      });
    await Promise.all([
      hashed("other", "otherpw"),
      ...Array.from({ length: 10 }, (_, i) => hashed(`victim${i}`, "right")),
    ]);
    const ips = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6"];
    // Connect first (50 at a time, not to overflow the listen backlog), then bind all at once.
    const raw: RawClient[] = [];
    try {
      for (let n = 0; n < 500; n += 50) {
        raw.push(
          ...await Promise.all(
            Array.from({ length: 50 }, (_, i) => RawClient.connect(gw.addr.port, ips[(n + i) % 5])),
          ),
        );
      }
      const storm = Promise.allSettled(raw.map((r, i) => r.bind(`victim${i % 10}`, `guess${i}`)));
      // Bind the other account once the storm's checks have begun.
      await waitUntil(
        () => gw.gateway.counters.passwordChecks > 0,
        10_000,
        "the storm reached the gateway",
      );
      const c = await TestClient.connect(gw.addr.port);
      clients.push(c);
      const t0 = performance.now();
      const status = await bindStatus(c, "other", "otherpw");
      const ms = performance.now() - t0;
      assert.equal(status, Status.ESME_ROK);
      assert.ok(ms < 2000, `the other account's bind took ${Math.round(ms)} ms`);
      const results = await storm;
      for (const ip of ips) {
        const statuses = results.flatMap((r, i) => {
          if (raw[i].ip !== ip) return [];
          if (r.status === "rejected") throw r.reason;
          return [r.value];
        });
        const checked = statuses.filter((s) => s === Status.ESME_RINVPASWD).length;
        const refused = statuses.filter((s) => s === Status.ESME_RBINDFAIL).length;
        assert.equal(checked + refused, 100, `${ip}: only 0x0E and 0x0D: ${statuses}`);
        assert.ok(checked <= 10, `${ip}: ${checked} wrong passwords were checked`);
      }
      const checks = gw.gateway.counters.passwordChecks;
      assert.ok(checks <= 51, `${checks} password checks`);
    } finally {
      for (const r of raw) r.close();
    }
  } finally {
    for (const c of clients) c.close();
  }
});
