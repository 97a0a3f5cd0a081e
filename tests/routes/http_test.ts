/**
 * The HTTP route on its own: a real provider (Deno.serve on 127.0.0.1 port 0) and an in-memory
 * host. What each job becomes (hand-over, ACCEPTD, UNDELIV), the requests as the provider sees
 * them, and the concurrency limit. Retries are in http_retry_test.ts, callbacks in
 * http_callback_test.ts.
 */
import assert from "node:assert/strict";
import type { Route } from "../../lib/delivery/route.ts";
import { parseHttpRoute } from "../../lib/routes/http/config.ts";
import { httpRoute } from "../../lib/routes/http/route.ts";
import type { JobRecord } from "../../lib/store/records.ts";
import { type Provider, startProvider } from "../support/provider.ts";
import { messageRecord } from "../support/records.ts";
import { type FakeHost, fakeHost } from "../support/route_host.ts";
import { within } from "../support/wait.ts";

const DLR = {
  token: "dlr-token-123",
  id: "ref",
  status: "status",
  stat: { delivered: "DELIVRD", failed: "UNDELIV" },
};

/** A started HTTP route "uk" to `url` (extra keys override the config), stopped on dispose. */
async function route(
  url: string,
  extra: Record<string, unknown> = {},
  host = fakeHost(),
  now?: () => number,
) {
  const c = parseHttpRoute({
    name: "uk",
    type: "http",
    url,
    params: { to: "{dest}", from: "{source}", text: "{text}", ref: "{id}" },
    providerId: "messageId",
    retry: { baseMs: 10, maxMs: 50, maxAttempts: 5 },
    dlr: DLR,
    ...extra,
  }, "routes[0]");
  const r: Route = httpRoute(c, now ? { now } : {});
  await r.start(host, (async function* () {})());
  return { r, host, [Symbol.asyncDispose]: () => r.stop() };
}

const job = (id: string, over: Partial<JobRecord> = {}): JobRecord =>
  messageRecord({ id, route: "uk", submitAt: Date.now(), ...over });

Deno.test("httpRoute() hands a job over with the provider id from the JSON reply", async () => {
  await using provider = startProvider((r) =>
    Response.json({ data: { id: 4711 }, ref: JSON.parse(r.body).ref })
  );
  await using t = await route(provider.url, {
    providerId: "data.id",
    headers: { Authorization: "Bearer K", "X-Extra": "1" },
  });
  t.r.enqueue(job("100"));
  await within(t.host.calls(1), 5000, "the hand-over");
  assert.equal(t.host.handed.length, 1);
  assert.equal(t.host.handed[0].job.id, "100");
  assert.equal(t.host.handed[0].providerId, "4711", "a number becomes a string");
  assert.deepEqual(t.host.settled, []);
  const req = provider.requests[0];
  assert.equal(req.method, "POST");
  assert.equal(req.url.pathname, "/send");
  assert.equal(req.headers.get("authorization"), "Bearer K");
  assert.equal(req.headers.get("x-extra"), "1");
  assert.equal(req.headers.get("content-type"), "application/json");
  assert.deepEqual(JSON.parse(req.body), {
    to: "447700900123",
    from: "Acme",
    text: "Hello from the smppgw load generator",
    ref: "100",
  });
});

Deno.test("httpRoute() hands over with our id when the reply has no provider id", async () => {
  await using provider = startProvider((r) =>
    JSON.parse(r.body).ref === "1" ? new Response("OK") : Response.json({ other: "x" })
  );
  await using t = await route(provider.url);
  t.r.enqueue(job("1")); // not JSON
  t.r.enqueue(job("2")); // JSON without messageId
  await within(t.host.calls(2), 5000, "two hand-overs");
  assert.deepEqual(
    t.host.handed.map((h) => [h.job.id, h.providerId]).sort(),
    [["1", "1"], ["2", "2"]],
  );
});

Deno.test("httpRoute() without providerId hands over with our id", async () => {
  await using provider = startProvider(() => Response.json({ messageId: "ignored" }));
  await using t = await route(provider.url, { providerId: undefined });
  t.r.enqueue(job("7"));
  await within(t.host.calls(1), 5000, "the hand-over");
  assert.deepEqual(t.host.handed.map((h) => h.providerId), ["7"]);
});

Deno.test("httpRoute() without dlr settles an accepted job ACCEPTD", async () => {
  await using provider = startProvider();
  await using t = await route(provider.url, { dlr: undefined });
  t.r.enqueue(job("8"));
  await within(t.host.settledCount(1), 5000, "the outcome");
  assert.deepEqual(t.host.settled.map((o) => [o.job.id, o.stat, o.err]), [["8", "ACCEPTD", "000"]]);
  assert.deepEqual(t.host.handed, []);
});

Deno.test("httpRoute() settles a job UNDELIV with the status of a permanent 4xx", async () => {
  for (const status of [400, 401, 404, 422]) {
    await using provider = startProvider(() => new Response("no", { status }));
    await using t = await route(provider.url);
    t.r.enqueue(job("9"));
    await within(t.host.settledCount(1), 5000, `the outcome of ${status}`);
    assert.deepEqual(t.host.settled.map((o) => [o.stat, o.err]), [["UNDELIV", String(status)]]);
    assert.deepEqual(t.host.retries, [], `${status} is not retried`);
    assert.equal(provider.requests.length, 1);
  }
});

Deno.test("httpRoute() sends the params as a form body", async () => {
  await using provider = startProvider();
  await using t = await route(provider.url, {
    format: "form",
    dlr: undefined,
    params: {
      to: "+{dest}",
      from: "{source}",
      msg: "[{text}]",
      ref: "{id}",
      acct: "{account}",
      n: "{parts}",
      esm: "{esmClass}",
      dc: "{dataCoding}",
      odd: "{nope}",
    },
  });
  t.r.enqueue(job("11", { body: new TextEncoder().encode("a&b=c d?"), dataCoding: 0 }));
  await within(t.host.settledCount(1), 5000, "the outcome");
  const req = provider.requests[0];
  assert.equal(req.headers.get("content-type"), "application/x-www-form-urlencoded");
  assert.deepEqual(Object.fromEntries(new URLSearchParams(req.body)), {
    to: "+447700900123",
    from: "Acme",
    msg: "[a&b=c d?]",
    ref: "11",
    acct: "acme",
    n: "1",
    esm: "0",
    dc: "0",
    odd: "{nope}",
  });
});

Deno.test("httpRoute() sends binary user data as {hex} and {text} empty", async () => {
  await using provider = startProvider();
  await using t = await route(provider.url, {
    dlr: undefined,
    params: { text: "{text}", hex: "{hex}", dc: "{dataCoding}" },
  });
  t.r.enqueue(job("12", { body: Uint8Array.of(0xde, 0xad, 0x00, 0x0f), dataCoding: 4 }));
  await within(t.host.settledCount(1), 5000, "the outcome");
  assert.deepEqual(JSON.parse(provider.requests[0].body), { text: "", hex: "dead000f", dc: "4" });
});

Deno.test("httpRoute() sends the params in the query string for GET and for format query", async () => {
  await using provider = startProvider();
  for (const extra of [{ method: "GET" }, { method: "POST", format: "query" }]) {
    await using t = await route(`${provider.url}?key=K`, { dlr: undefined, ...extra });
    t.r.enqueue(job("13", { body: Uint8Array.of(0x00, 0xfc, 0x00, 0x62), dataCoding: 8 }));
    await within(t.host.settledCount(1), 5000, `the outcome of ${extra.method}`);
  }
  assert.equal(provider.requests.length, 2);
  for (const [i, method] of ["GET", "POST"].entries()) {
    const req = provider.requests[i];
    assert.equal(req.method, method);
    assert.equal(req.body, "");
    assert.deepEqual(Object.fromEntries(req.url.searchParams), {
      key: "K",
      to: "447700900123",
      from: "Acme",
      text: "üb",
      ref: "13",
    });
  }
});

Deno.test("httpRoute() never has more requests at once than its concurrency", async () => {
  // The provider holds requests until three are waiting, then answers them together: the route
  // must reach three at once and never more.
  let held: (() => void)[] = [];
  await using provider: Provider = startProvider(async (r) => {
    const { promise, resolve } = Promise.withResolvers<void>();
    held.push(resolve);
    if (held.length === 3) {
      for (const go of held) go();
      held = [];
    }
    await promise;
    return Response.json({ messageId: `P${JSON.parse(r.body).ref}` });
  });
  await using t = await route(provider.url, { concurrency: 3 });
  for (let i = 0; i < 12; i++) t.r.enqueue(job(String(i)));
  await within(t.host.calls(12), 10_000, "twelve hand-overs");
  assert.equal(provider.maxConcurrent, 3);
  assert.equal(provider.requests.length, 12);
  assert.deepEqual(
    new Set(t.host.handed.map((h) => h.providerId)),
    new Set(Array.from({ length: 12 }, (_, i) => `P${i}`)),
  );
});

Deno.test("httpRoute() sends no more than tps a second (a second's burst, then by the clock)", async () => {
  await using provider = startProvider();
  let now = 1_000_000;
  await using t = await route(provider.url, { dlr: undefined, tps: 2 }, fakeHost(), () => now);
  for (let i = 0; i < 6; i++) t.r.enqueue(job(String(i)));
  // The clock stands still: only the burst goes.
  await within(t.host.settledCount(2), 5000, "the burst");
  const burst = provider.requests.length;
  assert.ok(burst >= 2 && burst <= 3, `a burst of ${burst}`);
  now += 10_000;
  await within(t.host.settledCount(6), 5000, "the rest once the clock moved");
  assert.equal(provider.requests.length, 6);
});

Deno.test("httpRoute() stop() aborts requests in flight and takes no more work", async () => {
  const hang = Promise.withResolvers<void>();
  await using provider = startProvider(async () => {
    await hang.promise;
    return Response.json({ messageId: "late" });
  });
  const host: FakeHost = fakeHost();
  try {
    const t = await route(provider.url, {}, host);
    t.r.enqueue(job("20"));
    await within(provider.waitRequests(1), 5000, "the request");
    await within(t.r.stop(), 5000, "stop()");
    t.r.enqueue(job("21"));
    // The aborted job is neither settled nor retried: it stays unfinished in the store.
    assert.deepEqual([host.settled, host.retries, host.handed], [[], [], []]);
    assert.equal(provider.requests.length, 1);
  } finally {
    hang.resolve();
  }
});
