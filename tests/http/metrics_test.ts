/** GET /metrics over real TCP, KV and HTTP: the counters move with real SMPP traffic. */
import assert from "node:assert/strict";
import { allMetrics } from "../../lib/core/metrics.ts";
import type { Pdu } from "../../lib/smpp/codec.ts";
import { Status } from "../../lib/smpp/status.ts";
import { ACCOUNT, TestClient, testGateway, within } from "../support/client.ts";
import { familySum, parseExposition, sampleValue } from "../support/exposition.ts";
import { waitUntil } from "../support/wait.ts";

const TPS = { systemId: "tps", password: "secret", tps: 1, burst: 1 };
const QUOTA = { systemId: "quota", password: "secret", dailyQuota: 1 };

const sm = (registered = 0) => ({
  command: "submit_sm" as const,
  body: {
    destination_addr: "1",
    registered_delivery: registered,
    short_message: new Uint8Array(1),
  },
});

async function bound(
  port: number,
  a: { systemId: string; password: string },
  type?: "transmitter",
) {
  const c = await TestClient.connect(port);
  assert.equal((await c.bind(a.systemId, a.password, type)).status, 0);
  return c;
}

/** Binds with wrong credentials; waits for the refusal and the server's close. */
async function refused(port: number, systemId: string, password: string): Promise<number> {
  const c = await TestClient.connect(port);
  try {
    const status = (await c.bind(systemId, password)).status;
    await within(c.closed, 5000, "the refused connection closed");
    return status;
  } finally {
    c.close();
  }
}

Deno.test("GET /metrics counts binds, refusals, PDUs, submits, throttling and receipts of real traffic", async () => {
  await using gw = await testGateway({
    accounts: [{ ...ACCOUNT, window: 1 }, TPS, QUOTA],
    http: { port: 0, adminToken: "admin-token" },
  });
  const port = gw.addr.port;
  const clients: TestClient[] = [];
  try {
    // One receipted message, acknowledged.
    const trx = await bound(port, ACCOUNT);
    clients.push(trx);
    assert.equal((await trx.request(sm(1))).status, 0);
    await trx.next(5000);
    await waitUntil(
      () => gw.gateway.counters.receiptsAcked === 1,
      5000,
      "the receipt acknowledged",
    );
    // Refused binds.
    assert.equal(await refused(port, ACCOUNT.systemId, "wrong"), Status.ESME_RINVPASWD);
    assert.equal(await refused(port, "nobody", "x"), Status.ESME_RINVSYSID);
    // Throttled: over tps, over the daily quota, and beyond the window of 1.
    const tps = await bound(port, TPS, "transmitter");
    const quota = await bound(port, QUOTA, "transmitter");
    clients.push(tps, quota);
    for (const c of [tps, quota]) {
      assert.equal((await c.request(sm())).status, 0);
      assert.equal((await c.request(sm())).status, Status.ESME_RTHROTTLED);
    }
    const batch: Pdu[] = await within(Promise.all(trx.sendBatch(Array(10).fill(sm()))));
    const overWindow = batch.filter((r) => r.status === Status.ESME_RTHROTTLED).length;
    assert.ok(overWindow >= 1, "a batch of 10 goes beyond a window of 1");
    assert.equal(batch.filter((r) => r.status === 0).length, 10 - overWindow);
    const n = gw.gateway.counters;
    await waitUntil(() => n.settled === n.submitted, 5000, "every message settled");
    await waitUntil(() => gw.gateway.sessionCount === 3, 5000, "refused connections gone");

    const res = await fetch(`http://127.0.0.1:${gw.httpAddr!.port}/metrics`);
    assert.equal(res.status, 200, "no token needed");
    assert.match(res.headers.get("content-type")!, /^text\/plain; version=0\.0\.4/);
    const m = parseExposition(await res.text());
    assert.deepEqual([...m.keys()], allMetrics().map((d) => d.name));
    const v = (name: string, labels: Record<string, string> = {}) => sampleValue(m, name, labels);

    assert.equal(v("smppgw_binds_total", { bind_type: "transceiver" }), 1);
    assert.equal(v("smppgw_binds_total", { bind_type: "transmitter" }), 2);
    assert.equal(v("smppgw_bind_failures_total", { reason: "bad_password" }), 1);
    assert.equal(v("smppgw_bind_failures_total", { reason: "unknown_account" }), 1);
    assert.equal(v("smppgw_throttled_total", { reason: "tps" }), 1);
    assert.equal(v("smppgw_throttled_total", { reason: "quota" }), 1);
    assert.equal(v("smppgw_throttled_total", { reason: "window" }), overWindow);
    assert.equal(v("smppgw_submitted_total", { account: ACCOUNT.systemId }), 11 - overWindow);
    assert.equal(v("smppgw_submitted_total", { account: "tps" }), 1);
    assert.equal(v("smppgw_submitted_parts_total", { account: "quota" }), 1);
    // Labelled series add up to the plain counters they stand for.
    assert.equal(familySum(m, "smppgw_binds_total"), n.binds);
    assert.equal(familySum(m, "smppgw_bind_failures_total"), n.bindFailures);
    assert.equal(familySum(m, "smppgw_submitted_total"), n.submitted);
    assert.equal(familySum(m, "smppgw_submitted_parts_total"), n.submittedParts);

    const pdus = (direction: string, command: string, status = "ESME_ROK") =>
      v("smppgw_pdus_total", { direction, command, status });
    assert.equal(pdus("in", "bind_transceiver"), 3);
    assert.equal(pdus("out", "bind_transceiver_resp"), 1);
    assert.equal(pdus("out", "bind_transceiver_resp", "ESME_RINVPASWD"), 1);
    assert.equal(pdus("out", "bind_transceiver_resp", "ESME_RINVSYSID"), 1);
    assert.equal(pdus("in", "submit_sm"), 15);
    assert.equal(pdus("out", "submit_sm_resp"), 13 - overWindow);
    assert.equal(pdus("out", "submit_sm_resp", "ESME_RTHROTTLED"), 2 + overWindow);
    assert.equal(pdus("out", "deliver_sm"), 1);
    assert.equal(pdus("in", "deliver_sm_resp"), 1);

    assert.equal(v("smppgw_sessions", { bind_type: "transceiver", account: ACCOUNT.systemId }), 1);
    assert.equal(v("smppgw_sessions", { bind_type: "transmitter", account: "quota" }), 1);
    assert.equal(v("smppgw_connections_open"), 3);
    assert.equal(v("smppgw_connections_total"), 5);
    assert.equal(v("smppgw_receipts_queued_total"), 1);
    assert.equal(v("smppgw_receipts_sent_total"), 1);
    assert.equal(v("smppgw_receipts_acked_total"), 1);
    assert.equal(v("smppgw_receipts_expired_total"), 0);
    assert.equal(v("smppgw_receipt_outbox_depth", { account: ACCOUNT.systemId }), 0);
    assert.equal(v("smppgw_route_jobs_pending"), 0);
    // One scrape: the commit histograms count every commit and mutation the counters do.
    assert.equal(v("smppgw_kv_commit_mutations_count"), v("smppgw_kv_commits_total"));
    assert.equal(v("smppgw_kv_commit_mutations_sum"), v("smppgw_kv_mutations_total"));
    assert.equal(v("smppgw_kv_commit_seconds_count"), v("smppgw_kv_commits_total"));
    assert.ok(v("smppgw_kv_commit_seconds_sum") > 0);
  } finally {
    for (const c of clients) c.close();
  }
});

Deno.test("GET /metrics shows receipts waiting for a receiver as outbox depth and age", async () => {
  await using gw = await testGateway({ http: { port: 0 } });
  const c = await bound(gw.addr.port, ACCOUNT, "transmitter");
  try {
    for (let i = 0; i < 3; i++) assert.equal((await c.request(sm(1))).status, 0);
    const n = gw.gateway.counters;
    await waitUntil(() => n.receiptsQueued === 3, 5000, "three receipts queued");
    const res = await fetch(`http://127.0.0.1:${gw.httpAddr!.port}/metrics`);
    const m = parseExposition(await res.text());
    const account = { account: ACCOUNT.systemId };
    assert.equal(sampleValue(m, "smppgw_receipt_outbox_depth", account), 3);
    assert.ok(sampleValue(m, "smppgw_receipt_outbox_oldest_seconds", account) >= 0);
    assert.equal(sampleValue(m, "smppgw_receipts_sent_total"), 0);
  } finally {
    c.close();
  }
});
