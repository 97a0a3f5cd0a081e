/**
 * Every metric `GET /metrics` serves, in one table: name, type, help, labels (and buckets). The
 * exposition (`lib/core/exposition.ts`), the README table and the tests all read it. Every counter
 * of `lib/core/counters.ts` is a metric too, `smppgw_<snake_name>_total` with its help text, unless
 * an entry below stands for it with labels (its `counter` field; the labelled series add up to
 * the counter).
 *
 * ```ts
 * import { allMetrics } from "./metrics.ts";
 * for (const m of allMetrics()) console.log(m.name, m.type, m.labels.join(","), m.help);
 * ```
 */
import { type CounterName, COUNTERS } from "./counters.ts";

/** Bind types, as the `bind_type` label spells them. */
export const BIND_TYPES = ["transmitter", "receiver", "transceiver"] as const;
/** A bind type. */
export type BindType = typeof BIND_TYPES[number];

/** Why a bind was refused: the `reason` label of `smppgw_bind_failures_total`. */
export const BIND_FAILURE_REASONS = [
  "bad_password",
  "unknown_account",
  "max_sessions",
  "locked_out",
  "ip_not_allowed",
  "account_disabled",
  "account_removed",
  "busy",
  "shutting_down",
] as const;
/** A bind refusal reason. */
export type BindFailureReason = typeof BIND_FAILURE_REASONS[number];

/** Why a request was answered ESME_RTHROTTLED: the `reason` label of `smppgw_throttled_total`. */
export const THROTTLE_REASONS = ["window", "tps", "quota"] as const;
/** A throttling reason. */
export type ThrottleReason = typeof THROTTLE_REASONS[number];

/** The kind of a metric, as the exposition's `# TYPE` line says it. */
export type MetricType = "counter" | "gauge" | "histogram";

/** One metric of the table. */
export interface MetricDef {
  /** counter, gauge or histogram. */
  readonly type: MetricType;
  /** What it measures (the `# HELP` text and the README's). */
  readonly help: string;
  /** Its label names, in order. */
  readonly labels: readonly string[];
  /** Upper bounds of a histogram's buckets (`+Inf` is implied). */
  readonly buckets?: readonly number[];
  /** The plain counter of `lib/core/counters.ts` this labelled metric stands for. */
  readonly counter?: CounterName;
}

/** A metric of the table with its name. */
export interface NamedMetric extends MetricDef {
  /** The metric name, e.g. `smppgw_binds_total`. */
  readonly name: string;
}

const list = (values: readonly string[]) => values.join(", ");

/** The metrics beside the plain counters (which {@link allMetrics} adds). */
export const METRICS = {
  smppgw_binds_total: {
    type: "counter",
    help: `successful binds, by bind_type (${list(BIND_TYPES)})`,
    labels: ["bind_type"],
    counter: "binds",
  },
  smppgw_bind_failures_total: {
    type: "counter",
    help: `refused binds, by reason (${list(BIND_FAILURE_REASONS)})`,
    labels: ["reason"],
    counter: "bindFailures",
  },
  smppgw_throttled_total: {
    type: "counter",
    help: `requests answered ESME_RTHROTTLED (0x58), by reason (${list(THROTTLE_REASONS)})`,
    labels: ["reason"],
  },
  smppgw_pdus_total: {
    type: "counter",
    help:
      "PDUs on ESME sessions, by direction (in, out), command (unknown for an unknown command_id) " +
      "and status (the command_status name of a response, other above 0xFF; requests count as " +
      "ESME_ROK)",
    labels: ["direction", "command", "status"],
  },
  smppgw_submitted_total: {
    type: "counter",
    help: "submit_sm / data_sm accepted and stored, by account",
    labels: ["account"],
    counter: "submitted",
  },
  smppgw_submitted_parts_total: {
    type: "counter",
    help: "SMS parts accepted (a long message_payload counts the parts it needs), by account",
    labels: ["account"],
    counter: "submittedParts",
  },
  smppgw_connections_open: {
    type: "gauge",
    help: "SMPP connections open now, bound or not",
    labels: [],
  },
  smppgw_sessions: {
    type: "gauge",
    help: "bound sessions now, by bind_type and account",
    labels: ["bind_type", "account"],
  },
  smppgw_receipt_outbox_depth: {
    type: "gauge",
    help:
      "receipts (and inbound messages) waiting in the outbox, by account: held in memory and not " +
      "yet acknowledged or expired, plus those stored since start and not loaded yet. Receipts " +
      "stored before this start count once read, when a receiver binds (see " +
      "smppgw_receipt_outbox_unloaded)",
    labels: ["account"],
  },
  smppgw_receipt_outbox_oldest_seconds: {
    type: "gauge",
    help:
      "age in seconds of the oldest receipt waiting (by its outbox page's oldest), by account; " +
      "0 when none",
    labels: ["account"],
  },
  smppgw_receipt_outbox_unloaded: {
    type: "gauge",
    help:
      "1 while KV may hold receipts of the account that the depth does not count (stored before " +
      "this start, or beyond the memory limit), else 0",
    labels: ["account"],
  },
  smppgw_route_jobs_pending: {
    type: "gauge",
    help: "messages accepted (or resumed) and not yet given a final state, all routes together",
    labels: [],
  },
  smppgw_kv_commit_mutations: {
    type: "histogram",
    help: "mutations per KV atomic commit (group commit batch size)",
    labels: [],
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
  },
  smppgw_kv_commit_seconds: {
    type: "histogram",
    help: "time one KV atomic commit took, in seconds",
    labels: [],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  },
  smppgw_start_time_seconds: {
    type: "gauge",
    help: "when the gateway started, in seconds since the Unix epoch",
    labels: [],
  },
} as const satisfies Record<string, MetricDef>;

/** The name of a metric of {@link METRICS}. */
export type MetricName = keyof typeof METRICS;

/** `receiptsAcked` → `smppgw_receipts_acked_total`. */
export function counterMetricName(counter: CounterName): string {
  return `smppgw_${counter.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}_total`;
}

/**
 * Every metric served, in order: the {@link METRICS} table, then each plain counter no entry
 * stands for, as a counter without labels.
 */
export function allMetrics(): NamedMetric[] {
  const table: NamedMetric[] = Object.entries(METRICS).map(([name, def]) => ({ name, ...def }));
  const covered = new Set<string>(table.map((m) => m.counter).filter((c) => c !== undefined));
  for (const [counter, help] of Object.entries(COUNTERS) as [CounterName, string][]) {
    if (covered.has(counter)) continue;
    table.push({ name: counterMetricName(counter), type: "counter", help, labels: [], counter });
  }
  return table;
}

/** The README's metric table, from {@link allMetrics}. */
export function metricsTableMarkdown(): string {
  const labels = (m: NamedMetric) => m.labels.map((l) => `\`${l}\``).join(", ");
  return [
    "| metric | type | labels | what |",
    "|---|---|---|---|",
    ...allMetrics().map((m) => `| \`${m.name}\` | ${m.type} | ${labels(m)} | ${m.help} |`),
  ].join("\n");
}
