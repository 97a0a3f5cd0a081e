/** The metric table, the labelled meters and the exposition writer, read back by a strict parser. */
import assert from "node:assert/strict";
import { type CounterName, COUNTERS, newCounters } from "../../lib/core/counters.ts";
import { escapeLabelValue } from "../../lib/core/exposition.ts";
import { Histogram } from "../../lib/core/histogram.ts";
import { Meters } from "../../lib/core/meters.ts";
import {
  allMetrics,
  BIND_FAILURE_REASONS,
  counterMetricName,
  THROTTLE_REASONS,
} from "../../lib/core/metrics.ts";
import { PDU_IN, PDU_OUT, PduCounts } from "../../lib/core/pdu_counts.ts";
import { encode } from "../../lib/smpp/codec.ts";
import { Status } from "../../lib/smpp/status.ts";
import { scrape } from "../../lib/scrape.ts";
import { ExpositionError, parseExposition, sampleValue } from "../support/exposition.ts";

Deno.test("allMetrics() names every counter once, as smppgw_<snake>_total, with valid unique names", () => {
  const metrics = allMetrics();
  const names = metrics.map((m) => m.name);
  assert.equal(new Set(names).size, names.length, "names are unique");
  for (const m of metrics) {
    assert.match(m.name, /^smppgw_[a-z0-9_]+$/);
    assert.equal(m.name.endsWith("_total"), m.type === "counter", `${m.name} suffix fits its type`);
    assert.equal(m.buckets !== undefined, m.type === "histogram", `${m.name} buckets`);
    assert.ok(m.help.length > 10, `${m.name} has help`);
    for (const l of m.labels) assert.match(l, /^[a-z_]+$/);
  }
  for (const counter of Object.keys(COUNTERS) as CounterName[]) {
    const standing = metrics.filter((m) => m.counter === counter);
    assert.equal(standing.length, 1, `one metric stands for ${counter}`);
    assert.equal(standing[0].name, counterMetricName(counter));
    if (standing[0].labels.length === 0) assert.equal(standing[0].help, COUNTERS[counter]);
  }
  assert.equal(counterMetricName("receiptsAcked"), "smppgw_receipts_acked_total");
});

Deno.test("Histogram.observe() counts a value in the first bucket at or above it; cumulative() ends with the count", () => {
  const h = new Histogram([1, 5, 10]);
  for (const v of [0.5, 1, 3, 10, 11, 100]) h.observe(v);
  assert.deepEqual(h.cumulative(), [2, 3, 4, 6]);
  assert.equal(h.count, 6);
  assert.equal(h.sum, 125.5);
  assert.throws(() => new Histogram([2, 1]), RangeError);
});

Deno.test("PduCounts.countFrame() counts by direction, command and status; odd ids and statuses above 0xFF share a row", () => {
  const p = new PduCounts();
  const submit = encode({ command: "submit_sm", seq: 1, body: { destination_addr: "1" } });
  p.countFrame(PDU_IN, submit);
  p.countFrame(PDU_IN, submit);
  p.countFrame(
    PDU_OUT,
    encode({ command: "submit_sm_resp", seq: 1, status: Status.ESME_RTHROTTLED }),
  );
  p.count(PDU_IN, 0x00000004, 0x58); // a request's status does not count
  p.count(PDU_IN, 0x0000000a, 0); // reserved, within the range: a row of its own
  p.count(PDU_IN, 0x00000500, 0);
  p.count(PDU_IN, 0xffffffff, 0);
  p.count(PDU_OUT, 0x80000004, 0x401);
  p.count(PDU_OUT, 0x80000004, 0x402);
  p.countFrame(PDU_IN, new Uint8Array(8)); // too short for a header: ignored
  assert.deepEqual([...p.series()], [
    { direction: "in", commandId: 0x04, status: 0, value: 3 },
    { direction: "in", commandId: 0x0a, status: 0, value: 1 },
    { direction: "in", commandId: null, status: 0, value: 2 },
    { direction: "out", commandId: 0x80000004, status: Status.ESME_RTHROTTLED, value: 1 },
    { direction: "out", commandId: 0x80000004, status: null, value: 2 },
  ]);
});

/** Meters and counters with something in every family. */
function busy(): { meters: Meters; counters: ReturnType<typeof newCounters> } {
  const meters = new Meters();
  const counters = newCounters();
  meters.binds.transceiver = 2;
  meters.bindFailures.bad_password = 1;
  meters.throttled.window = 3;
  meters.pdus.count(PDU_IN, 0x00000004, 0);
  meters.pdus.count(PDU_IN, 0x0000000a, 0);
  meters.pdus.count(PDU_IN, 0x00000500, 0);
  meters.pdus.count(PDU_OUT, 0x80000004, 0x400);
  meters.account('we"ird\\acc\nt').submitted = 4;
  meters.account("acme").parts = 7;
  meters.commitMutations.observe(3);
  meters.commitSeconds.observe(0.004);
  counters.receiptsAcked = 5;
  return { meters, counters };
}

Deno.test("scrape() writes every metric of the table, HELP and TYPE first, and nothing else", () => {
  const { meters, counters } = busy();
  const text = scrape({
    counters,
    meters,
    sessions: [{ account: "acme", state: "BOUND_TRX" }, { account: "acme", state: "OPEN" }],
    connections: 2,
    outboxes: [{ account: "acme", depth: 3, oldestAt: 1000, unloaded: true }],
    pendingJobs: 9,
    startedAt: 0,
    now: 3500,
  });
  const families = parseExposition(text);
  const table = allMetrics();
  assert.deepEqual([...families.keys()], table.map((m) => m.name));
  for (const m of table) {
    assert.equal(families.get(m.name)!.type, m.type, m.name);
    assert.equal(families.get(m.name)!.help, m.help, m.name);
  }
  assert.equal(sampleValue(families, "smppgw_binds_total", { bind_type: "transceiver" }), 2);
  assert.equal(sampleValue(families, "smppgw_bind_failures_total", { reason: "bad_password" }), 1);
  assert.equal(sampleValue(families, "smppgw_throttled_total", { reason: "window" }), 3);
  assert.equal(
    sampleValue(families, "smppgw_pdus_total", {
      direction: "in",
      command: "submit_sm",
      status: "ESME_ROK",
    }),
    1,
  );
  // Reserved and unknown command_ids are one series; statuses above 0xFF too.
  const unknown = { direction: "in", command: "unknown", status: "ESME_ROK" };
  assert.equal(sampleValue(families, "smppgw_pdus_total", unknown), 2);
  const other = { direction: "out", command: "submit_sm_resp", status: "other" };
  assert.equal(sampleValue(families, "smppgw_pdus_total", other), 1);
  // A label value with a quote, a backslash and a newline comes back as it was.
  assert.equal(
    sampleValue(families, "smppgw_submitted_total", { account: 'we"ird\\acc\nt' }),
    4,
  );
  assert.equal(sampleValue(families, "smppgw_submitted_parts_total", { account: "acme" }), 7);
  assert.equal(
    sampleValue(families, "smppgw_sessions", { bind_type: "transceiver", account: "acme" }),
    1,
  );
  assert.equal(families.get("smppgw_sessions")!.samples.length, 1, "unbound sessions not counted");
  assert.equal(sampleValue(families, "smppgw_connections_open"), 2);
  assert.equal(sampleValue(families, "smppgw_receipt_outbox_depth", { account: "acme" }), 3);
  assert.equal(sampleValue(families, "smppgw_receipt_outbox_oldest_seconds"), 2.5);
  assert.equal(sampleValue(families, "smppgw_receipt_outbox_unloaded"), 1);
  assert.equal(sampleValue(families, "smppgw_route_jobs_pending"), 9);
  assert.equal(sampleValue(families, "smppgw_kv_commit_mutations_bucket", { le: "5" }), 1);
  assert.equal(sampleValue(families, "smppgw_kv_commit_seconds_sum"), 0.004);
  assert.equal(sampleValue(families, "smppgw_receipts_acked_total"), 5);
  assert.equal(sampleValue(families, "smppgw_start_time_seconds"), 0);
});

Deno.test("scrape() of fresh meters is valid, every fixed label set present at 0", () => {
  const fresh = parseExposition(scrape({
    counters: newCounters(),
    meters: new Meters(),
    sessions: [],
    connections: 0,
    outboxes: [],
    pendingJobs: 0,
    startedAt: 0,
  }));
  assert.equal(fresh.size, allMetrics().length);
  assert.equal(
    fresh.get("smppgw_bind_failures_total")!.samples.length,
    BIND_FAILURE_REASONS.length,
  );
  assert.equal(fresh.get("smppgw_throttled_total")!.samples.length, THROTTLE_REASONS.length);
  assert.equal(fresh.get("smppgw_pdus_total")!.samples.length, 0);
  assert.equal(sampleValue(fresh, "smppgw_kv_commit_seconds_count"), 0);
});

Deno.test("escapeLabelValue() escapes backslash, quote and newline only", () => {
  assert.equal(escapeLabelValue('a\\b"c\nd é'), 'a\\\\b\\"c\\nd é');
});

Deno.test("parseExposition() refuses what breaks the format", () => {
  const bad: [string, RegExp][] = [
    ["x 1\n", /before its TYPE/],
    ["# TYPE x counter\nx{a=1} 1\n", /not a valid sample/],
    ["# TYPE x counter\nx 1\nx 2\n", /twice/],
    ["# TYPE x counter\nx 1\n# TYPE y gauge\ny 1\nx 2\n", /two places/],
    ["# TYPE x counter\nx 1\n# HELP x late\n", /after samples/],
    ["# TYPE x counter\nx one\n", /not a valid sample/],
    ["# TYPE x gauge\nx 1", /final newline/],
    ["# TYPE x nope\n", /unknown type/],
    [
      '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n',
      /falls/,
    ],
    [
      '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n',
      /!= _count/,
    ],
    ['# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n', /no \+Inf/],
    ['# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_count 1\n', /lacks/],
  ];
  for (const [text, why] of bad) {
    assert.throws(
      () => parseExposition(text),
      (e) => e instanceof ExpositionError && why.test(e.message),
      text,
    );
  }
  const ok = parseExposition(
    '# HELP x a \\\\ b\\n\n# TYPE x gauge\nx{a="1",b="\\""} 1.5e3 1700000000\n',
  );
  assert.equal(sampleValue(ok, "x", { b: '"' }), 1500);
});
