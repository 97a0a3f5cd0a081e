/**
 * A gateway's metrics at scrape time: the counters and meters as they stand, and the gauges
 * computed now from the sessions, the receipt outboxes and the pending route jobs, written in
 * the Prometheus text format (`lib/core/exposition.ts`; the table is `lib/core/metrics.ts`).
 *
 * ```ts
 * import { scrape } from "./scrape.ts";
 * import { newCounters } from "./core/counters.ts";
 * import { Meters } from "./core/meters.ts";
 * const text = scrape({
 *   counters: newCounters(),
 *   meters: new Meters(),
 *   sessions: [],
 *   connections: 0,
 *   outboxes: [],
 *   pendingJobs: 0,
 *   startedAt: Date.now(),
 * });
 * console.log(text.includes("smppgw_receipts_acked_total 0")); // true
 * ```
 */
import type { Counters } from "./core/counters.ts";
import { type MetricValues, renderMetrics, type Sample } from "./core/exposition.ts";
import type { Meters } from "./core/meters.ts";
import {
  BIND_FAILURE_REASONS,
  BIND_TYPES,
  type BindType,
  THROTTLE_REASONS,
} from "./core/metrics.ts";
import type { PduCounts } from "./core/pdu_counts.ts";
import { commandById } from "./smpp/commands.ts";
import type { SessionState } from "./smpp/states.ts";
import { statusName } from "./smpp/status.ts";

/** What a scrape reads. */
export interface ScrapeSources {
  counters: Counters;
  meters: Meters;
  /** Bound sessions (as the session registry holds them). */
  sessions: readonly { readonly account: string; readonly state: SessionState }[];
  /** SMPP connections open, bound or not. */
  connections: number;
  /** The receipt outboxes (see `ReceiptDispatcher.outboxes()`). */
  outboxes: readonly { account: string; depth: number; oldestAt: number; unloaded: boolean }[];
  /** Messages accepted or resumed and not settled yet. */
  pendingJobs: number;
  /** When the gateway started (ms since the epoch). */
  startedAt: number;
  /** The time of the scrape (ms since the epoch); now by default. */
  now?: number;
}

const BIND_TYPE_OF: Partial<Record<SessionState, BindType>> = {
  BOUND_TX: "transmitter",
  BOUND_RX: "receiver",
  BOUND_TRX: "transceiver",
};

/** Bound sessions counted by bind type and account. */
function sessionSamples(
  sessions: ScrapeSources["sessions"],
): Sample<"bind_type" | "account">[] {
  const counts = new Map<string, { bind_type: BindType; account: string; n: number }>();
  for (const s of sessions) {
    const bindType = BIND_TYPE_OF[s.state];
    if (!bindType) continue;
    const key = `${bindType}\n${s.account}`;
    const c = counts.get(key);
    if (c) c.n++;
    else counts.set(key, { bind_type: bindType, account: s.account, n: 1 });
  }
  return [...counts.values()].map(({ n, ...labels }) => ({ labels, value: n }));
}

type PduLabel = "direction" | "command" | "status";

/** PDU counts named: a command_id not in the table is "unknown", a status above 0xFF "other". */
function pduSamples(pdus: PduCounts): Sample<PduLabel>[] {
  const samples = new Map<string, { labels: Record<PduLabel, string>; value: number }>();
  for (const s of pdus.series()) {
    const command = (s.commandId === null ? undefined : commandById(s.commandId)?.name) ??
      "unknown";
    const status = s.status === null ? "other" : statusName(s.status);
    const key = `${s.direction} ${command} ${status}`;
    const seen = samples.get(key);
    if (seen) seen.value += s.value;
    else samples.set(key, { labels: { direction: s.direction, command, status }, value: s.value });
  }
  return [...samples.values()];
}

/** The exposition of the gateway's metrics now. */
export function scrape(src: ScrapeSources): string {
  const m = src.meters;
  const now = src.now ?? Date.now();
  const one = (value: number) => [{ labels: {}, value }];
  const accounts = [...m.accounts];
  const values: MetricValues = {
    smppgw_binds_total: BIND_TYPES.map((t) => ({ labels: { bind_type: t }, value: m.binds[t] })),
    smppgw_bind_failures_total: BIND_FAILURE_REASONS.map((reason) => ({
      labels: { reason },
      value: m.bindFailures[reason],
    })),
    smppgw_throttled_total: THROTTLE_REASONS.map((reason) => ({
      labels: { reason },
      value: m.throttled[reason],
    })),
    smppgw_pdus_total: pduSamples(m.pdus),
    smppgw_submitted_total: accounts.map(([account, t]) => ({
      labels: { account },
      value: t.submitted,
    })),
    smppgw_submitted_parts_total: accounts.map(([account, t]) => ({
      labels: { account },
      value: t.parts,
    })),
    smppgw_connections_open: one(src.connections),
    smppgw_sessions: sessionSamples(src.sessions),
    smppgw_receipt_outbox_depth: src.outboxes.map((o) => ({
      labels: { account: o.account },
      value: o.depth,
    })),
    smppgw_receipt_outbox_oldest_seconds: src.outboxes.map((o) => ({
      labels: { account: o.account },
      value: o.oldestAt === Infinity ? 0 : Math.max(0, now - o.oldestAt) / 1000,
    })),
    smppgw_receipt_outbox_unloaded: src.outboxes.map((o) => ({
      labels: { account: o.account },
      value: o.unloaded ? 1 : 0,
    })),
    smppgw_route_jobs_pending: one(src.pendingJobs),
    smppgw_kv_commit_mutations: m.commitMutations,
    smppgw_kv_commit_seconds: m.commitSeconds,
    smppgw_start_time_seconds: one(src.startedAt / 1000),
  };
  return renderMetrics(src.counters, values);
}
