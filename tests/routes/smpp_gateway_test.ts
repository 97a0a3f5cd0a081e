/**
 * The SMPP route against a real upstream: a second smppgw started in-process, whose simulator
 * sends the receipts back over the route's transceiver link.
 */
import assert from "node:assert/strict";
import { configure, type LogRecord, reset } from "@logtape/logtape";
import { connect } from "../../lib/deno.ts";
import { type RunningGateway, startGateway, type StartOptions } from "../../lib/mod.ts";
import { parseSmppRoute } from "../../lib/routes/smpp/config.ts";
import { smppRoute } from "../../lib/routes/smpp/route.ts";
import type { Route } from "../../lib/delivery/route.ts";
import type { JobRecord, MessageRecord } from "../../lib/store/records.ts";
import { messageRecord, storedMessages } from "../support/records.ts";
import { fakeHost } from "../support/route_host.ts";
import { makeCert } from "../support/certs.ts";
import { waitUntil, within } from "../support/wait.ts";

/** An upstream smppgw on 127.0.0.1 with the route's account; rule: 33999… ends UNDELIV/001. */
function upstream(o: StartOptions = {}): Promise<RunningGateway> {
  return startGateway({
    port: 0,
    kv: ":memory:",
    accounts: [{ systemId: "gw", password: "pw" }],
    simulator: { delayMs: 0, rules: [{ prefix: "33999", stat: "UNDELIV", err: "001" }] },
    receiptRetryMs: 50,
    unbindWaitMs: 500,
    bindLockout: { maxFailures: 1000, windowMs: 60_000, lockoutMs: 60_000 },
    ...o,
  });
}

/** The route under test, bound to the upstream on `port`. */
function route(port: number, over: Record<string, unknown> = {}): Route {
  const c = parseSmppRoute({
    name: "fr",
    type: "smpp",
    match: { dest: "^33" },
    host: "127.0.0.1",
    port,
    systemId: "gw",
    password: "pw",
    reconnectMaxMs: 1000,
    responseTimeoutMs: 2000,
    retry: { baseMs: 50, maxMs: 200, maxAttempts: 8 },
    ...over,
  }, "routes[0]");
  return smppRoute(c, { connect });
}

function job(id: string, text: string, over: Partial<MessageRecord> = {}): JobRecord {
  return messageRecord({
    id,
    route: "fr",
    dest: { ton: 1, npi: 1, addr: "33612345678" },
    body: new TextEncoder().encode(text),
    ...over,
  });
}

async function* none(): AsyncGenerator<JobRecord> {}

Deno.test("smpp route: jobs are handed over with the upstream's ids and its receipts settle them", async () => {
  const up = await upstream();
  const host = fakeHost();
  const r = route(up.addr.port);
  try {
    await r.start(host, none());
    for (let i = 0; i < 5; i++) r.enqueue(job(`ok${i}`, `hello ${i}`));
    r.enqueue(job("bad", "to a failing number", { dest: { ton: 1, npi: 1, addr: "33999000" } }));
    await within(host.settledCount(6), 10_000, "six receipts");
    const ids = host.handed.map((h) => h.providerId);
    assert.equal(new Set(ids).size, 6);
    for (const id of ids) assert.match(id, /^\d{19}$/, "the upstream's message_id");
    const byJob = new Map(host.settled.map((o) => [o.job.id, `${o.stat}/${o.err}`]));
    for (let i = 0; i < 5; i++) assert.equal(byJob.get(`ok${i}`), "DELIVRD/000");
    assert.equal(byJob.get("bad"), "UNDELIV/001");
    assert.deepEqual(host.retries, []);
    const upstreamIds = new Set((await storedMessages(up.kv)).keys());
    for (const id of ids) assert.ok(upstreamIds.has(id), `${id} stored upstream`);
  } finally {
    await r.stop();
    await up.close();
  }
});

Deno.test("smpp route: long GSM and UCS2 texts go upstream as UDH parts, settled by the first receipt", async () => {
  const up = await upstream();
  const host = fakeHost();
  const r = route(up.addr.port);
  const gsm = "A long message. ".repeat(13); // 208 characters: two GSM parts
  const ucs2 = "Привет, мир! ".repeat(8); // 104 characters: two UCS2 parts
  try {
    await r.start(host, none());
    r.enqueue(job("gsm", gsm));
    r.enqueue(job("ucs2", "", { dataCoding: 8, body: ucs2Bytes(ucs2) }));
    await within(host.settledCount(2), 10_000, "two settled");
    await waitUntil(() => host.receipts.length >= 4, 10_000, "a receipt for every part");
    assert.equal(host.handed.filter((h) => h.job.id === "gsm").length, 2);
    assert.equal(host.handed.filter((h) => h.job.id === "ucs2").length, 2);
    assert.equal(host.settled.length, 2, "each job settled once");
    const stored = [...(await storedMessages(up.kv)).values()];
    assert.equal(stored.length, 4);
    for (const m of stored) {
      assert.equal(m.esmClass & 0x40, 0x40, "UDH indicator");
      assert.equal(m.concat?.total, 2);
    }
    const codings = stored.map((m) => m.dataCoding).sort();
    assert.deepEqual(codings, [0, 0, 8, 8]);
  } finally {
    await r.stop();
    await up.close();
  }
});

Deno.test("smpp route: a refused bind is logged and retried until the upstream accepts it", async () => {
  const records: LogRecord[] = [];
  await configure({
    sinks: { memory: (rec: LogRecord) => records.push(rec) },
    loggers: [
      { category: ["smppgw", "route"], lowestLevel: "info", sinks: ["memory"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["memory"] },
    ],
    reset: true,
  });
  let up = await upstream({ accounts: [{ systemId: "gw", password: "other" }] });
  const port = up.addr.port;
  const host = fakeHost();
  const r = route(port);
  try {
    await r.start(host, none());
    r.enqueue(job("waits", "sent once the bind works"));
    const refused = () =>
      records.filter((x) => x.level === "error" && String(x.properties.error).includes("0xe"));
    await waitUntil(() => refused().length >= 2, 10_000, "two refused binds logged");
    assert.equal(host.handed.length, 0);
    await up.close();
    up = await upstream({ port });
    await within(host.settledCount(1), 10_000, "settled after the bind worked");
    assert.equal(host.settled[0].stat, "DELIVRD");
    assert.ok(records.some((x) => String(x.message.join("")).includes("bound to")));
  } finally {
    await r.stop();
    await up.close();
    await reset();
  }
});

Deno.test("smpp route: tls binds over TLS, trusting caCerts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "smppgw_tls_" });
  try {
    const pem = await makeCert(dir);
    if (!pem) {
      console.warn("SKIPPED: openssl is not available to make a test certificate");
      return;
    }
    const up = await upstream({ tls: { port: 0, cert: pem.cert, key: pem.key } });
    const host = fakeHost();
    const r = route(up.tlsAddr!.port, { tls: true, caCerts: [pem.ca] });
    try {
      await r.start(host, none());
      r.enqueue(job("secure", "over TLS"));
      await within(host.settledCount(1), 10_000, "settled over TLS");
      assert.equal(host.settled[0].stat, "DELIVRD");
    } finally {
      await r.stop();
      await up.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

function ucs2Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    out[2 * i] = text.charCodeAt(i) >> 8;
    out[2 * i + 1] = text.charCodeAt(i) & 0xff;
  }
  return out;
}
