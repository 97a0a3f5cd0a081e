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

/** One row of the results table. */
export interface Row {
  server: string;
  conns: number;
  window: number;
  msgs: number;
  /** Completed submit_sm per second. */
  rate: number;
  p50: number;
  p99: number;
  nonOk: number;
  /** Free-form remark (e.g. "timeout"). */
  note?: string;
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

/** Renders rows as a Markdown table. */
export function markdownTable(rows: readonly Row[]): string {
  const head = [
    "server",
    "conns",
    "window",
    "msgs",
    "msgs/s",
    "p50 ms",
    "p99 ms",
    "non-OK responses",
  ];
  const lines = [
    `| ${head.join(" | ")} |`,
    `|${head.map((_, i) => (i < 1 ? "---" : "---:")).join("|")}|`,
  ];
  for (const r of rows) {
    const cells = [
      r.server,
      String(r.conns),
      String(r.window),
      String(r.msgs),
      fmtRate(r.rate),
      fmtMs(r.p50),
      fmtMs(r.p99),
      String(r.nonOk) + (r.note ? ` (${r.note})` : ""),
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}
