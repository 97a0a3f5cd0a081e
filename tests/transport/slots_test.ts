import { denoConn } from "../../lib/deno.ts";
import assert from "node:assert/strict";
import net from "node:net";
import { configure, type LogRecord, reset } from "@logtape/logtape";
import { fdLimit } from "../../lib/deno.ts";
import {
  CONNECTION_DEFAULTS,
  type ConnectionCaps,
  connectionCaps,
  ConnectionLimiter,
  FD_RESERVE,
  type SlotEvent,
  slotEventText,
} from "../../lib/transport/connections.ts";
import { LogSummary, type Summary } from "../../lib/transport/log_summary.ts";
import type { Conn as Transport, Listener } from "../../lib/transport/conn.ts";
import { Gateway } from "../../lib/gateway.ts";
import { Status } from "../../lib/smpp/status.ts";
import { ACCOUNT, TestClient, testGateway, within } from "../support/client.ts";
import { waitUntil } from "../support/wait.ts";

/** A connection as the limiter sees it. */
class Conn {
  constructor(readonly name: string) {}
}

function limiter(caps: Partial<ConnectionCaps>) {
  return new ConnectionLimiter<Conn>({ ...CONNECTION_DEFAULTS, ...caps });
}

Deno.test("the limiter refuses a connection over the per-IP cap on unbound connections", () => {
  const l = limiter({ maxUnboundPerIp: 2 });
  assert.deepEqual(l.open("1.1.1.1", new Conn("a")), { ok: true });
  assert.deepEqual(l.open("1.1.1.1", new Conn("b")), { ok: true });
  assert.deepEqual(l.open("1.1.1.1", new Conn("c")), { ok: false, reason: "unboundPerIp" });
  assert.deepEqual(l.open("2.2.2.2", new Conn("d")), { ok: true });
  assert.equal(l.unboundSize, 3);
});

Deno.test("when the unbound cap is full the limiter evicts the oldest connection not binding", () => {
  const l = limiter({ maxUnbound: 3 });
  const [a, b, c, d, e] = ["a", "b", "c", "d", "e"].map((n) => new Conn(n));
  for (const [i, x] of [a, b, c].entries()) assert.equal(l.open(`10.0.0.${i}`, x).ok, true);
  l.binding(a);
  // a is the oldest but in the middle of a bind: b goes.
  assert.deepEqual(l.open("10.0.0.9", d), { ok: true, evicted: b });
  assert.deepEqual(l.open("10.0.0.9", e), { ok: true, evicted: c });
  assert.equal(l.unboundSize, 3);
  assert.equal(l.size, 3);
});

Deno.test("the limiter refuses when every unbound connection is binding", () => {
  const l = limiter({ maxUnbound: 2 });
  const [a, b] = [new Conn("a"), new Conn("b")];
  l.open("10.0.0.1", a);
  l.open("10.0.0.2", b);
  l.binding(a);
  l.binding(b);
  assert.deepEqual(l.open("10.0.0.3", new Conn("c")), { ok: false, reason: "unbound" });
});

Deno.test("bound connections do not count against the unbound caps", () => {
  const l = limiter({ maxUnbound: 2, maxUnboundPerIp: 1, maxPerIp: 3 });
  const a = new Conn("a");
  l.open("1.1.1.1", a);
  assert.equal(l.open("1.1.1.1", new Conn("x")).ok, false);
  l.binding(a);
  l.bound(a);
  assert.equal(l.unboundSize, 0);
  const b = new Conn("b");
  assert.deepEqual(l.open("1.1.1.1", b), { ok: true });
  l.bound(b);
  assert.deepEqual(l.open("1.1.1.1", new Conn("c")), { ok: true });
  // The per-IP cap counts bound ones too.
  assert.deepEqual(l.open("1.1.1.1", new Conn("d")), { ok: false, reason: "perIp" });
  assert.equal(l.size, 3);
  assert.equal(l.unboundSize, 1);
});

Deno.test("closing releases a connection's places, and closing twice changes nothing", () => {
  const l = limiter({ maxTotal: 2, maxPerIp: 2, maxUnboundPerIp: 1 });
  const [a, b] = [new Conn("a"), new Conn("b")];
  l.open("1.1.1.1", a);
  l.bound(a);
  l.open("1.1.1.1", b);
  l.close(b);
  l.close(b);
  assert.equal(l.size, 1);
  assert.equal(l.unboundSize, 0);
  assert.deepEqual(l.open("1.1.1.1", new Conn("c")), { ok: true });
  l.close(a);
  l.close(a);
  assert.equal(l.size, 1);
  assert.deepEqual(l.open("2.2.2.2", new Conn("d")), { ok: true });
});

Deno.test("the limiter keeps the total and per-IP caps; a full total evicts an idle unbound one", () => {
  const l = limiter({ maxTotal: 3, maxPerIp: 2 });
  const [a, b, c, d] = ["a", "b", "c", "d"].map((n) => new Conn(n));
  assert.equal(l.open("1.1.1.1", a).ok, true);
  assert.equal(l.open("1.1.1.1", b).ok, true);
  assert.deepEqual(l.open("1.1.1.1", new Conn("x")), { ok: false, reason: "perIp" });
  assert.equal(l.open("2.2.2.2", c).ok, true);
  for (const x of [a, b, c]) l.bound(x);
  // Full of bound connections: refused.
  assert.deepEqual(l.open("3.3.3.3", d), { ok: false, reason: "total" });
  l.close(a);
  assert.deepEqual(l.open("3.3.3.3", d), { ok: true });
  // Full again, with d idle and unbound: d makes room.
  assert.deepEqual(l.open("4.4.4.4", new Conn("e")), { ok: true, evicted: d });
});

Deno.test("lowering the total cap evicts idle unbound connections above it, oldest first", () => {
  const l = limiter({});
  const [a, b, c, d] = ["a", "b", "c", "d"].map((n) => new Conn(n));
  for (const x of [a, b, c, d]) l.open("1.1.1.1", x);
  l.bound(a);
  l.binding(b);
  assert.deepEqual(l.lower(2), [c, d]);
  assert.equal(l.caps.maxTotal, 2);
  assert.deepEqual(l.lower(1), [], "bound and binding connections stay");
  assert.equal(l.size, 2);
  assert.deepEqual(l.lower(5), []);
  assert.equal(l.caps.maxTotal, 1, "never raised");
});

Deno.test("the default connection cap stays below the open-file limit", () => {
  assert.equal(connectionCaps({}, null).caps.maxTotal, 1000);
  assert.equal(connectionCaps({}, 20_000).caps.maxTotal, 1000);
  const low = connectionCaps({}, 1024);
  assert.equal(low.caps.maxTotal, 1024 - FD_RESERVE);
  assert.equal(low.room, 1024 - FD_RESERVE);
  // A configured cap is kept (the gateway warns about it).
  const set = connectionCaps({ maxTotal: 5000, maxUnbound: undefined }, 1024);
  assert.equal(set.caps.maxTotal, 5000);
  assert.equal(set.caps.maxUnbound, CONNECTION_DEFAULTS.maxUnbound);
});

Deno.test("fdLimit() reads the soft open-file limit on Linux", {
  ignore: Deno.build.os !== "linux",
}, () => {
  const n = fdLimit();
  assert.ok(n === null || (Number.isInteger(n) && n > 0), String(n));
});

Deno.test("a log summary reports the first event at once and the rest once per interval", async () => {
  const reports: Summary<"a" | "b">[] = [];
  let wake = () => {};
  const s = new LogSummary<"a" | "b">(50, (r) => {
    reports.push(r);
    wake();
  });
  try {
    s.add("a", "1.1.1.1");
    assert.equal(reports.length, 1);
    assert.equal(reports[0].first, true);
    for (let i = 0; i < 100; i++) s.add(i % 3 ? "a" : "b", i < 60 ? "1.1.1.1" : "2.2.2.2");
    assert.equal(reports.length, 1, "nothing more before the interval ends");
    const next = new Promise<void>((r) => wake = r);
    await within(next, 5000, "the summary");
    const r = reports[1];
    assert.equal(r.first, false);
    assert.equal(r.total, 100);
    assert.equal(r.counts.get("b"), 34);
    assert.deepEqual(r.top, [["1.1.1.1", 60], ["2.2.2.2", 40]]);
    s.add("b");
    s.close();
    assert.equal(reports.length, 3, "close reports what is left");
    assert.equal(reports[2].total, 1);
    assert.equal(
      slotEventText(
        {
          first: false,
          counts: new Map<SlotEvent, number>([["unboundPerIp", 8], ["evicted", 2]]),
          total: 10,
          top: [["127.0.0.2", 6]],
          ms: 10_000,
        },
        CONNECTION_DEFAULTS,
        10_000,
      ),
      "refused 8 connections in 10 s: 8 over the per-IP cap on unbound connections (20); " +
        "closed 2 idle unbound connections to make room; most from 127.0.0.2 (6)",
    );
  } finally {
    s.close();
  }
});

/** Collects the gateway's log records while `body` runs. */
async function logged(body: () => void | Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  await configure({
    sinks: {
      memory: (r: LogRecord) =>
        lines.push(r.message.map((p) => typeof p === "string" ? p : String(p)).join("")),
    },
    loggers: [{ category: ["smppgw", "gateway"], lowestLevel: "info", sinks: ["memory"] }],
    reset: true,
  });
  try {
    await body();
  } finally {
    await reset();
  }
  return lines;
}

Deno.test("a configured cap above the open-file limit is warned about once; the default fits below it", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const lines = await logged(() => {
      new Gateway({ kv, fdLimit: 1024, maxConnections: 5000 });
      new Gateway({ kv, fdLimit: 100 });
      new Gateway({ kv, fdLimit: 20_000 });
    });
    assert.deepEqual(lines, [
      `maxConnections 5000 is above what the open-file limit 1024 allows (${1024 - FD_RESERVE}, ` +
      `keeping ${FD_RESERVE} for the store and listeners): raise the limit (ulimit -n) or lower the cap`,
      `open-file limit 100: at most ${100 - FD_RESERVE} connections`,
    ]);
  } finally {
    kv.close();
  }
});

Deno.test("failing accepts (EMFILE) are retried with a backoff and logged rarely", async () => {
  const kv = await Deno.openKv(":memory:");
  const gw = new Gateway({ kv });
  await gw.start();
  const real = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const FAILURES = 10;
  const attempts: number[] = [];
  const listener: Listener = {
    hostname: "127.0.0.1",
    port: (real.addr as Deno.NetAddr).port,
    async accept(): Promise<Transport | null> {
      attempts.push(performance.now());
      if (attempts.length <= FAILURES) throw new Error("Too many open files (os error 24)");
      try {
        const c = await real.accept();
        return denoConn(c);
      } catch {
        return null;
      }
    },
    close: () => real.close(),
  };
  let lines: string[] = [];
  try {
    lines = await logged(async () => {
      gw.listen(listener);
      const c = await within(TestClient.connect(listener.port), 10_000, "connect");
      try {
        const r = await c.request({ command: "enquire_link" }, 10_000);
        assert.equal(r.status, 0);
      } finally {
        c.close();
      }
      await gw.close();
    });
  } finally {
    await gw.close();
    kv.close();
  }
  assert.ok(attempts.length > FAILURES);
  // 5, 10, 20, ... ms between attempts, at most 250: the tenth failure comes well after the first.
  const waited = attempts[FAILURES - 1] - attempts[0];
  assert.ok(waited >= 5 + 10 + 20 + 40 + 80 + 160 + 250, `retried after ${waited} ms`);
  const failed = lines.filter((l) => l.includes("accept failed"));
  assert.equal(failed.length, 2, failed.join("\n"));
  assert.match(failed[0], /Too many open files.*backing off/);
  assert.match(failed[1], /accept failed 9 times in \d+ s, mostly: .*Too many open files/);
});

Deno.test("out of file descriptors, the gateway lowers its cap and closes idle unbound connections", async () => {
  await using gw = await testGateway({ maxUnboundConnectionsPerIp: 100 });
  const real = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let calls = 0;
  const listener: Listener = {
    hostname: "127.0.0.1",
    port: (real.addr as Deno.NetAddr).port,
    async accept(): Promise<Transport | null> {
      // The accept after the 40th connection finds the process out of descriptors.
      if (++calls === 41) {
        throw Object.assign(new Error("Too many open files (os error 24)"), { code: "EMFILE" });
      }
      try {
        const c = await real.accept();
        return denoConn(c);
      } catch {
        return null;
      }
    },
    close: () => real.close(),
  };
  const idle: TestClient[] = [];
  let lines: string[] = [];
  try {
    lines = await logged(async () => {
      gw.gateway.listen(listener);
      for (let i = 0; i < 40; i++) idle.push(await TestClient.connect(listener.port));
      // 16 descriptors of headroom below 40 connections: a cap of 24, the 16 oldest idle ones go.
      await within(Promise.all(idle.slice(0, 16).map((c) => c.closed)), 10_000, "idle closed");
      const c = await TestClient.connect(listener.port);
      try {
        // The cap is full of idle ones: the oldest left makes room.
        const r = await c.bind(ACCOUNT.systemId, ACCOUNT.password);
        assert.equal(r.status, Status.ESME_ROK);
        await within(idle[16].closed, 10_000, "17th idle closed");
      } finally {
        c.close();
      }
      await gw.gateway.close();
    });
  } finally {
    idle.forEach((c) => c.close());
  }
  assert.ok(
    lines.some((l) => l.includes("connection cap lowered from 1000 to 24")),
    lines.join("\n"),
  );
});

/** Idle sockets from several source addresses that reconnect whenever the server closes them. */
class IdleCrowd {
  readonly #sockets = new Set<net.Socket>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #stopped = false;
  #changed: () => void = () => {};
  connects = 0;
  closes = 0;

  constructor(readonly port: number, readonly reconnectMs: number) {}

  /** Opens `n` sockets from `address`. */
  open(address: string, n: number) {
    for (let i = 0; i < n; i++) this.#connect(address);
  }

  #connect(address: string) {
    const s = net.connect({ host: "127.0.0.1", port: this.port, localAddress: address });
    this.#sockets.add(s);
    s.on("connect", () => {
      this.connects++;
      this.#changed();
    });
    // Resets are what the server does to them; "close" follows.
    s.on("error", () => {});
    s.on("close", () => {
      this.#sockets.delete(s);
      this.closes++;
      this.#changed();
      if (this.#stopped) return;
      const t = setTimeout(() => {
        this.#timers.delete(t);
        this.#connect(address);
      }, this.reconnectMs);
      this.#timers.add(t);
    });
  }

  /** Resolves when `ok()` holds, checked on every connect and close. */
  async until(ok: () => boolean, ms: number, what: string) {
    const deadline = Date.now() + ms;
    while (!ok()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${what}: not within ${ms} ms`);
      await within(new Promise<void>((r) => this.#changed = r), left, what);
    }
  }

  /** Stops reconnecting and closes every socket, waiting for them to be gone. */
  async stop(ms: number) {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const s of this.#sockets) s.destroy();
    await this.until(() => this.#sockets.size === 0, ms, "crowd sockets closed");
  }
}

const ADDRESSES = Array.from({ length: 10 }, (_, i) => `127.0.0.${i + 2}`);

Deno.test("1000 idle sockets from 10 addresses do not keep a client from binding and submitting", async () => {
  const records: LogRecord[] = [];
  await configure({
    sinks: { memory: (r: LogRecord) => records.push(r) },
    loggers: [{ category: ["smppgw", "gateway"], lowestLevel: "info", sinks: ["memory"] }],
    reset: true,
  });
  // Client and server share this process: two descriptors per connection. Where the open-file
  // limit is low, the crowd shrinks and the total cap with it, so it is still full of them.
  const room = Math.floor(((fdLimit() ?? 20_000) - 400) / 2 / ADDRESSES.length);
  const perAddress = Math.min(100, room);
  const crowdSize = perAddress * ADDRESSES.length;
  const gw = await testGateway(perAddress < 100 ? { maxConnections: crowdSize } : {});
  const crowd = new IdleCrowd(gw.addr.port, 200);
  try {
    for (const a of ADDRESSES) crowd.open(a, perAddress);
    await crowd.until(() => crowd.connects >= crowdSize, 60_000, "crowd connected");
    // Every crowd socket reached the gateway: it holds it or has closed it.
    await waitUntil(
      () => gw.gateway.sessionCount + crowd.closes >= crowdSize,
      30_000,
      "the gateway took in the crowd",
    );
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      const c = await within(TestClient.connect(gw.addr.port), 2000, "connect");
      try {
        const bind = await within(c.bind(ACCOUNT.systemId, ACCOUNT.password), 2000, "bind");
        assert.equal(bind.status, Status.ESME_ROK, `round ${i}: bind`);
        const sub = await within(c.submit(`round ${i}`), 2000, "submit");
        assert.equal(sub.status, Status.ESME_ROK, `round ${i}: submit`);
      } finally {
        c.close();
      }
      const took = performance.now() - t0;
      assert.ok(took < 2000, `round ${i} took ${took} ms`);
      // Let the crowd churn between rounds.
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await crowd.stop(30_000);
    await gw.close();
    await reset();
  }
  const limitLines = records.filter((r) => {
    const text = r.message.map((p) => typeof p === "string" ? p : JSON.stringify(p)).join("");
    return /refused|idle unbound|connection limit/.test(text);
  });
  const turnedAway = limitLines.reduce((n, r) => n + Number(r.properties.total ?? 0), 0);
  // Beyond 20 per address (the unbound per-IP cap), every crowd socket was turned away at least once.
  assert.ok(turnedAway >= crowdSize - 20 * ADDRESSES.length, `${turnedAway} turned away`);
  assert.ok(
    limitLines.length <= 6,
    `${limitLines.length} log lines about refusals:\n${
      limitLines.slice(0, 10).map((r) => r.message.join("")).join("\n")
    }`,
  );
});
