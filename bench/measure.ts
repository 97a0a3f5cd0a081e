/**
 * One scenario against one server process: waits until the server is idle, drives the load from
 * this process, waits until the server is idle again, and charges the server's CPU time, peak RSS
 * and KV writes between the two idle points to the messages of the run.
 */
import { type Child, cpuSecondsOf } from "./child.ts";
import { ACCOUNT } from "./protocol.ts";
import { runLoad } from "./runner.ts";
import { fmtMs, fmtNum, fmtRate, type Row } from "./stats.ts";

/** Scenario shape: connections × window, and whether every message asks for a receipt. */
export interface Shape {
  conns: number;
  window: number;
  messages: number;
  receipts: boolean;
}

/** "4x100", or "receipts". */
export function label(shape: Shape): string {
  return shape.receipts ? "receipts" : `${shape.conns}x${shape.window}`;
}

/** Whether a server's counters show no work left (settling, receipts unacknowledged). */
function idle(s: Record<string, number>): boolean {
  const n = (k: string) => s[k] ?? 0;
  const settled = !("settled" in s) || n("settled") >= n("submitted");
  const receiptsDone = "receiptsQueued" in s
    ? n("receiptsAcked") + n("receiptsExpired") + n("receiptsRefused") >= n("receiptsQueued") // the gateway's outbox
    : n("receiptsAcked") >= n("receiptsSent"); // the npm server (none such: the reference)
  return settled && receiptsDone;
}

/** Polls the server's counters until it is idle or `ms` have passed; returns the last ones. */
export async function quiesce(child: Child, ms = 60_000): Promise<Record<string, number>> {
  const end = Date.now() + ms;
  while (true) {
    const s = await child.stats();
    if (idle(s)) return s;
    if (Date.now() >= end) {
      if (ms > 0) console.error(`${child.name}: still busy after ${ms} ms: ${JSON.stringify(s)}`);
      return s;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs `shape` against `child` and returns its row (`note` says when it failed). */
export async function measure(
  child: Child,
  shape: Shape,
  timeoutMs: number,
  quiesceMs = 60_000,
): Promise<Row> {
  const s0 = await quiesce(child, quiesceMs);
  const cpu0 = child.cpuSeconds();
  const rss = child.sampleRss();
  const load0 = cpuSecondsOf(Deno.pid);
  const r = await runLoad({
    port: child.port,
    conns: shape.conns,
    window: shape.window,
    messages: shape.messages,
    ...ACCOUNT,
    registeredDelivery: shape.receipts ? 1 : 0,
    waitReceipts: shape.receipts,
    timeoutMs,
  });
  const loadCpu = cpuSecondsOf(Deno.pid) - load0;
  const s1 = await quiesce(child, quiesceMs);
  const cpu = child.cpuSeconds() - cpu0;
  const rssPeak = rss.stop();
  const n = Math.max(1, r.answered);
  const delta = (k: string) => k in s1 ? (s1[k] ?? 0) - (s0[k] ?? 0) : NaN;
  return {
    server: child.name,
    conns: shape.conns,
    window: shape.window,
    msgs: r.answered,
    rate: r.rate,
    p50: r.p50,
    p99: r.p99,
    nonOk: r.nonOk,
    cpuUs: cpu * 1e6 / n,
    loadCpuUs: loadCpu * 1e6 / n,
    rssMb: rssPeak / 2 ** 20,
    kvBytes: delta("kvBytes") / n,
    kvMutations: delta("kvMutations") / n,
    kvCommits: delta("kvCommits"),
    receipts: r.uniqueReceipts,
    receiptRate: shape.receipts ? r.receiptRate : NaN,
    receiptP50: r.receiptP50,
    receiptP99: r.receiptP99,
    note: r.error,
  };
}

/** One progress line (stderr) per run. */
export function progress(shape: Shape, row: Row): void {
  const receipts = shape.receipts
    ? `; ${fmtRate(row.receiptRate)} receipts/s, submit→receipt p99 ${fmtMs(row.receiptP99)} ms`
    : "";
  console.error(
    `${row.server} ${label(shape)}: ${fmtRate(row.rate)}/s, p99 ${fmtMs(row.p99)} ms, ` +
      `server CPU ${fmtNum(row.cpuUs, 1)} µs/msg, load CPU ${
        fmtNum(row.loadCpuUs, 1)
      } µs/msg, RSS ${fmtNum(row.rssMb, 0)} MB${receipts}` +
      (row.note ? `  ERROR: ${row.note}` : ""),
  );
}
