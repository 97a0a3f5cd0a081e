/** The summary lines at the end of `deno task bench`: each issue-9 target with PASS or MISS. */
import { fmtMs, fmtNum, fmtRate, type Row } from "./stats.ts";

/** The median rows of one compared scenario, by server. */
export interface Compared {
  smppgw?: Row;
  /** The gateway under Bun (`--runtime bun`). */
  bun?: Row;
  npm?: Row;
  reference?: Row;
}

/** PASS or MISS; n/a when the value is unknown (e.g. the npm server was not run). */
function verdict(value: number, ok: boolean): string {
  return Number.isFinite(value) ? (ok ? "PASS" : "MISS") : "n/a";
}

const NAN = NaN;

/** The target lines for the compared scenarios "4x100", "1x100" and "receipts". */
export function summaryLines(c: Map<string, Compared>): string[] {
  const out: string[] = [];
  for (const [shape, target] of [["4x100", 2.0], ["1x100", 1.2]] as const) {
    const e = c.get(shape);
    if (!e?.smppgw) continue;
    const g = e.smppgw.rate;
    const n = e.npm?.rate ?? NAN;
    const x = g / n;
    out.push(
      `${shape}: smppgw ${fmtRate(g)}/s vs npm smpp ${fmtRate(n)}/s = ${fmtNum(x, 2)}× ` +
        `(target ≥ ${target.toFixed(1)}×): ${verdict(x, x >= target)}`,
    );
  }
  const r = c.get("receipts");
  if (r?.smppgw) {
    const g = r.smppgw.receiptRate;
    const n = r.npm?.receiptRate ?? NAN;
    const x = g / n;
    const p99 = r.smppgw.receiptP99;
    out.push(
      `receipts: smppgw ${fmtRate(g)} receipts/s vs npm ${fmtRate(n)} = ${fmtNum(x, 2)}× ` +
        `(target ≥ 2.5×): ${verdict(x, x >= 2.5)}, p99 submit→receipt ${fmtMs(p99)} ms ` +
        `(target < 200 ms): ${verdict(p99, p99 < 200)}`,
    );
  }
  const f = c.get("4x100");
  if (f?.smppgw) {
    const g = f.smppgw;
    const others = [f.npm, f.reference].filter((x) => x !== undefined)
      .map((x) => `${x.server} ${fmtNum(x.cpuUs, 1)} µs, ${fmtRate(1e6 / x.cpuUs)}/CPU-s`);
    out.push(
      `server CPU per durable message at 4x100: ${fmtNum(g.cpuUs, 1)} µs (target ≤ 17 µs): ${
        verdict(g.cpuUs, g.cpuUs <= 17)
      }; msgs per server CPU-second: ${fmtRate(1e6 / g.cpuUs)}` +
        (others.length > 0 ? ` (${others.join("; ")})` : ""),
      `p99 submit→resp at 4x100: ${fmtMs(g.p99)} ms (target ≤ 10 ms): ${
        verdict(g.p99, g.p99 <= 10)
      }`,
      `KV bytes per message: ${fmtNum(g.kvBytes, 0)} (mutations: ${fmtNum(g.kvMutations, 2)}; ` +
        `${fmtNum(g.msgs / g.kvCommits, 0)} messages per commit at 4x100)`,
    );
  }
  const bun = ["4x100", "1x100", "receipts"].map((s) => [s, c.get(s)] as const)
    .filter(([, e]) => e?.bun && e.smppgw);
  for (const [s, e] of bun) {
    const [d, b] = [e!.smppgw!, e!.bun!];
    out.push(
      s === "receipts"
        ? `Bun vs Deno, receipts: ${fmtRate(b.receiptRate)} vs ${fmtRate(d.receiptRate)} ` +
          `receipts/s (${fmtNum(b.receiptRate / d.receiptRate, 2)}×), p99 submit→receipt ` +
          `${fmtMs(b.receiptP99)} vs ${fmtMs(d.receiptP99)} ms`
        : `Bun vs Deno, ${s}: ${fmtRate(b.rate)} vs ${fmtRate(d.rate)} msgs/s ` +
          `(${fmtNum(b.rate / d.rate, 2)}×), server CPU ${fmtNum(b.cpuUs, 1)} vs ` +
          `${fmtNum(d.cpuUs, 1)} µs/msg, p99 submit→resp ${fmtMs(b.p99)} vs ${fmtMs(d.p99)} ms, ` +
          `RSS ${fmtNum(b.rssMb, 0)} vs ${fmtNum(d.rssMb, 0)} MB`,
    );
  }
  const ref = ["4x100", "1x100", "receipts"].map((s) => [s, c.get(s)?.reference] as const)
    .filter(([, x]) => x !== undefined);
  if (ref.length > 0) {
    out.push(
      `reference (deno-kv-smsc, durable group commit): ${
        ref.map(([s, x]) =>
          s === "receipts"
            ? `receipts ${fmtRate(x!.receiptRate)}/s (p99 ${fmtMs(x!.receiptP99)} ms)`
            : `${s} ${fmtRate(x!.rate)}/s at ${fmtNum(x!.cpuUs, 1)} µs/msg`
        ).join(", ")
      }`,
    );
  }
  return out;
}
