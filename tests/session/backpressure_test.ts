import assert from "node:assert/strict";
import { concatBytes } from "../../lib/smpp/bytes.ts";
import { ConfigError, parseConfig } from "../../lib/config.ts";
import { readFrames } from "../../lib/smpp/frames.ts";
import { optionsFromConfig } from "../../lib/mod.ts";
import { decode, encode } from "../../lib/smpp/codec.ts";
import { CLOSE_DRAIN_MS } from "../../lib/session/session.ts";
import { CoalescingWriter, MERGE_PARTS, WRITE_CHUNK } from "../../lib/session/writer.ts";
import { ACCOUNT, TestClient, testGateway, within } from "../support/client.ts";
import { GatewayProcess } from "../support/process.ts";

/** The gateway must stay under this resident size while a client floods it. */
const RSS_LIMIT = 400 * 1024 * 1024;
/** The flooder must be cut off within this time of its connect (bind timeout 10 s). */
const CUT_OFF_MS = 25_000;

/** The resident set size of process `pid`, in bytes (Linux /proc). */
function rss(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = status.match(/^VmRSS:\s+(\d+)\s+kB/m)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kb) * 1024;
}

/** Samples a process's RSS every 100 ms and keeps the peak. */
class RssProbe {
  peak = 0;
  readonly #timer: ReturnType<typeof setInterval>;
  constructor(readonly pid: number) {
    this.sample();
    this.#timer = setInterval(() => this.sample(), 100);
  }
  sample() {
    try {
      this.peak = Math.max(this.peak, rss(this.pid));
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e; // the process has exited
    }
  }
  get over(): boolean {
    return this.peak >= RSS_LIMIT;
  }
  stop() {
    clearInterval(this.#timer);
  }
}

/**
 * Writes `chunk` over and over and never reads. Resolves the time the server cut the connection
 * (a write rejected), or null if it was still open at `deadline` or `stop()` said so.
 */
async function flood(
  conn: Deno.Conn,
  chunk: Uint8Array,
  deadline: number,
  stop: () => boolean,
): Promise<number | null> {
  const writer = conn.writable.getWriter();
  const { promise: timeUp, resolve } = Promise.withResolvers<"time">();
  const timer = setTimeout(() => resolve("time"), Math.max(0, deadline - Date.now()));
  try {
    // Bounded by the deadline: a write that hangs past it ends the loop through `timeUp`.
    while (Date.now() < deadline && !stop()) {
      const r = await Promise.race([writer.write(chunk).then(() => "ok", () => "cut"), timeUp]);
      if (r === "cut") return Date.now();
      if (r === "time") return null;
    }
    return null;
  } finally {
    clearTimeout(timer);
    writer.releaseLock();
  }
}

Deno.test("a client that pipelines enquire_link and never reads neither grows the gateway nor keeps its socket", async () => {
  const dir = await Deno.makeTempDir({ prefix: "smppgw-backpressure-" });
  const config = `${dir}/config.json`;
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      accounts: [{ ...ACCOUNT }],
      simulator: { delayMs: 0 },
      session: { bindTimeoutSec: 10 },
    }),
  );
  const args = ["--port", "0", "--kv", `${dir}/gw.kv`, "--config", config, "--log-level", "error"];
  const gw = await GatewayProcess.start(args);
  const probe = new RssProbe(gw.pid);
  // 16,384 enquire_link PDUs (256 KiB) per write.
  const chunk = concatBytes(
    Array.from({ length: 16_384 }, (_, i) => encode({ command: "enquire_link", seq: i + 1 })),
  );
  let flooder: Deno.Conn | undefined;
  let legit: TestClient | undefined;
  try {
    flooder = await Deno.connect({ hostname: "127.0.0.1", port: gw.port });
    const connectedAt = Date.now();
    const cut = flood(flooder, chunk, connectedAt + CUT_OFF_MS, () => probe.over);

    // Meanwhile, a well-behaved client is served promptly.
    const { promise: settled, resolve } = Promise.withResolvers<void>();
    const pause = setTimeout(resolve, 3000);
    await Promise.race([settled, cut]);
    clearTimeout(pause);
    const t0 = Date.now();
    legit = await within(TestClient.connect(gw.port), 2000, "legit connect");
    assert.equal((await legit.bind(ACCOUNT.systemId, ACCOUNT.password, "transmitter")).status, 0);
    assert.equal((await legit.submit("hello", { registered_delivery: 0 })).status, 0);
    const servedMs = Date.now() - t0;

    const cutAt = await cut;
    probe.sample();
    assert.ok(
      !probe.over,
      `gateway RSS peaked at ${(probe.peak / 2 ** 20).toFixed(0)} MB (limit ${
        RSS_LIMIT / 2 ** 20
      })`,
    );
    assert.ok(cutAt !== null, `the flooder was still connected ${CUT_OFF_MS} ms after connecting`);
    assert.ok(servedMs < 2000, `bind + submit_sm took ${servedMs} ms during the flood`);

    // The gateway still serves.
    assert.equal((await legit.submit("again", { registered_delivery: 0 })).status, 0);
    legit.close();
    legit = undefined;
    const status = await gw.stop("SIGTERM");
    assert.equal(status.code, 0, gw.output);
  } finally {
    probe.stop();
    legit?.close();
    try {
      flooder?.close();
    } catch { /* closed by the server */ }
    await gw.stop("SIGKILL").catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});

/** A connection write whose calls each wait until the test releases them (then write all). */
class HeldSink {
  readonly writes: Uint8Array[] = [];
  #held: { resolve: () => void; reject: (e: Error) => void }[] = [];
  #arrived: (() => void)[] = [];
  readonly write = (chunk: Uint8Array): Promise<number> => {
    this.writes.push(chunk.slice());
    for (const w of this.#arrived.splice(0)) w();
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    this.#held.push({ resolve, reject });
    return promise.then(() => chunk.length);
  };

  /** Waits until `n` writes have reached the sink. */
  async reached(n: number) {
    for (let i = 0; i < 100 && this.writes.length < n; i++) {
      const { promise, resolve } = Promise.withResolvers<void>();
      this.#arrived.push(resolve);
      await within(promise, 2000, `write ${n}`);
    }
    assert.equal(this.writes.length, n);
  }

  /** Completes the oldest held write. */
  release() {
    this.#held.shift()!.resolve();
  }

  /** Fails the oldest held write. */
  fail() {
    this.#held.shift()!.reject(new Error("reset"));
  }
}

/** Whether `p` settled within a few turns of the event loop. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(() => done = true);
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
  return done;
}

Deno.test("the writer holds the reader at its bound and lets it go at half", async () => {
  const sink = new HeldSink();
  const w = new CoalescingWriter(sink.write, () => {}, { maxBytes: 200 * 1024 });
  const part = new Uint8Array(40 * 1024);
  for (let i = 0; i < 4; i++) w.send(part);
  assert.equal(w.ready(), null, "160 KiB is under the bound");
  w.send(part);
  assert.equal(w.pending, 200 * 1024);
  const resumed = w.ready();
  assert.ok(resumed, "200 KiB is at the bound");
  // One 40 KiB part per write: two parts would exceed WRITE_CHUNK.
  assert.ok(2 * part.length > WRITE_CHUNK);
  for (let i = 1; i <= 2; i++) {
    await sink.reached(i);
    sink.release();
  }
  await sink.reached(3);
  assert.equal(w.pending, 120 * 1024);
  assert.equal(await settled(resumed), false, "120 KiB is over half the bound");
  sink.release();
  await within(resumed, 2000, "resume at half");
  assert.equal(w.pending, 80 * 1024);
  for (let i = 4; i <= 5; i++) {
    await sink.reached(i);
    sink.release();
  }
  await within(w.drain(), 2000, "drain");
  assert.equal(w.pending, 0);
});

Deno.test("the writer measures a stall from when output began waiting to a completed write", async () => {
  let now = 1000;
  const sink = new HeldSink();
  const w = new CoalescingWriter(sink.write, () => {}, { now: () => now });
  assert.equal(w.stalledMs(), 0, "nothing unsent");
  w.send(new Uint8Array(10));
  now = 4000;
  assert.equal(w.stalledMs(), 3000);
  await sink.reached(1);
  w.send(new Uint8Array(10));
  sink.release();
  await sink.reached(2);
  assert.equal(w.stalledMs(), 0, "a write completed just now");
  now = 9000;
  assert.equal(w.stalledMs(), 5000);
  sink.release();
  await within(w.drain(), 2000, "drain");
  assert.equal(w.stalledMs(), 0);
});

Deno.test("the writer keeps the order of many small parts while it merges them", async () => {
  const sink = new HeldSink();
  const w = new CoalescingWriter(sink.write, () => {});
  const n = MERGE_PARTS * 3 + 7;
  w.send(Uint8Array.of(0xff));
  await sink.reached(1);
  for (let i = 0; i < n; i++) w.send(Uint8Array.of(i >> 8, i & 0xff));
  sink.release();
  await sink.reached(2);
  sink.release();
  await within(w.drain(), 2000, "drain");
  const got = sink.writes[1];
  assert.equal(got.length, 2 * n);
  for (let i = 0; i < n; i++) assert.equal((got[2 * i] << 8) | got[2 * i + 1], i, `part ${i}`);
});

Deno.test("a corked writer holds output until uncork(), then writes it at once", async () => {
  const sink = new HeldSink();
  const w = new CoalescingWriter(sink.write, () => {});
  w.cork();
  for (let i = 0; i < 5; i++) w.send(Uint8Array.of(i));
  assert.equal(await settled(w.drain()), false, "nothing written while corked");
  assert.equal(sink.writes.length, 0);
  w.uncork();
  await sink.reached(1);
  assert.deepEqual(sink.writes[0], Uint8Array.of(0, 1, 2, 3, 4));
  sink.release();
  await within(w.drain(), 2000, "drain");
});

Deno.test("dropping the writer releases its queue and wakes the reader and drain", async () => {
  const sink = new HeldSink();
  let errors = 0;
  const w = new CoalescingWriter(sink.write, () => errors++, { maxBytes: 4096 });
  w.send(new Uint8Array(8192));
  const resumed = w.ready()!;
  const drained = w.drain();
  await sink.reached(1);
  w.drop();
  assert.equal(w.pending, 0);
  await within(Promise.all([resumed, drained]), 2000, "waiters woken");
  w.send(new Uint8Array(10));
  assert.equal(w.pending, 0, "bytes after drop are discarded");
  assert.equal(w.ready(), null);
  sink.fail();
  assert.equal(errors, 0, "a write failing after drop is not an error");
});

Deno.test("a failed write drops the queue and reports once", async () => {
  const sink = new HeldSink();
  let errors = 0;
  const w = new CoalescingWriter(sink.write, () => errors++);
  w.send(new Uint8Array(10));
  await sink.reached(1);
  w.send(new Uint8Array(10));
  sink.fail();
  await within(w.drain(), 2000, "drain after failure");
  assert.equal(errors, 1);
  assert.equal(w.pending, 0);
});

/** Connects, sends `bind` (if any) and reads exactly its response; the socket is then left unread. */
async function rawClient(port: number, bind: boolean): Promise<Deno.Conn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  if (!bind) return conn;
  const w = conn.writable.getWriter();
  await w.write(encode({
    command: "bind_transmitter",
    seq: 1,
    body: { system_id: ACCOUNT.systemId, password: ACCOUNT.password, interface_version: 0x34 },
  }));
  w.releaseLock();
  const frames = readFrames(conn.readable.values({ preventCancel: true }));
  const first = await within(frames.next(), 5000, "bind_resp");
  await frames.return(undefined);
  assert.equal(decode(first.value as Uint8Array).status, 0);
  return conn;
}

const FLOOD = concatBytes(
  Array.from({ length: 4096 }, (_, i) => encode({ command: "enquire_link", seq: i + 2 })),
);

Deno.test("a bound session whose output is not read for drainTimeoutMs is closed and frees its slot", async () => {
  await using gw = await testGateway({
    accounts: [{ ...ACCOUNT, maxSessions: 1 }],
    session: { drainTimeoutMs: 1000 },
  });
  let conn: Deno.Conn | undefined;
  try {
    conn = await rawClient(gw.addr.port, true);
    const t0 = Date.now();
    const cutAt = await flood(conn, FLOOD, t0 + 15_000, () => false);
    assert.ok(cutAt !== null, "the session was not closed within 15 s");
    // The slot is free again: the account allows one session.
    const c = await TestClient.connect(gw.addr.port);
    try {
      assert.equal((await c.bind(ACCOUNT.systemId, ACCOUNT.password)).status, 0);
    } finally {
      c.close();
    }
  } finally {
    try {
      conn?.close();
    } catch { /* closed by the server */ }
  }
});

Deno.test("a closing session gives unread output a bounded time even with the drain timeout off", async () => {
  const gw = await testGateway({ session: { drainTimeoutMs: 0, bindTimeoutMs: 1000 } });
  let conn: Deno.Conn | undefined;
  try {
    conn = await rawClient(gw.addr.port, false);
    const t0 = Date.now();
    const cutAt = await flood(conn, FLOOD, t0 + 1000 + CLOSE_DRAIN_MS + 10_000, () => false);
    assert.ok(cutAt !== null, "the unbound flooder was never cut off");
  } finally {
    try {
      conn?.close();
    } catch { /* closed by the server */ }
    await within(gw.close(), 10_000, "shutdown");
  }
});

Deno.test("limits.maxOutputBytes and limits.drainTimeoutSec reach the session options", () => {
  const o = optionsFromConfig(
    parseConfig({ limits: { maxOutputBytes: 65536, drainTimeoutSec: 5 } }),
  );
  assert.equal(o.session?.maxOutputBytes, 65536);
  assert.equal(o.session?.drainTimeoutMs, 5000);
  assert.throws(() => parseConfig({ limits: { maxOutputBytes: 100 } }), ConfigError);
  assert.throws(() => parseConfig({ limits: { drainTimeoutSec: -1 } }), ConfigError);
});

Deno.test("the writer finishes a chunk the connection took only in part", async () => {
  const got: number[] = [];
  // Takes at most 3 octets per call, like a socket with a small buffer.
  const write = (p: Uint8Array) => {
    const n = Math.min(3, p.length);
    got.push(...p.subarray(0, n));
    return Promise.resolve(n);
  };
  const w = new CoalescingWriter(write, () => {});
  w.send(Uint8Array.of(1, 2, 3, 4, 5));
  w.send(Uint8Array.of(6, 7));
  await within(w.drain(), 2000, "drain");
  assert.deepEqual(got, [1, 2, 3, 4, 5, 6, 7]);
  assert.equal(w.pending, 0);
});
