import { receiptRecord } from "../support/records.ts";
import assert from "node:assert/strict";
import {
  bisect,
  caseSeed,
  fuzzCase,
  fuzzGateway,
  type FuzzTarget,
  plan,
  Rng,
  runFuzz,
  summary,
} from "../support/fuzz/mod.ts";
import { concatBytes } from "../../lib/smpp/bytes.ts";
import { MAX_PDU_LENGTH } from "../../lib/smpp/frames.ts";
import { decode, encode } from "../../lib/smpp/codec.ts";
import { Status } from "../../lib/smpp/status.ts";
import { receiptPdu } from "../../lib/delivery/receipt.ts";
import { renderReceiptTextBytes } from "../../lib/text/mod.ts";
import { ACCOUNT, TestClient, testGateway, within } from "../support/client.ts";

const BIND = encode({
  command: "bind_transceiver",
  seq: 1,
  body: { system_id: ACCOUNT.systemId, password: ACCOUNT.password, interface_version: 0x34 },
});

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** What a {@link FaultyProxy} does once a client sends its marker. */
type Fault =
  /** Cuts every connection and closes new ones at once, as if the input killed the gateway. */
  | "break"
  /** Sends that client a stray generic_nack, but only on a session that ran other cases first. */
  | "stray-after-history";

/** The octets of the driver's own bind (and a probe) that start a fresh session. */
const FRESH_PREFIX = 80;

/** A TCP proxy in front of a fuzz gateway that injects a fault when a client sends `marker`. */
class FaultyProxy implements FuzzTarget {
  readonly #listener: Deno.TcpListener;
  readonly #conns = new Set<Deno.Conn>();
  readonly #pipes = new Set<Promise<void>>();
  readonly #accepting: Promise<void>;
  #closed: Promise<void> | undefined;
  /** What went wrong in the proxy itself; thrown by close(). */
  readonly #errors: unknown[] = [];
  /** The "break" fault happened: every connection is cut. */
  broken = false;

  private constructor(
    readonly target: FuzzTarget,
    readonly marker: Uint8Array,
    readonly fault: Fault,
  ) {
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.#accepting = this.#accept();
  }

  /** Starts a proxy in front of `target` (closed with it). */
  static start(target: FuzzTarget, marker: Uint8Array, fault: Fault): Promise<FaultyProxy> {
    return Promise.resolve(new FaultyProxy(target, marker, fault));
  }

  /** Where the proxy listens. */
  get port(): number {
    return this.#listener.addr.port;
  }
  /** Always 127.0.0.1. */
  get hostname(): string {
    return "127.0.0.1";
  }
  /** The gateway's storage. */
  get store() {
    return this.target.store;
  }

  async #accept() {
    for await (const client of this.#listener) {
      if (this.broken) {
        client.close();
        continue;
      }
      const p: Promise<void> = this.#serve(client)
        .catch((e) => void this.#errors.push(e))
        .finally(() => this.#pipes.delete(p));
      this.#pipes.add(p);
    }
  }

  async #serve(client: Deno.Conn) {
    const server = await Deno.connect({ hostname: this.target.hostname, port: this.target.port });
    this.#conns.add(client).add(server);
    await Promise.all([this.#pipe(client, server, true), this.#pipe(server, client, false)]);
  }

  async #pipe(from: Deno.Conn, to: Deno.Conn, watch: boolean) {
    const buf = new Uint8Array(65536);
    let seen: Uint8Array = new Uint8Array(0);
    try {
      while (true) {
        const n = await from.read(buf);
        if (n === null) break;
        const chunk = buf.slice(0, n);
        let stray = false;
        if (watch) {
          seen = concatBytes([seen, chunk]);
          const at = indexOf(seen, this.marker);
          if (at >= 0 && this.fault === "break") return this.#break();
          stray = at > FRESH_PREFIX;
          if (at >= 0) seen = seen.slice(at + this.marker.length);
        }
        for (let off = 0; off < n;) off += await to.write(chunk.subarray(off));
        if (stray) await from.write(encode({ command: "generic_nack", seq: 0x12345 }));
      }
    } catch (e) {
      // The other pipe (or the break) closed the connection: the end of this one.
      const ended = [
        Deno.errors.BadResource,
        Deno.errors.ConnectionReset,
        Deno.errors.BrokenPipe,
        Deno.errors.Interrupted,
      ];
      if (!ended.some((t) => e instanceof t)) throw e;
    } finally {
      this.#end(from);
      this.#end(to);
    }
  }

  #end(c: Deno.Conn) {
    if (this.#conns.delete(c)) c.close();
  }

  #break() {
    this.broken = true;
    for (const c of [...this.#conns]) this.#end(c);
  }

  /** Stops the proxy and the gateway behind it (again: nothing). */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close() {
    this.#listener.close();
    await this.#accepting;
    this.#break();
    await Promise.all([...this.#pipes]);
    await this.target.close();
    if (this.#errors.length) throw new AggregateError(this.#errors, "proxy failed");
  }
}

Deno.test("survives 5000 seeded hostile inputs and still binds, submits and keeps every acknowledged message", async () => {
  const gw = await fuzzGateway({ credentials: ACCOUNT, concurrency: 32 });
  try {
    const r = await runFuzz({
      port: gw.port,
      cases: 5000,
      seed: 0x5eed,
      concurrency: 32,
      healthEvery: 500,
      store: gw.store,
      sessions: gw.sessions,
    });
    assert.equal(r.failures.length, 0, summary(r));
    assert.equal(r.cases, 5000);
    assert.ok(r.healthChecks >= 10, summary(r));
    assert.ok(r.replies > 5000, summary(r));
    // About 60% of the cases start bound; most of them run on a kept session instead of binding.
    assert.ok(r.reused > 1500 && r.binds < 2000, summary(r));
  } finally {
    await gw.close();
  }
});

Deno.test("bisecting finds the one case that breaks the gateway among 500 in at most 19 runs", async () => {
  const cases = Array.from({ length: 500 }, (_, i) => i);
  const runs: number[][] = [];
  const b = await bisect(cases, (run) => {
    runs.push(run);
    return Promise.resolve(run.includes(337));
  });
  assert.deepEqual(b.cases, [337]);
  assert.equal(b.runs, runs.length);
  assert.ok(b.runs <= 19, `${b.runs} runs`);
});

Deno.test("bisecting keeps the cases that break the gateway only together, and finds none when the batch passes alone", async () => {
  const cases = Array.from({ length: 64 }, (_, i) => i);
  const together = await bisect(
    cases,
    (run) => Promise.resolve(run.includes(3) && run.includes(40)),
  );
  assert.ok(together.cases.includes(3) && together.cases.includes(40), `${together.cases}`);
  assert.ok(together.cases.length <= 64 && together.runs <= 13);
  const none = await bisect(cases, () => Promise.resolve(false));
  assert.deepEqual(none, { cases: [], runs: 1 });
});

Deno.test("a health check failing after a batch is bisected to the case that broke the gateway", async () => {
  const seed = 0xb15ec7;
  const credentials = { systemId: ACCOUNT.systemId, password: ACCOUNT.password };
  // The culprit: a case sending at least 40 octets, so its bytes mark it among the others.
  const culprit = Array.from({ length: 60 }, (_, i) => i).find((i) => {
    const c = fuzzCase(new Rng(caseSeed(seed, i)), { credentials });
    return i >= 20 && concatBytes(c.chunks).length >= 40;
  })!;
  const marker = concatBytes(fuzzCase(new Rng(caseSeed(seed, culprit)), { credentials }).chunks);
  const targets: FaultyProxy[] = [];
  const fresh = async () => {
    const gw = await fuzzGateway({ credentials, concurrency: 4 });
    const t = await FaultyProxy.start(gw, marker, "break");
    targets.push(t);
    return t;
  };
  const first = await fresh();
  try {
    const r = await runFuzz({
      port: first.port,
      cases: 60,
      seed,
      concurrency: 4,
      healthEvery: 60,
      replyTimeoutMs: 1000,
      maxFailures: 1000,
      store: first.store,
      fresh,
    });
    const health = r.failures.find((f) => f.kind === "health");
    assert.ok(health, summary(r));
    assert.equal(health.index, culprit, summary(r));
    assert.equal(health.replay, `--seed ${seed} --only ${culprit}`);
    assert.ok(targets.length <= 14, `${targets.length} gateways`);
  } finally {
    await Promise.all(targets.map((t) => t.close()));
  }
});

Deno.test("a command_length under 16 is answered with generic_nack 0x02 before the connection closes", async () => {
  const gw = await testGateway();
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.raw(Uint8Array.of(0, 0, 0, 0x0f, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 7));
    const nack = await c.next(2000, "generic_nack");
    assert.deepEqual([nack.status, nack.seq], [Status.ESME_RINVCMDLEN, 7]);
    await within(c.closed, 2000, "close after generic_nack");
  } finally {
    c.close();
    await gw.close();
  }
});

Deno.test("submit_sm pipelined before unbind are all answered, then unbind_resp, then the close", async () => {
  const gw = await testGateway();
  const c = await TestClient.connect(gw.addr.port);
  try {
    assert.equal((await c.bind(ACCOUNT.systemId, ACCOUNT.password)).status, 0);
    const submit = (seq: number) =>
      encode({
        command: "submit_sm",
        seq,
        body: {
          source_addr: "Acme",
          destination_addr: "447700900123",
          short_message: Uint8Array.of(72, 105),
        },
      });
    await c.raw(
      concatBytes([submit(10), submit(11), submit(12), encode({ command: "unbind", seq: 13 })]),
    );
    await within(c.closed, 3000, "close after unbind");
    const replies = c.inbox.filter((p) => p.command.endsWith("_resp"));
    assert.deepEqual(replies.map((p) => [p.command, p.status]), [
      ["submit_sm_resp", 0],
      ["submit_sm_resp", 0],
      ["submit_sm_resp", 0],
      ["unbind_resp", 0],
    ]);
    assert.deepEqual(replies.map((p) => p.seq).sort(), [10, 11, 12, 13]);
    for (const p of replies.slice(0, 3)) {
      assert.ok(await gw.gateway.store.message(p.body.message_id as string), "stored");
    }
  } finally {
    c.close();
    await gw.close();
  }
});

Deno.test("a bind followed by a broken command_length still gets its bind_resp before the close", async () => {
  const gw = await testGateway();
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.raw(
      concatBytes([BIND, Uint8Array.of(0, 0x10, 0, 0, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 2)]),
    );
    await within(c.closed, 3000, "close after generic_nack");
    const resp = c.inbox.find((p) => p.command === "bind_transceiver_resp");
    assert.ok(resp, "bind_transceiver_resp sent");
    assert.equal(resp.seq, 1);
    assert.equal(resp.status, Status.ESME_RBINDFAIL, "a closing session does not become bound");
    const nack = c.inbox.find((p) => p.command === "generic_nack");
    assert.deepEqual([nack?.status, nack?.seq], [Status.ESME_RINVCMDLEN, 2]);
  } finally {
    c.close();
    await gw.close();
  }
});

Deno.test("a data_sm with 30-character addresses gets its receipt as a well-formed data_sm", async () => {
  const gw = await testGateway();
  const c = await TestClient.connect(gw.addr.port);
  try {
    assert.equal((await c.bind(ACCOUNT.systemId, ACCOUNT.password)).status, 0);
    const src = "1".repeat(30);
    const dst = "2".repeat(30);
    const r = await c.request({
      command: "data_sm",
      body: { source_addr: src, destination_addr: dst, registered_delivery: 1 },
      tlvs: [{ tag: 0x0424, value: new TextEncoder().encode("hello") }],
    });
    assert.equal(r.status, 0);
    const d = await c.next(3000, "data_sm");
    assert.deepEqual([d.body.source_addr, d.body.destination_addr, d.body.esm_class], [
      dst,
      src,
      4,
    ]);
    const text = new TextDecoder().decode(d.tlvs.find((t) => t.tag === 0x0424)!.value);
    assert.match(text, new RegExp(`^id:${r.body.message_id} .* stat:DELIVRD `));
  } finally {
    c.close();
    await gw.close();
  }
});

Deno.test("a receipt for long addresses sent to a 3.3 ESME is a decodable deliver_sm with addresses cut to 20", () => {
  const r = receiptRecord({
    messageId: "1",
    account: "test",
    source: { ton: 1, npi: 1, addr: "3".repeat(64) },
    dest: { ton: 1, npi: 1, addr: "4".repeat(25) },
    preview: "",
  });
  const p = decode(
    encode({ ...receiptPdu(r, { tlvs: false, encode: renderReceiptTextBytes }), seq: 1 }),
  );
  assert.equal(p.command, "deliver_sm");
  assert.deepEqual([p.body.source_addr, p.body.destination_addr], ["3".repeat(20), "4".repeat(20)]);
  assert.deepEqual(p.tlvs, []);
});

Deno.test("a failure on a kept session names the cases that ran on it before and replays them in order", async () => {
  const seed = 0x5e55;
  const credentials = { systemId: ACCOUNT.systemId, password: ACCOUNT.password };
  // Three cases that start bound and leave the session bound: the third runs after the others.
  const chain: number[] = [];
  for (let i = 0; chain.length < 3 && i < 1000; i++) {
    const c = fuzzCase(new Rng(caseSeed(seed, i)), { credentials });
    const bytes = concatBytes(c.chunks);
    const p = plan(bytes, { bound: c.bind, maxPduLength: MAX_PDU_LENGTH, credentials });
    if (c.bind && p.endsBound && p.settled && bytes.length >= 40) chain.push(i);
  }
  const culprit = chain[2];
  const marker = concatBytes(fuzzCase(new Rng(caseSeed(seed, culprit)), { credentials }).chunks);
  const gw = await FaultyProxy.start(
    await fuzzGateway({ credentials, concurrency: 1 }),
    marker,
    "stray-after-history",
  );
  try {
    const r = await runFuzz({ port: gw.port, seed, only: chain, concurrency: 1, store: gw.store });
    assert.equal(r.binds, 1, summary(r));
    assert.equal(r.failures.length, 1, summary(r));
    const [f] = r.failures;
    assert.equal(f.index, culprit);
    assert.match(f.messages.join("; "), /unexpected generic_nack seq 74565/);
    assert.match(
      f.messages.join("; "),
      new RegExp(`kept from cases ${chain[0]},${chain[1]}; alone on a fresh session it passes`),
    );
    assert.equal(f.replay, `--seed ${seed} --only ${chain.join(",")} --concurrency 1`);
  } finally {
    await gw.close();
  }
});
