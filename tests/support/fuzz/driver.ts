/**
 * The fuzz driver: runs the cases `concurrency` at a time, each on a fresh TCP connection or,
 * for a case that starts bound, on a bound session kept from an earlier bound case of the same
 * worker; checks every reply with the oracle; and after every batch runs a health check (see
 * health.ts), bisecting the batch to the case that broke the gateway when it fails.
 */
import { concatBytes } from "../../../lib/smpp/bytes.ts";
import { encode } from "../../../lib/smpp/codec.ts";
import { MAX_PDU_LENGTH } from "../../../lib/smpp/frames.ts";
import { bisect } from "./bisect.ts";
import { type FuzzCase, fuzzCase } from "./cases.ts";
import type { FuzzTarget } from "./gateway.ts";
import { Acked, healthCheck, type MessageStore } from "./health.ts";
import { type ExpectedReply, plan, ReplyChecker } from "./oracle.ts";
import { caseSeed, Rng } from "../rng.ts";
import { type Credentials, transceiverBind } from "./templates.ts";
import { Wire } from "./wire.ts";

/** Options of {@link runFuzz}; only `port` is required. */
export interface FuzzOptions {
  /** TCP port of the gateway. */
  port: number;
  /** Its address (default 127.0.0.1). */
  hostname?: string;
  /** Number of cases (default 5000); case indexes run from 0 to cases - 1. */
  cases?: number;
  /** Run seed (default 1): with the case index it fixes every case. */
  seed?: number;
  /** Run only these case indexes (replay), in this order. */
  only?: readonly number[];
  /** Force one case kind. */
  kind?: string;
  /** Account the cases and health checks bind with (default test/secret). */
  credentials?: Credentials;
  /** Workers running cases at once (default 8); the account needs 2 sessions per worker + 1. */
  concurrency?: number;
  /**
   * Bound cases one kept session runs before it is closed (default 32): a case that starts bound
   * reuses the worker's session when the cases before it left it bound, framed and quiet, and
   * binds a fresh one otherwise. 1 binds a fresh connection for every bound case.
   */
  reuse?: number;
  /** Health check after every this many cases (default 250) and at the end. */
  healthEvery?: number;
  /**
   * End a case that leaves the session settled (framed, no bind or unbind pending) with an
   * enquire_link and its answer instead of silenceMs of quiet (default true): the gateway has
   * then handled every PDU of the case, and anything else it sent has arrived.
   */
  probe?: boolean;
  /** Quiet time that ends any other case once no reply is owed (default 50 ms). */
  silenceMs?: number;
  /** Longest wait for an owed reply or the owed close (default 3000 ms). */
  replyTimeoutMs?: number;
  /** The gateway's cap on command_length (default MAX_PDU_LENGTH). */
  maxPduLength?: number;
  /** Stop after this many failures (default 20). */
  maxFailures?: number;
  /** The gateway's storage, to check acknowledged messages are still there. */
  store?: MessageStore;
  /** Open sessions on the gateway, to check none is left behind after the run. */
  sessions?: () => number;
  /**
   * Starts a fresh gateway like the one fuzzed: when given, a failed health check is bisected
   * by re-running halves of the batch before it, each on a fresh gateway.
   */
  fresh?: () => Promise<FuzzTarget>;
  /** Called after each batch. */
  onProgress?: (done: number, failures: number) => void;
}

/** One failed case (or health check, index -1), with what is needed to replay it. */
export interface Failure {
  /** Run seed. */
  seed: number;
  /** Case index, or -1 for a health check. */
  index: number;
  /** Case kind, or "health". */
  kind: string;
  /** What went wrong. */
  messages: string[];
  /** The first octets sent, in hex. */
  hex: string;
  /** `deno task fuzz` arguments that replay it (empty when no replay is known). */
  replay: string;
}

/** Summary of a run. */
export interface FuzzResult {
  /** Run seed. */
  seed: number;
  /** Cases run. */
  cases: number;
  /** Empty when the gateway passed everything. */
  failures: Failure[];
  /** Wall time of the run, health checks included. */
  elapsedMs: number;
  /** Cases per second of wall time. */
  casesPerSec: number;
  /** Cases run per kind. */
  kinds: Record<string, number>;
  /** Replies that matched an expectation. */
  replies: number;
  /** Cases the gateway ended by closing the connection. */
  closedByGateway: number;
  /** Binds the driver made to start a bound case (the cases' own binds not counted). */
  binds: number;
  /** Bound cases that ran on a session kept from an earlier case. */
  reused: number;
  /** Health checks run. */
  healthChecks: number;
  /** Messages acknowledged with ESME_ROK (fuzz cases and health checks), all found in storage. */
  accepted: number;
}

/** {@link FuzzOptions} with every default filled in, as {@link runCase} needs them. */
export type RunSettings = Required<
  Omit<FuzzOptions, "only" | "kind" | "store" | "sessions" | "fresh" | "onProgress">
>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** sequence_number of the probe: no case sends it (see templates.ts `randomSeq`). */
export const PROBE_SEQ = 0x7ffffff7;
const PROBE = encode({ command: "enquire_link", seq: PROBE_SEQ });

function hexOf(c: FuzzCase): string {
  const all = c.chunks.flatMap((b) => [...b.subarray(0, 96)]).slice(0, 96);
  return all.map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Feeds received frames to the checker. Its answers (deliver_sm_resp…) are written only when
 * `answer` is set: written in the middle of a case they would be spliced into a partial PDU.
 */
async function pump(wire: Wire, checker: ReplyChecker, held: Uint8Array[], answer: boolean) {
  for (const f of wire.frames()) {
    const a = checker.frame(f);
    if (a) held.push(a);
  }
  while (answer && held.length > 0) await wire.write(held.shift()!);
}

/** What one case observed. */
export interface CaseResult {
  /** Empty when the case passed. */
  failures: string[];
  /** Replies that matched an expectation. */
  matched: number;
  /** message_ids the gateway acknowledged with ESME_ROK. */
  accepted: string[];
  /** The gateway closed the connection. */
  closed: boolean;
  /** The driver bound a fresh connection before the case. */
  bound: boolean;
  /**
   * With `keep`: the session, still bound, framed and quiet, for the next bound case (the
   * caller closes it); otherwise null and the connection is closed.
   */
  kept: Wire | null;
}

/** How {@link runCase} gets its connection. */
export interface CaseConnection {
  /** A bound, quiet session kept from an earlier case (for a case with `bind` only). */
  session?: Wire | null;
  /** Hand the session back when the case leaves it bound, framed and quiet. */
  keep?: boolean;
}

/** Binds `wire` as transceiver; false (with a failure noted) when no bind_resp came. */
async function bindFirst(
  wire: Wire,
  checker: ReplyChecker,
  held: Uint8Array[],
  o: RunSettings,
): Promise<boolean> {
  const r = checker.expect(0x80000009, 1, "bind_transceiver_resp before the case", 0);
  await wire.write(transceiverBind(o.credentials));
  const deadline = performance.now() + o.replyTimeoutMs;
  while (true) {
    await pump(wire, checker, held, true);
    if (r.got || wire.closed || performance.now() >= deadline) break;
    await wire.wait(deadline - performance.now());
  }
  if (!r.got) checker.failures.push("the bind before the case got no bind_transceiver_resp");
  return r.got;
}

/**
 * Runs one case and checks every reply against the oracle: on `conn.session` when given (the
 * case must start bound), else on a fresh connection, bound first when the case says so.
 */
export async function runCase(
  c: FuzzCase,
  o: RunSettings,
  conn: CaseConnection = {},
): Promise<CaseResult> {
  const bytes = concatBytes(c.chunks);
  const p = plan(bytes, {
    bound: c.bind,
    maxPduLength: o.maxPduLength,
    credentials: o.credentials,
    expect: c.expect,
  });
  if (conn.session && !c.bind) throw new TypeError("a kept session only runs bound cases");
  const checker = new ReplyChecker(p, o.maxPduLength);
  const wire = conn.session ?? await Wire.connect(o.hostname, o.port);
  const bound = c.bind && !conn.session;
  const held: Uint8Array[] = [];
  let kept = false;
  const result = () => ({
    failures: checker.failures,
    matched: checker.matched,
    accepted: checker.accepted,
    closed: wire.closed,
    bound,
    kept: kept ? wire : null,
  });
  try {
    // Receipts that reached a kept session while it waited are answered before the case.
    if (conn.session) await pump(wire, checker, held, true);
    else if (c.bind && !(await bindFirst(wire, checker, held, o))) return result();
    for (const chunk of c.chunks) {
      if (!(await wire.write(chunk))) break;
      if (c.pauseMs > 0) await sleep(c.pauseMs);
      await pump(wire, checker, held, false);
    }
    const answer = p.cleanEnd;
    let probe: ExpectedReply | null = null;
    if (o.probe && p.settled && !wire.closed) {
      await pump(wire, checker, held, true);
      probe = checker.expect(0x80000015, PROBE_SEQ, "enquire_link_resp to the probe", 0);
      // A close the case did not ask for is not a failure once its replies are in (as below).
      probe.must = false;
      await wire.write(PROBE);
    }
    // Read until the gateway closes, or it owes nothing and has answered the probe (without
    // one: has been quiet for silenceMs).
    const deadline = performance.now() + o.replyTimeoutMs;
    while (true) {
      await pump(wire, checker, held, answer);
      if (wire.closed) break;
      const now = performance.now();
      if (now >= deadline) break;
      const owed = checker.missing().length > 0 || p.mustClose || (probe?.got === false);
      if (!owed && (probe || now - wire.lastActivity >= o.silenceMs)) break;
      await wire.wait(owed ? deadline - now : o.silenceMs - (now - wire.lastActivity));
    }
    await pump(wire, checker, held, answer);
    for (const r of checker.missing()) {
      checker.failures.push(
        `no ${r.what}${
          wire.closed ? " before the gateway closed" : ` within ${o.replyTimeoutMs} ms`
        }`,
      );
    }
    if (probe?.got === false && !wire.closed) {
      checker.failures.push(`no enquire_link_resp to the probe within ${o.replyTimeoutMs} ms`);
    }
    if (p.mustClose && !wire.closed) {
      checker.failures.push(
        `connection still open ${o.replyTimeoutMs} ms after a bad command_length`,
      );
    }
    if (wire.closed && wire.buffered > 0) {
      checker.failures.push(`gateway closed with ${wire.buffered} octets of a partial frame sent`);
    }
    kept = !!conn.keep && p.endsBound && !wire.closed && wire.buffered === 0 &&
      held.length === 0 && checker.failures.length === 0;
    return result();
  } finally {
    if (!kept) await wire.close();
  }
}

/** A bound session a worker keeps between its bound cases, and the cases it ran. */
interface Kept {
  wire: Wire;
  history: number[];
}

/** The cases of one gateway: workers with their kept sessions, the run's tallies, health. */
class Runner {
  readonly result: FuzzResult;
  readonly acked = new Acked();
  readonly #slots: (Kept | null)[];
  /** Set when a health check failed: the gateway is broken, running more cases is pointless. */
  broken = false;

  constructor(
    readonly o: RunSettings,
    readonly kind: string | undefined,
    readonly store: MessageStore | undefined,
  ) {
    this.#slots = Array.from({ length: o.concurrency }, () => null);
    this.result = {
      seed: o.seed,
      cases: 0,
      failures: [],
      elapsedMs: 0,
      casesPerSec: 0,
      kinds: {},
      replies: 0,
      closedByGateway: 0,
      binds: 0,
      reused: 0,
      healthChecks: 0,
      accepted: 0,
    };
  }

  #stopped(): boolean {
    return this.broken || this.result.failures.length >= this.o.maxFailures;
  }

  /** Runs `indexes`, `concurrency` at a time. */
  async batch(indexes: readonly number[]) {
    let next = 0;
    const worker = async (slot: number) => {
      while (next < indexes.length && !this.#stopped()) await this.#one(slot, indexes[next++]);
    };
    const n = Math.min(this.o.concurrency, indexes.length);
    await Promise.all(Array.from({ length: n }, (_, slot) => worker(slot)));
  }

  /** The slot's kept session, taken out of the slot; null when none is open. */
  async #take(slot: number): Promise<Kept | null> {
    const k = this.#slots[slot];
    this.#slots[slot] = null;
    if (k?.wire.closed) await k.wire.close();
    return k && !k.wire.closed ? k : null;
  }

  async #one(slot: number, index: number) {
    const { o, result } = this;
    let c: FuzzCase | undefined;
    let r: CaseResult;
    let history: number[] = [];
    try {
      c = fuzzCase(new Rng(caseSeed(o.seed, index)), o, this.kind);
      result.kinds[c.kind] = (result.kinds[c.kind] ?? 0) + 1;
      const k = c.bind && o.reuse > 1 ? await this.#take(slot) : null;
      history = k?.history ?? [];
      r = await runCase(c, o, { session: k?.wire, keep: o.reuse > 1 && c.bind });
      if (r.kept) {
        const h = [...history, index];
        if (h.length < o.reuse) this.#slots[slot] = { wire: r.kept, history: h };
        else await r.kept.close();
      }
    } catch (e) {
      r = {
        failures: [`harness error: ${String(e)}`],
        matched: 0,
        accepted: [],
        closed: false,
        bound: false,
        kept: null,
      };
    }
    result.cases++;
    result.replies += r.matched;
    if (r.bound) result.binds++;
    if (history.length > 0) result.reused++;
    if (r.closed) result.closedByGateway++;
    const failures = [...r.failures];
    for (const id of r.accepted) {
      if (!this.acked.add(id)) failures.push(`message_id ${id} given out twice`);
    }
    if (failures.length === 0) return;
    let replay = `--seed ${o.seed} --only ${index}`;
    if (c && history.length > 0) {
      // The session had run other cases: does this one fail alone too?
      const alone = await runCase(c, o).catch((e) => ({ failures: [String(e)], accepted: [] }));
      for (const id of alone.accepted) this.acked.add(id);
      failures.push(
        `on a session kept from cases ${history.join(",")}; alone on a fresh session it ` +
          (alone.failures.length ? "fails too" : "passes"),
      );
      if (!alone.failures.length) {
        replay = `--seed ${o.seed} --only ${[...history, index].join(",")} --concurrency 1`;
      }
    }
    const [kind, hex] = c ? [c.kind, hexOf(c)] : ["?", ""];
    // Workers already in flight when the limit is reached are still counted, not listed.
    if (result.failures.length >= o.maxFailures) return;
    result.failures.push({ seed: o.seed, index, kind, messages: failures, hex, replay });
  }

  /** Health check; true when it passed. `all` checks every acknowledged message in storage. */
  async health(all: boolean): Promise<boolean> {
    const msgs = await healthCheck(
      { ...this.o, store: this.store },
      this.acked,
      this.result.healthChecks++,
      all,
    );
    if (msgs.length === 0) return true;
    this.broken = true;
    this.result.failures.push({
      seed: this.o.seed,
      index: -1,
      kind: "health",
      messages: msgs,
      hex: "",
      replay: "",
    });
    return false;
  }

  /** Closes every kept session. */
  async close() {
    await Promise.all(this.#slots.map((k) => k?.wire.close()));
    this.#slots.fill(null);
  }
}

/** Re-runs `cases` on a fresh gateway; true when its health check then fails. */
async function failsOnFresh(
  cases: number[],
  o: RunSettings,
  opts: FuzzOptions,
): Promise<boolean> {
  const target = await opts.fresh!();
  try {
    const r = new Runner(
      { ...o, port: target.port, hostname: target.hostname },
      opts.kind,
      target.store,
    );
    try {
      await r.batch(cases);
    } finally {
      await r.close();
    }
    return !(await r.health(true));
  } finally {
    await target.close();
  }
}

/** Bisects the batch before a failed health check and adds what it found to that failure. */
async function blame(batch: number[], o: RunSettings, opts: FuzzOptions, f: Failure) {
  const b = await bisect(batch, (cases) => failsOnFresh(cases, o, opts));
  if (b.cases.length === 0) {
    f.messages.push(
      `the batch (cases ${batch[0]}…${batch.at(-1)}) passes on a fresh gateway: ` +
        "the fault needs the cases before it",
    );
    return;
  }
  const what = b.cases.length === 1
    ? `case ${b.cases[0]} alone breaks it`
    : `cases ${b.cases.join(",")} together break it`;
  f.messages.push(`bisected in ${b.runs} runs on fresh gateways: ${what}`);
  f.replay = `--seed ${o.seed} --only ${b.cases.join(",")}`;
  f.index = b.cases.length === 1 ? b.cases[0] : -1;
}

/**
 * Runs `cases` fuzz cases (or the `only` ones) against a gateway, `concurrency` at a time, with a
 * health check after every `healthEvery` cases and at the end. Failures carry seed, index and
 * the arguments that replay them. A failed health check stops the run.
 */
export async function runFuzz(opts: FuzzOptions): Promise<FuzzResult> {
  const o: RunSettings = {
    hostname: "127.0.0.1",
    cases: 5000,
    seed: 1,
    credentials: { systemId: "test", password: "secret" },
    concurrency: 8,
    reuse: 32,
    probe: true,
    healthEvery: 250,
    silenceMs: 50,
    replyTimeoutMs: 3000,
    maxPduLength: MAX_PDU_LENGTH,
    maxFailures: 20,
    ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)),
  } as RunSettings;
  const indexes = opts.only ? [...opts.only] : Array.from({ length: o.cases }, (_, i) => i);
  const started = performance.now();
  const runner = new Runner(o, opts.kind, opts.store);
  const { result } = runner;
  try {
    for (let b = 0; b < indexes.length && result.failures.length < o.maxFailures;) {
      const batch = indexes.slice(b, b += o.healthEvery);
      await runner.batch(batch);
      const last = b >= indexes.length || result.failures.length >= o.maxFailures;
      if (!(await runner.health(last))) {
        if (opts.fresh) await blame(batch, o, opts, result.failures.at(-1)!);
        break;
      }
      opts.onProgress?.(result.cases, result.failures.length);
    }
  } finally {
    await runner.close();
  }
  if (opts.sessions && !runner.broken) {
    const deadline = performance.now() + o.replyTimeoutMs;
    while (opts.sessions() > 0 && performance.now() < deadline) await sleep(10);
    if (opts.sessions() > 0) {
      result.failures.push({
        seed: o.seed,
        index: -1,
        kind: "health",
        messages: [`${opts.sessions()} sessions still open after every client closed`],
        hex: "",
        replay: "",
      });
    }
  }
  result.accepted = runner.acked.size;
  result.elapsedMs = performance.now() - started;
  result.casesPerSec = result.cases / (result.elapsedMs / 1000);
  return result;
}
