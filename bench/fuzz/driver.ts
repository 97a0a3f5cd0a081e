/**
 * The fuzz driver: runs each case on a fresh TCP connection, checks every reply with the oracle,
 * and between batches runs a health check (see health.ts).
 */
import { concatBytes } from "../../lib/bytes.ts";
import { MAX_PDU_LENGTH } from "../../lib/frames.ts";
import { type FuzzCase, fuzzCase } from "./cases.ts";
import { healthCheck, type MessageStore } from "./health.ts";
import { plan, ReplyChecker } from "./oracle.ts";
import { caseSeed, Rng } from "./rng.ts";
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
  /** Run only these case indexes (replay). */
  only?: readonly number[];
  /** Force one case kind. */
  kind?: string;
  /** Account the cases and health checks bind with (default test/secret). */
  credentials?: Credentials;
  /** Cases in flight at once (default 8); the account needs that many sessions + 1. */
  concurrency?: number;
  /** Health check after every this many cases (default 250) and at the end. */
  healthEvery?: number;
  /** Quiet time that ends a case once no reply is owed (default 50 ms). */
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
  /** Health checks run. */
  healthChecks: number;
  /** Messages acknowledged with ESME_ROK (fuzz cases and health checks), all found in storage. */
  accepted: number;
}

/** {@link FuzzOptions} with every default filled in, as {@link runCase} needs them. */
export type RunSettings = Required<
  Omit<FuzzOptions, "only" | "kind" | "store" | "sessions" | "onProgress">
>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
}

function caseResult(c: ReplyChecker, wire: Wire): CaseResult {
  return { failures: c.failures, matched: c.matched, accepted: c.accepted, closed: wire.closed };
}

/** Runs one case on a fresh connection and checks every reply against the oracle. */
export async function runCase(c: FuzzCase, o: RunSettings): Promise<CaseResult> {
  const bytes = concatBytes(c.chunks);
  const p = plan(bytes, {
    bound: c.bind,
    maxPduLength: o.maxPduLength,
    credentials: o.credentials,
    expect: c.expect,
  });
  const checker = new ReplyChecker(p, o.maxPduLength);
  const wire = await Wire.connect(o.hostname, o.port);
  const held: Uint8Array[] = [];
  let answer = true;
  try {
    if (c.bind) {
      const r = checker.expect(0x80000009, 1, "bind_transceiver_resp before the case", 0);
      await wire.write(transceiverBind(o.credentials));
      const deadline = performance.now() + o.replyTimeoutMs;
      while (true) {
        await pump(wire, checker, held, true);
        if (r.got || wire.closed || performance.now() >= deadline) break;
        await wire.wait(deadline - performance.now());
      }
      if (!r.got) {
        checker.failures.push("the bind before the case got no bind_transceiver_resp");
        return caseResult(checker, wire);
      }
    }
    answer = false;
    for (const chunk of c.chunks) {
      if (!(await wire.write(chunk))) break;
      if (c.pauseMs > 0) await sleep(c.pauseMs);
      await pump(wire, checker, held, false);
    }
    answer = p.cleanEnd;
    // Read until the gateway closes, or it owes nothing and has been quiet for silenceMs.
    const deadline = performance.now() + o.replyTimeoutMs;
    while (true) {
      await pump(wire, checker, held, answer);
      if (wire.closed) break;
      const now = performance.now();
      if (now >= deadline) break;
      const owed = checker.missing().length > 0 || p.mustClose;
      if (!owed && now - wire.lastActivity >= o.silenceMs) break;
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
    if (p.mustClose && !wire.closed) {
      checker.failures.push(
        `connection still open ${o.replyTimeoutMs} ms after a bad command_length`,
      );
    }
    if (wire.closed && wire.buffered > 0) {
      checker.failures.push(`gateway closed with ${wire.buffered} octets of a partial frame sent`);
    }
    return caseResult(checker, wire);
  } finally {
    await wire.close();
  }
}

/**
 * Runs `cases` fuzz cases (or the `only` ones) against a gateway, `concurrency` at a time, with a
 * health check after every `healthEvery` cases and at the end. Failures carry seed and index.
 */
export async function runFuzz(opts: FuzzOptions): Promise<FuzzResult> {
  const o: RunSettings = {
    hostname: "127.0.0.1",
    cases: 5000,
    seed: 1,
    credentials: { systemId: "test", password: "secret" },
    concurrency: 8,
    healthEvery: 250,
    silenceMs: 50,
    replyTimeoutMs: 3000,
    maxPduLength: MAX_PDU_LENGTH,
    maxFailures: 20,
    ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)),
  } as RunSettings;
  const indexes = opts.only ? [...opts.only] : Array.from({ length: o.cases }, (_, i) => i);
  const result: FuzzResult = {
    seed: o.seed,
    cases: 0,
    failures: [],
    elapsedMs: 0,
    casesPerSec: 0,
    kinds: {},
    replies: 0,
    closedByGateway: 0,
    healthChecks: 0,
    accepted: 0,
  };
  const stored = new Map<string, Uint8Array | null>();
  const started = performance.now();
  const health = async () => {
    const msgs = await healthCheck({ ...o, store: opts.store }, stored, result.healthChecks++);
    if (msgs.length) {
      result.failures.push({ seed: o.seed, index: -1, kind: "health", messages: msgs, hex: "" });
    }
  };
  for (let b = 0; b < indexes.length && result.failures.length < o.maxFailures;) {
    const batch = indexes.slice(b, b += o.healthEvery);
    let next = 0;
    const worker = async () => {
      while (next < batch.length && result.failures.length < o.maxFailures) {
        const index = batch[next++];
        let c: FuzzCase | undefined;
        let r: CaseResult;
        try {
          c = fuzzCase(new Rng(caseSeed(o.seed, index)), o, opts.kind);
          result.kinds[c.kind] = (result.kinds[c.kind] ?? 0) + 1;
          r = await runCase(c, o);
        } catch (e) {
          r = {
            failures: [`harness error: ${String(e)}`],
            matched: 0,
            accepted: [],
            closed: false,
          };
        }
        result.cases++;
        result.replies += r.matched;
        for (const id of r.accepted) stored.set(id, null);
        if (r.closed) result.closedByGateway++;
        if (r.failures.length) {
          const [kind, hex] = c ? [c.kind, hexOf(c)] : ["?", ""];
          result.failures.push({ seed: o.seed, index, kind, messages: r.failures, hex });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.concurrency, batch.length) }, worker));
    await health();
    opts.onProgress?.(result.cases, result.failures.length);
  }
  if (opts.sessions) {
    const deadline = performance.now() + o.replyTimeoutMs;
    while (opts.sessions() > 0 && performance.now() < deadline) await sleep(10);
    if (opts.sessions() > 0) {
      result.failures.push({
        seed: o.seed,
        index: -1,
        kind: "health",
        messages: [`${opts.sessions()} sessions still open after every client closed`],
        hex: "",
      });
    }
  }
  result.accepted = stored.size;
  result.elapsedMs = performance.now() - started;
  result.casesPerSec = result.cases / (result.elapsedMs / 1000);
  return result;
}
