/**
 * Crash-recovery harness ("acknowledged means stored"), shared by tests/e2e/crash_test.ts
 * (a few rounds in CI) and bench/soak.ts (many rounds).
 *
 * One round: start `main.ts serve` as a child process on a fresh KV file, bind a receiver (it
 * acknowledges a seeded half of the receipts, refuses the rest) and several pipelining
 * transmitters, SIGKILL the process at a seeded random moment and look at the KV file while
 * nothing runs (`kills` times, so a later kill hits a recovering process); then restart on the
 * same file, submit a little more, collect receipts, stop with SIGTERM and check the KV file once
 * more. A broken promise throws an Error naming it (with the seed that reproduces it):
 *
 * - every submit_sm answered OK is stored at each kill, with a final state or at or above the
 *   route checkpoint (where the resume scan starts),
 *   and the persisted id floor covers every id handed out;
 * - a settled message's receipt is queued in KV unless a receiver already acknowledged it;
 * - after the restart every answered message's receipt arrives (at least once) unless a
 *   receiver acknowledged it before a kill, and every receipt queued at the last kill arrives;
 * - no message id is handed out twice, across all runs;
 * - after a clean stop every answered message has its body and a DELIVERED state, and no job or
 *   receipt is left.
 */
import { storedMessages } from "./records.ts";
import { encode, type Pdu } from "../../lib/smpp/codec.ts";
import { Rng } from "./rng.ts";
import { Status } from "../../lib/smpp/status.ts";
import { Tag, tlvInt, tlvString } from "../../lib/smpp/tlvs.ts";
import type {
  JobRecord,
  MessageRecord,
  ReceiptRecord,
  StateRecord,
} from "../../lib/store/records.ts";
import { TestClient, within } from "./client.ts";
import { GatewayProcess } from "./process.ts";
import { decodeReceiptPage, decodeState, decodeStateRun } from "../../lib/store/layouts.ts";
import { WaitTimeout, waitUntil } from "./wait.ts";

const ACCOUNT = { systemId: "test", password: "secret" };
const RECEIPT_TEXT = /^id:(\d+) sub:001 dlvrd:001 .* stat:DELIVRD err:000 text:/;
const DELIVERED = 2;

/** Settings of one round; all but `seed` have defaults fit for CI. */
export interface CrashOptions {
  /** Seeds the kill moment and the receiver's ack/nack choices. */
  seed: number;
  /** Each kill comes this many ms after its run's first submit_sm_resp, drawn from [min, max]. */
  killMinMs?: number;
  killMaxMs?: number;
  /** Runs SIGKILLed under load before the last run (default 1; 2 also crashes a recovery). */
  kills?: number;
  /** Transmitter sessions and unanswered submit_sm each keeps in flight. */
  transmitters?: number;
  pipeline?: number;
  /** How long load runs after the restart. */
  afterMs?: number;
  /** Simulator delay before a message is settled (and its receipt queued). */
  delayMs?: number;
  /** Share of receipts the first-run receiver acknowledges (the rest get ESME_RX_T_APPN). */
  ackRatio?: number;
  /** Progress lines. */
  log?: (line: string) => void;
  /** Keep the temp dir (KV file, config) when the round fails, for a post-mortem. */
  keepOnFailure?: boolean;
}

/** What a round saw. */
export interface CrashResult {
  seed: number;
  /** When each kill came, in ms after that run's first submit_sm_resp. */
  killedAt: number[];
  /** submit_sm answered OK before the last kill and in the last run. */
  ackedBefore: number;
  ackedAfter: number;
  /** submit_sm in flight (no response) when a process died. */
  unanswered: number;
  /** submit_sm answered with an error status (e.g. throttled). */
  refused: number;
  /** Unsettled jobs and queued receipts found in the KV file after the kills (summed). */
  jobsAtKills: number;
  receiptsAtKills: number;
  /** Distinct receipts acknowledged by a receiver before the last kill and in the last run. */
  receiptsBefore: number;
  receiptsAfter: number;
  /** Receipts delivered more than once (allowed: at-least-once). */
  duplicateReceipts: number;
  /** Longest time a restarted process took to print its listening line (with the lease wait). */
  restartMs: number;
  totalMs: number;
}

/** mulberry32 (the fuzzer's Rng): deterministic, so failures reproduce. */
export function prng(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}

function check(ok: unknown, message: string): asserts ok {
  if (!ok) throw new Error(message);
}

function sample(ids: Iterable<string>, n = 5): string {
  return [...ids].slice(0, n).join(", ");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function bound(port: number, type: "transmitter" | "receiver"): Promise<TestClient> {
  const c = await TestClient.connect(port);
  try {
    const r = await c.bind(ACCOUNT.systemId, ACCOUNT.password, type);
    check(r.status === Status.ESME_ROK, `bind_${type} answered status 0x${r.status.toString(16)}`);
  } catch (e) {
    c.close();
    await c.closed;
    throw e;
  }
  return c;
}

/** Message ids answered OK (with the text sent), across all runs of a round. */
class Ledger {
  readonly acked = new Map<string, string>();
  readonly reused: string[] = [];
  unanswered = 0;
  refused = new Map<number, number>();
}

/** Keeps `pipeline` submit_sm in flight on one session until `stop()` or the connection ends. */
async function transmit(
  c: TestClient,
  tag: string,
  pipeline: number,
  stop: () => boolean,
  ledger: Ledger,
): Promise<void> {
  const closed = c.closed.then(() => null);
  const worker = async (w: number) => {
    for (let i = 0; i < 1_000_000 && !stop(); i++) {
      const text = `${tag}.${w}.${i}`;
      const resp = c.send({
        command: "submit_sm",
        body: {
          source_addr: "Acme",
          destination_addr: "447700900123",
          registered_delivery: 1,
          short_message: new TextEncoder().encode(text),
        },
      });
      const r: Pdu | null = await within(Promise.race([resp, closed]), 10_000, "submit_sm_resp");
      if (r === null) {
        ledger.unanswered++;
        return;
      }
      if (r.status !== Status.ESME_ROK) {
        ledger.refused.set(r.status, (ledger.refused.get(r.status) ?? 0) + 1);
        continue;
      }
      const id = r.body.message_id as string;
      if (ledger.acked.has(id)) ledger.reused.push(id);
      else ledger.acked.set(id, text);
    }
  };
  await Promise.all(Array.from({ length: pipeline }, (_, w) => worker(w)));
}

/** A receiver session that answers each receipt (OK with probability `ackRatio`, else 0x64). */
class ReceiptSink {
  /** Ids of receipts answered OK, in arrival order (duplicates kept). */
  readonly acked: string[] = [];
  nacked = 0;
  readonly problems: string[] = [];
  readonly #c: TestClient;
  #stop = false;
  readonly #loop: Promise<void>;

  constructor(c: TestClient, ackRatio: number, rand: () => number) {
    this.#c = c;
    c.autoAck = false;
    this.#loop = this.#run(ackRatio, rand);
  }

  async #run(ackRatio: number, rand: () => number) {
    let closed = false;
    this.#c.closed.then(() => closed = true);
    for (let i = 0; i < 10_000_000 && !this.#stop && !closed; i++) {
      let p: Pdu;
      try {
        p = await this.#c.next(100);
      } catch {
        continue; // nothing yet
      }
      const text = new TextDecoder().decode(p.body.short_message as Uint8Array);
      const id = tlvString(p.tlvs, Tag.receipted_message_id) ?? "";
      if (!RECEIPT_TEXT.test(text) || text.match(RECEIPT_TEXT)![1] !== id) {
        this.problems.push(`unexpected receipt ${JSON.stringify(text)} (TLV id ${id})`);
      } else if (tlvInt(p.tlvs, Tag.message_state) !== DELIVERED) {
        this.problems.push(
          `receipt for ${id} has message_state ${tlvInt(p.tlvs, Tag.message_state)}`,
        );
      }
      const ok = rand() < ackRatio;
      try {
        await this.#c.raw(
          encode({
            command: "deliver_sm_resp",
            seq: p.seq,
            status: ok ? Status.ESME_ROK : Status.ESME_RX_T_APPN,
          }),
        );
      } catch {
        continue; // the gateway is gone: the receipt was not acknowledged
      }
      if (ok) this.acked.push(id);
      else this.nacked++;
    }
  }

  /** Waits until `ids` have all been acknowledged here; returns the ones still missing. */
  async waitFor(ids: Set<string>, timeoutMs: number): Promise<Set<string>> {
    const missing = new Set(ids);
    let seen = 0;
    const done = () => {
      for (; seen < this.acked.length; seen++) missing.delete(this.acked[seen]);
      return missing.size === 0;
    };
    try {
      await waitUntil(done, timeoutMs, "receipts acknowledged");
    } catch (e) {
      if (!(e instanceof WaitTimeout)) throw e; // the caller reports what is missing
    }
    return missing;
  }

  /** Waits until no receipt arrived for `quietMs` (at most `timeoutMs`). */
  async quiet(quietMs: number, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    let last = this.acked.length + this.nacked;
    let since = Date.now();
    while (Date.now() - since < quietMs && Date.now() < deadline) {
      await sleep(20);
      const now = this.acked.length + this.nacked;
      if (now !== last) [last, since] = [now, Date.now()];
    }
  }

  /** Stops answering and closes the session. */
  async close() {
    this.#stop = true;
    this.#c.close();
    await this.#c.closed;
    await this.#loop;
  }
}

/** What the KV file holds for the message, state, job, receipt and id-floor keys. */
interface Snapshot {
  msgs: Map<string, MessageRecord>;
  states: Map<string, StateRecord>;
  jobs: Map<string, JobRecord>;
  receipts: Map<string, ReceiptRecord>;
  idFloor: number;
  /** The simulator route's checkpoint: the resume scan starts there. */
  checkpoint: string;
}

/**
 * Every stored message's state, its own or its state run's, by message id. Throws when a message
 * has two (a state of its own inside a run, or two runs over it): a run may only cover messages
 * it settled.
 */
async function statesIn(kv: Deno.Kv): Promise<Map<string, StateRecord>> {
  const out = new Map<string, StateRecord>();
  const ids = [...(await storedMessages(kv)).keys()];
  for await (const e of kv.list({ prefix: ["state"] })) {
    out.set(String(e.key[1]), decodeState(e.value));
  }
  for await (const e of kv.list<Uint8Array>({ prefix: ["srun"] })) {
    const { last, ...state } = decodeStateRun(e.value);
    const first = String(e.key[1]);
    for (const id of ids) {
      if (id < first || id > last) continue;
      if (out.has(id)) throw new Error(`message ${id} has two states (run ${first}..${last})`);
      out.set(id, state);
    }
  }
  return out;
}

/** Every receipt in the outbox pages, by message id. */
async function receiptsIn(kv: Deno.Kv): Promise<Map<string, ReceiptRecord>> {
  const out = new Map<string, ReceiptRecord>();
  for await (const e of kv.list({ prefix: ["dlr"] })) {
    for (const r of decodeReceiptPage(String(e.key[1]), e.value)) out.set(r.messageId, r);
  }
  return out;
}

async function snapshot(path: string): Promise<Snapshot> {
  const kv = await Deno.openKv(path);
  try {
    // Values as stored, read by the store's own layout readers.
    const all = async <T>(prefix: Deno.KvKey, read: (key: Deno.KvKey, v: unknown) => T) => {
      const out = new Map<string, T>();
      for await (const e of kv.list({ prefix })) {
        out.set(String(e.key.at(-1)), read(e.key, e.value));
      }
      return out;
    };
    return {
      msgs: await storedMessages(kv),
      states: await statesIn(kv),
      jobs: await all(["job"], (_, v) => v as JobRecord),
      receipts: await receiptsIn(kv),
      idFloor: Number((await kv.get<Deno.KvU64>(["ids", 0])).value?.value ?? 0n),
      checkpoint: String((await kv.get<Deno.KvU64>(["ckpt", "simulator"])).value?.value ?? ""),
    };
  } finally {
    kv.close();
  }
}

/** Everything a round has seen so far, across its runs. */
interface Round {
  readonly ledger: Ledger;
  /** Receipt ids the receivers acknowledged (OK) before a kill. */
  readonly clientAcked: Set<string>;
  readonly where: () => string;
}

/** Checks the KV file right after a kill, while no process has it open. */
function checkAtKill(s: Snapshot, r: Round) {
  const acked = [...r.ledger.acked.keys()];
  const notStored = acked.filter((id) => !s.msgs.has(id));
  check(
    notStored.length === 0,
    `${notStored.length} acknowledged messages are not in KV after the kill: ${
      sample(notStored)
    } ${r.where()}`,
  );
  // A message without a state is its route's job: the resume scan must reach it.
  const unreachable = acked.filter((id) => !s.states.has(id) && id < s.checkpoint);
  check(
    unreachable.length === 0,
    `${unreachable.length} acknowledged messages have no state and lie below the checkpoint ` +
      `${s.checkpoint} after the kill: ${sample(unreachable)} ${r.where()}`,
  );
  const lost = [...s.states.keys()].filter((id) => !s.receipts.has(id) && !r.clientAcked.has(id));
  check(
    lost.length === 0,
    `${lost.length} settled messages have no queued receipt and none was acknowledged: ${
      sample(lost)
    } ${r.where()}`,
  );
  const maxMs = Math.max(0, ...acked.map((id) => Number(id.slice(0, 13))));
  check(
    s.idFloor >= maxMs,
    `id floor ${s.idFloor} is below an acknowledged id's time ${maxMs} ${r.where()}`,
  );
}

/**
 * Runs one round: `kills` runs each SIGKILLed under load (the KV file is checked after each),
 * then a last run that must deliver every receipt owed and stop cleanly. Throws an Error naming
 * the first broken promise.
 */
export async function crashRound(o: CrashOptions): Promise<CrashResult> {
  const t0 = Date.now();
  // Kill moments come from the seed alone; ack choices depend on arrival order too.
  const rand = prng(o.seed);
  const ackRand = prng(o.seed ^ 0x5bd1e995);
  const killMin = o.killMinMs ?? 50;
  const killMax = o.killMaxMs ?? 500;
  const kills = Math.max(1, o.kills ?? 1);
  const transmitters = o.transmitters ?? 3;
  const pipeline = o.pipeline ?? 32;
  const log = o.log ?? (() => {});
  const dir = await Deno.makeTempDir({ prefix: "smppgw-crash-" });
  const kvPath = `${dir}/gw.kv`;
  const configPath = `${dir}/config.json`;
  await Deno.writeTextFile(
    configPath,
    JSON.stringify({
      leaseSec: 0.5,
      accounts: [{ ...ACCOUNT, maxSessions: 10, window: 100 }],
      simulator: { delayMs: o.delayMs ?? 200 },
      receipts: { retrySec: 0.05, retryMaxSec: 0.2 },
    }),
  );
  const args = ["--port", "0", "--kv", kvPath, "--config", configPath, "--log-level", "error"];
  const killedAt: number[] = [];
  const r: Round = {
    ledger: new Ledger(),
    clientAcked: new Set(),
    where: () => `(seed ${o.seed}, killed at ${killedAt.join(", ")} ms, KV ${kvPath})`,
  };
  const ledger = r.ledger;
  const clients: TestClient[] = [];
  const sinks: ReceiptSink[] = [];
  let gw: GatewayProcess | undefined;
  let restartMs = 0;
  let keep = false;
  let atKill: Snapshot | undefined;
  let jobsAtKills = 0;
  let receiptsAtKills = 0;
  const start = async () => {
    const at = Date.now();
    gw = await GatewayProcess.start(args);
    if (killedAt.length > 0) restartMs = Math.max(restartMs, Date.now() - at);
    return gw;
  };
  const transmittersOn = async (port: number) => {
    clients.length = 0;
    for (let i = 0; i < transmitters; i++) clients.push(await bound(port, "transmitter"));
    return [...clients];
  };
  try {
    for (let k = 0; k < kills; k++) {
      // A run under load, SIGKILLed at a seeded moment.
      const killAfterMs = Math.round(killMin + rand() * (killMax - killMin));
      const run = await start();
      const rx = new ReceiptSink(await bound(run.port, "receiver"), o.ackRatio ?? 0.5, ackRand);
      sinks.push(rx);
      const txs = await transmittersOn(run.port);
      const ackedSoFar = ledger.acked.size;
      const load = txs.map((c, i) => transmit(c, `r${k}t${i}`, pipeline, () => false, ledger));
      // The kill clock starts at the first answer, so a slow machine still kills under load.
      await waitUntil(
        () => ledger.acked.size > ackedSoFar,
        10_000,
        `a submit_sm answered ${r.where()}`,
      );
      const loadStart = Date.now();
      await sleep(killAfterMs);
      const status = await run.stop("SIGKILL");
      check(status.signal === "SIGKILL", `gateway was not killed: ${JSON.stringify(status)}`);
      killedAt.push(Date.now() - loadStart);
      await within(Promise.all(load), 10_000, "transmitters noticing the kill");
      await within(Promise.all(txs.map((c) => c.closed)), 5000, "sessions closing");
      await within(rx.close(), 5000, "receiver closing");
      for (const id of rx.acked) r.clientAcked.add(id);
      log(
        `seed ${o.seed}: killed at ${killedAt.at(-1)} ms with ${ledger.acked.size} acknowledged ` +
          `so far, ${ledger.unanswered} in flight, ${rx.acked.length} receipts acknowledged`,
      );
      // While nothing runs: what was acknowledged is in the file.
      const snap = await snapshot(kvPath);
      atKill = snap;
      jobsAtKills += [...snap.msgs.keys()].filter((id) => !snap.states.has(id)).length;
      receiptsAtKills += atKill.receipts.size;
      checkAtKill(atKill, r);
    }
    const ackedBefore = ledger.acked.size;

    // The last run: a receiver that acknowledges everything, then a little more load.
    const run = await start();
    const rx = new ReceiptSink(await bound(run.port, "receiver"), 1, ackRand);
    sinks.push(rx);
    const txs = await transmittersOn(run.port);
    const until = Date.now() + (o.afterMs ?? 150);
    await within(
      Promise.all(
        txs.map((c, i) => transmit(c, `end${i}`, pipeline, () => Date.now() >= until, ledger)),
      ),
      15_000,
      "load after the restart",
    );
    check(
      ledger.reused.length === 0,
      `${ledger.reused.length} message ids were handed out twice: ${
        sample(ledger.reused)
      } ${r.where()}`,
    );
    const ackedAfter = ledger.acked.size - ackedBefore;
    check(ackedAfter > 0, `no submit_sm was answered after the restart ${r.where()}`);

    // Every receipt owed arrives: answered messages not acknowledged before, and all queued ones.
    const owed = new Set([...ledger.acked.keys()].filter((id) => !r.clientAcked.has(id)));
    for (const id of atKill!.receipts.keys()) owed.add(id);
    const missing = await rx.waitFor(owed, 20_000);
    check(
      missing.size === 0,
      `${missing.size} of ${owed.size} receipts owed did not arrive after the restart: ${
        sample(missing)
      } ${r.where()}`,
    );
    await rx.quiet(300, 5000);

    // Clean stop, then the file holds every message with its final state and nothing pending.
    const stopStatus = await run.stop("SIGTERM");
    check(stopStatus.code === 0, `gateway exited with ${JSON.stringify(stopStatus)} on SIGTERM`);
    await within(Promise.all(txs.map((c) => c.closed)), 5000, "sessions closing");
    await within(rx.close(), 5000, "last receiver closing");
    const end = await snapshot(kvPath);
    for (const [id, text] of ledger.acked) {
      const m = end.msgs.get(id);
      check(m, `acknowledged message ${id} is not in KV at the end ${r.where()}`);
      const stored = new TextDecoder().decode(m.body);
      check(
        stored === text && m.account === ACCOUNT.systemId,
        `message ${id} holds ${JSON.stringify(stored)}, sent ${JSON.stringify(text)} ${r.where()}`,
      );
      check(
        end.states.get(id)?.state === DELIVERED,
        `message ${id} has state ${JSON.stringify(end.states.get(id))} at the end ${r.where()}`,
      );
    }
    const unsettled = [...end.msgs.keys()].filter((id) => !end.states.has(id));
    check(
      end.jobs.size === 0 && unsettled.length === 0,
      `${end.jobs.size} jobs and ${unsettled.length} unsettled messages left at the end ${r.where()}`,
    );
    check(
      end.receipts.size === 0,
      `${end.receipts.size} receipts left at the end: ${sample(end.receipts.keys())} ${r.where()}`,
    );
    const received = sinks.flatMap((s) => s.acked);
    const phantom = received.filter((id) => !end.msgs.has(id));
    check(phantom.length === 0, `receipts for unknown messages: ${sample(phantom)} ${r.where()}`);
    const problems = sinks.flatMap((s) => s.problems);
    check(problems.length === 0, `${problems[0]} ${r.where()}`);
    const result: CrashResult = {
      seed: o.seed,
      killedAt,
      ackedBefore,
      ackedAfter,
      unanswered: ledger.unanswered,
      refused: [...ledger.refused.values()].reduce((a, b) => a + b, 0),
      jobsAtKills,
      receiptsAtKills,
      receiptsBefore: r.clientAcked.size,
      receiptsAfter: new Set(rx.acked).size,
      duplicateReceipts: received.length - new Set(received).size,
      restartMs,
      totalMs: Date.now() - t0,
    };
    log(`seed ${o.seed}: ${summarize(result)}`);
    return result;
  } catch (e) {
    if (o.keepOnFailure) keep = true;
    const output = (gw as GatewayProcess | undefined)?.output.trim();
    if (output) (e as Error).message += `\n--- gateway output ---\n${output.slice(-4000)}`;
    throw e;
  } finally {
    await (gw as GatewayProcess | undefined)?.stop("SIGKILL").catch(() => {});
    for (const c of clients) c.close();
    await Promise.all(clients.map((c) => c.closed));
    await Promise.all(sinks.map((s) => s.close()));
    if (!keep) await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** One line about a round. */
export function summarize(r: CrashResult): string {
  return `killed at ${r.killedAt.join("+")} ms: ${r.ackedBefore}+${r.ackedAfter} acknowledged ` +
    `(${r.unanswered} in flight at kills${
      r.refused ? `, ${r.refused} refused` : ""
    }), ${r.jobsAtKills} jobs and ${r.receiptsAtKills} ` +
    `receipts queued at kills, receipts ${r.receiptsBefore} before + ${r.receiptsAfter} after ` +
    `(${r.duplicateReceipts} duplicates), restart ${r.restartMs} ms, round ${r.totalMs} ms`;
}
