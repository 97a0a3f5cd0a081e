/**
 * The SMPP route survives its upstream going away: a second smppgw on a KV file is stopped
 * mid-run and started again on the same port; every job still ends handed over and settled.
 */
import assert from "node:assert/strict";
import { connect } from "../../lib/deno.ts";
import { type RunningGateway, startGateway } from "../../lib/mod.ts";
import { parseSmppRoute } from "../../lib/routes/smpp/config.ts";
import { smppRoute } from "../../lib/routes/smpp/route.ts";
import type { JobRecord } from "../../lib/store/records.ts";
import { messageRecord } from "../support/records.ts";
import { fakeHost } from "../support/route_host.ts";
import { waitUntil, within } from "../support/wait.ts";

function upstream(kv: string, port: number): Promise<RunningGateway> {
  return startGateway({
    port,
    kv,
    accounts: [{ systemId: "gw", password: "pw" }],
    simulator: { delayMs: 100 },
    receiptRetryMs: 50,
    unbindWaitMs: 500,
  });
}

async function* none(): AsyncGenerator<JobRecord> {}

Deno.test("smpp route: the upstream restarting on the same port loses no job", async () => {
  const dir = await Deno.makeTempDir({ prefix: "smppgw_route_" });
  const kv = `${dir}/upstream.kv`;
  let up = await upstream(kv, 0);
  const port = up.addr.port;
  const host = fakeHost();
  const r = smppRoute(
    parseSmppRoute({
      name: "fr",
      host: "127.0.0.1",
      port,
      systemId: "gw",
      password: "pw",
      window: 5,
      tps: 200,
      reconnectMaxMs: 500,
      responseTimeoutMs: 2000,
      retry: { baseMs: 50, maxMs: 200, maxAttempts: 20 },
    }, "routes[0]"),
    { connect },
  );
  const jobs = (from: number, n: number) =>
    Array.from({ length: n }, (_, i) =>
      messageRecord({
        id: `job${from + i}`,
        route: "fr",
        dest: { ton: 1, npi: 1, addr: "33612345678" },
        body: new TextEncoder().encode(`message ${from + i}`),
      }));
  try {
    await r.start(host, none());
    for (const j of jobs(0, 40)) r.enqueue(j);
    await waitUntil(() => host.handed.length >= 5, 10_000, "some jobs handed over");
    await up.close();
    for (const j of jobs(40, 10)) r.enqueue(j);
    up = await upstream(kv, port);
    await within(host.settledCount(50), 20_000, "every job settled");
    const settled = host.settled.map((o) => o.job.id).sort();
    assert.deepEqual(settled, jobs(0, 50).map((j) => j.id).sort(), "each job settled once");
    assert.ok(host.settled.every((o) => o.stat === "DELIVRD"));
    const handedJobs = new Set(host.handed.map((h) => h.job.id));
    assert.equal(handedJobs.size, 50, "every job handed over");
  } finally {
    await r.stop();
    await up.close();
    await Deno.remove(dir, { recursive: true });
  }
});
