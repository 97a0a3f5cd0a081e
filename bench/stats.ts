/** Benchmark arithmetic and output: percentiles, rates and the Markdown results table. */

/** The `q` quantile (0..1) of `sorted` (ascending), nearest-rank; NaN when empty. */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

/** Joins per-connection latency arrays (their first `counts[i]` values) and sorts the result. */
export function mergeSorted(parts: readonly Float64Array[]): Float64Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Float64Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out.sort();
}

/** One row of the results tables: one scenario on one server (or the medians of its rounds). */
export interface Row {
  server: string;
  conns: number;
  window: number;
  /** submit_sm answered. */
  msgs: number;
  /** Completed submit_sm per second (first send to last response). */
  rate: number;
  /** Submit → submit_sm_resp latency, ms. */
  p50: number;
  p99: number;
  nonOk: number;
  /** Server CPU (user + system, all threads) per message, µs, including work after the run. */
  cpuUs: number;
  /** The load generator's (this process's) CPU per message, µs, during the run. */
  loadCpuUs: number;
  /** Peak resident set size of the server process during the scenario, MB. */
  rssMb: number;
  /** KV bytes and mutations written per message, and commits in all (NaN when unknown). */
  kvBytes: number;
  kvMutations: number;
  kvCommits: number;
  /** Distinct receipts, receipts per second and submit → receipt latency (ms). */
  receipts: number;
  receiptRate: number;
  receiptP50: number;
  receiptP99: number;
  /** Free-form remark (e.g. a timeout). */
  note?: string;
}

/** Each numeric column's median over `rows` (the worst non-OK count); notes joined. */
export function medianRow(rows: readonly Row[]): Row {
  const out = { ...rows[0] };
  for (const k of Object.keys(out) as (keyof Row)[]) {
    if (typeof out[k] !== "number") continue;
    const vals = rows.map((r) => r[k] as number);
    (out[k] as number) = k === "nonOk" ? Math.max(...vals) : median(vals);
  }
  const notes = [...new Set(rows.map((r) => r.note).filter(Boolean))];
  out.note = notes.length > 0 ? notes.join("; ") : undefined;
  return out;
}

/** Formats a number of operations per second with thousands separators. */
export function fmtRate(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a";
}

/** Formats milliseconds with 2 decimals (3 below 1 ms). */
export function fmtMs(n: number): string {
  if (!Number.isFinite(n)) return "n/a";
  return n < 1 ? n.toFixed(3) : n.toFixed(2);
}

/** A number with `digits` decimals, or "–" when unknown. */
export function fmtNum(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : "–";
}

/** The median of `xs` (NaN when empty). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

type Column = [head: string, cell: (r: Row) => string];

const SERVER: Column[] = [
  ["server", (r) => r.server],
  ["conns", (r) => String(r.conns)],
  ["window", (r) => String(r.window)],
  ["msgs", (r) => String(Math.round(r.msgs))],
];
const COST: Column[] = [
  ["server CPU µs/msg", (r) => fmtNum(r.cpuUs, 1)],
  ["msgs per server CPU-s", (r) => fmtRate(1e6 / r.cpuUs)],
  ["load CPU µs/msg", (r) => fmtNum(r.loadCpuUs, 1)],
  ["server RSS MB", (r) => fmtNum(r.rssMb, 0)],
  ["KV bytes/msg", (r) => fmtNum(r.kvBytes, 0)],
  ["KV mutations/msg", (r) => fmtNum(r.kvMutations, 2)],
  ["KV commits", (r) => fmtNum(r.kvCommits, 0)],
  ["non-OK", (r) => String(r.nonOk) + (r.note ? ` (${r.note})` : "")],
];

/** The submit table: throughput and submit → submit_sm_resp latency. */
export function submitTable(rows: readonly Row[]): string {
  return table(rows, [
    ...SERVER,
    ["msgs/s", (r) => fmtRate(r.rate)],
    ["p50 ms", (r) => fmtMs(r.p50)],
    ["p99 ms", (r) => fmtMs(r.p99)],
    ...COST,
  ]);
}

/** The receipt table: receipts per second and submit → receipt latency. */
export function receiptTable(rows: readonly Row[]): string {
  return table(rows, [
    ...SERVER,
    ["submits/s", (r) => fmtRate(r.rate)],
    ["receipts", (r) => String(Math.round(r.receipts))],
    ["receipts/s", (r) => fmtRate(r.receiptRate)],
    ["submit→receipt p50 ms", (r) => fmtMs(r.receiptP50)],
    ["p99 ms", (r) => fmtMs(r.receiptP99)],
    ...COST,
  ]);
}

function table(rows: readonly Row[], cols: readonly Column[]): string {
  const lines = [
    `| ${cols.map((c) => c[0]).join(" | ")} |`,
    `|${cols.map((_, i) => (i < 1 ? "---" : "---:")).join("|")}|`,
  ];
  for (const r of rows) lines.push(`| ${cols.map((c) => c[1](r)).join(" | ")} |`);
  return lines.join("\n");
}
