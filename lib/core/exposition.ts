/**
 * The Prometheus text exposition format 0.0.4, written from the metric table: `# HELP` and
 * `# TYPE` before each family's samples, label values escaped, histograms as cumulative
 * `_bucket{le}` series with `_sum` and `_count`. Label names come from the table, so a sample
 * with a wrong label does not compile.
 *
 * ```ts
 * import { renderMetrics } from "./exposition.ts";
 * // values: one entry per metric of METRICS (samples, or a Histogram)
 * // const text = renderMetrics(counters, values);
 * ```
 */
import type { Counters } from "./counters.ts";
import { Histogram } from "./histogram.ts";
import { allMetrics, type MetricName, METRICS } from "./metrics.ts";

/** The Content-Type of the exposition. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** One sample of a metric whose labels are `L`. */
export interface Sample<L extends string = string> {
  readonly labels: Readonly<Record<L, string>>;
  readonly value: number;
}

type Def<N extends MetricName> = (typeof METRICS)[N];

/** What a metric of the table is given at scrape: its samples, or its histogram. */
export type MetricValue<N extends MetricName> = Def<N>["type"] extends "histogram" ? Histogram
  : readonly Sample<Def<N>["labels"][number]>[];

/** A value for every metric of the table. */
export type MetricValues = { readonly [N in MetricName]: MetricValue<N> };

/** `\` `"` and newlines escaped, as a label value must be. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** `\` and newlines escaped, as help text must be. */
function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

function labelText(labels: Readonly<Record<string, string>>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

function histogramLines(name: string, h: Histogram): string[] {
  const counts = h.cumulative();
  const lines = h.bounds.map((b, i) => `${name}_bucket{le="${formatValue(b)}"} ${counts[i]}`);
  lines.push(`${name}_bucket{le="+Inf"} ${counts[counts.length - 1]}`);
  lines.push(`${name}_sum ${formatValue(h.sum)}`, `${name}_count ${h.count}`);
  return lines;
}

/**
 * The exposition of every metric of {@link allMetrics}: the table's from `values`, the plain
 * counters from `counters`.
 */
export function renderMetrics(counters: Counters, values: MetricValues): string {
  const out: string[] = [];
  for (const m of allMetrics()) {
    out.push(`# HELP ${m.name} ${escapeHelp(m.help)}`, `# TYPE ${m.name} ${m.type}`);
    const v = m.name in values ? values[m.name as MetricName] : undefined;
    if (v instanceof Histogram) out.push(...histogramLines(m.name, v));
    else if (v) {
      for (const s of v) out.push(`${m.name}${labelText(s.labels)} ${formatValue(s.value)}`);
    } else out.push(`${m.name} ${counters[m.counter!]}`);
  }
  return out.join("\n") + "\n";
}
