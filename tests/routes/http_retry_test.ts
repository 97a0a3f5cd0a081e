/**
 * The HTTP route's temporary failures: 5xx, 429 with Retry-After, timeouts, a provider that is
 * down; running out of attempts; resumed jobs waiting for their `nextAt`; a host whose store
 * fails for a while. A real provider on 127.0.0.1, an in-memory host.
 */
import assert from "node:assert/strict";
import type { Outcome, Route } from "../../lib/delivery/route.ts";
import { parseHttpRoute } from "../../lib/routes/http/config.ts";
import { httpRoute } from "../../lib/routes/http/route.ts";
import type { JobRecord } from "../../lib/store/records.ts";
import { freePort, startProvider } from "../support/provider.ts";
import { messageRecord } from "../support/records.ts";
import { fakeHost } from "../support/route_host.ts";
import { within } from "../support/wait.ts";

/** A started HTTP route "uk" to `url` without dlr (2xx: ACCEPTD), stopped on dispose. */
async function route(
  url: string,
  extra: Record<string, unknown> = {},
  resume: JobRecord[] = [],
  host = fakeHost(),
) {
  const c = parseHttpRoute({
    name: "uk",
    url,
    params: { ref: "{id}" },
    retry: { baseMs: 10, maxMs: 50, maxAttempts: 5 },
    ...extra,
  }, "routes[0]");
  const r: Route = httpRoute(c);
  await r.start(
    host,
    (async function* () {
      yield* resume;
    })(),
  );
  return { r, host, [Symbol.asyncDispose]: () => r.stop() };
}

const job = (id: string, over: Partial<JobRecord> = {}): JobRecord =>
  messageRecord({ id, route: "uk", submitAt: Date.now(), ...over });

const refOf = (body: string): string => JSON.parse(body).ref;

Deno.test("httpRoute() retries a 503 and records attempt 1 before the next try", async () => {
  await using provider = startProvider((_, n) =>
    n === 1 ? new Response("busy", { status: 503 }) : Response.json({ messageId: "P" })
  );
  await using t = await route(provider.url, {
    dlr: { token: "dlr-token-123", id: "ref", status: "s", stat: { ok: "DELIVRD" } },
    providerId: "messageId",
  });
  const before = Date.now();
  t.r.enqueue(job("1"));
  await within(t.host.calls(2), 5000, "the retry and the hand-over");
  assert.equal(t.host.retries.length, 1);
  const { job: j, attempts, nextAt } = t.host.retries[0];
  assert.equal(j.id, "1");
  assert.equal(attempts, 1);
  assert.ok(nextAt >= before + 10 && nextAt <= Date.now() + 10, `nextAt ${nextAt - before} ms`);
  assert.deepEqual(t.host.handed.map((h) => [h.job.id, h.providerId]), [["1", "P"]]);
  assert.equal(provider.requests.length, 2);
});

Deno.test("httpRoute() retries a provider that is down until it is up", async () => {
  const port = freePort();
  await using t = await route(`http://127.0.0.1:${port}/send`, {
    retry: { baseMs: 20, maxMs: 50, maxAttempts: 100 },
  });
  t.r.enqueue(job("2"));
  await within(t.host.calls(1), 5000, "a retry after connection refused");
  assert.equal(t.host.retries[0].attempts, 1);
  await using provider = startProvider(() => Response.json({}), port);
  await within(t.host.settledCount(1), 5000, "the outcome once the provider is up");
  assert.deepEqual(t.host.settled.map((o) => [o.job.id, o.stat]), [["2", "ACCEPTD"]]);
  assert.equal(provider.requests.length, 1);
  const n = t.host.retries.length;
  assert.deepEqual(
    t.host.retries.map((r) => r.attempts),
    Array.from({ length: n }, (_, i) => i + 1),
  );
});

Deno.test("httpRoute() honours Retry-After of a 429 over its backoff", async () => {
  await using provider = startProvider((_, n) =>
    n === 1
      ? new Response("slow down", { status: 429, headers: { "retry-after": "0" } })
      : Response.json({})
  );
  // Without Retry-After the next try would be a minute away.
  await using t = await route(provider.url, {
    retry: { baseMs: 60_000, maxMs: 60_000, maxAttempts: 3 },
  });
  t.r.enqueue(job("3"));
  await within(t.host.settledCount(1), 5000, "the outcome after Retry-After: 0");
  assert.equal(t.host.retries.length, 1);
  assert.ok(t.host.retries[0].nextAt <= Date.now(), "due at once");
  assert.deepEqual(t.host.settled.map((o) => o.stat), ["ACCEPTD"]);
});

Deno.test("httpRoute() retries a request without an answer in timeoutMs", async () => {
  const hang = Promise.withResolvers<Response>();
  await using provider = startProvider((_, n) => n === 1 ? hang.promise : Response.json({}));
  try {
    await using t = await route(provider.url, { timeoutMs: 50 });
    t.r.enqueue(job("4"));
    await within(t.host.settledCount(1), 5000, "the outcome after a timeout");
    assert.deepEqual(t.host.retries.map((r) => r.attempts), [1]);
    assert.deepEqual(t.host.settled.map((o) => o.stat), ["ACCEPTD"]);
    assert.equal(provider.requests.length, 2);
  } finally {
    hang.resolve(new Response("too late"));
  }
});

Deno.test("httpRoute() settles UNDELIV with the last status when attempts run out", async () => {
  await using provider = startProvider(() => new Response("down", { status: 500 }));
  await using t = await route(provider.url, { retry: { baseMs: 5, maxMs: 10, maxAttempts: 3 } });
  t.r.enqueue(job("5"));
  await within(t.host.settledCount(1), 5000, "the outcome");
  assert.deepEqual(t.host.retries.map((r) => r.attempts), [1, 2]);
  assert.deepEqual(t.host.settled.map((o) => [o.job.id, o.stat, o.err]), [["5", "UNDELIV", "500"]]);
  assert.equal(provider.requests.length, 3);
});

Deno.test("httpRoute() settles UNDELIV err 000 when a resumed job's last attempt times out", async () => {
  const hang = Promise.withResolvers<Response>();
  await using provider = startProvider(() => hang.promise);
  try {
    // Resumed with 2 of 3 attempts made and due now: the third one times out.
    await using t = await route(provider.url, {
      timeoutMs: 20,
      retry: { baseMs: 5, maxMs: 10, maxAttempts: 3 },
    }, [job("6", { attempts: 2, nextAt: Date.now() - 1 })]);
    await within(t.host.settledCount(1), 5000, "the outcome");
    assert.deepEqual(t.host.settled.map((o) => [o.stat, o.err]), [["UNDELIV", "000"]]);
    assert.deepEqual(t.host.retries, []);
  } finally {
    hang.resolve(new Response("too late"));
  }
});

Deno.test("httpRoute() keeps a resumed job until its nextAt and sends the others first", async () => {
  const sent: { ref: string; at: number }[] = [];
  await using provider = startProvider((r) => {
    sent.push({ ref: refOf(r.body), at: Date.now() });
    return Response.json({});
  });
  const due = Date.now() + 300;
  let consumed = false;
  const host = fakeHost();
  const c = parseHttpRoute({ name: "uk", url: provider.url, params: { ref: "{id}" } }, "r");
  const r = httpRoute(c);
  try {
    await r.start(
      host,
      (async function* () {
        yield job("later", { attempts: 1, nextAt: due });
        yield job("old");
        consumed = true;
      })(),
    );
    assert.ok(consumed, "start() consumed resume before resolving");
    r.enqueue(job("new"));
    await within(host.settledCount(3), 5000, "three outcomes");
  } finally {
    await r.stop();
  }
  assert.deepEqual(sent.map((s) => s.ref).slice(2), ["later"]);
  assert.deepEqual(new Set(sent.map((s) => s.ref).slice(0, 2)), new Set(["old", "new"]));
  assert.ok(sent[2].at >= due, `sent ${due - sent[2].at} ms early`);
});

Deno.test("httpRoute() tries a failed settle again until the host stores it", async () => {
  await using provider = startProvider(() => new Response("no", { status: 400 }));
  const host = fakeHost();
  const settle = host.settle;
  let failures = 0;
  host.settle = (outcomes: Outcome[]) =>
    failures++ === 0 ? Promise.reject(new Error("store down")) : settle(outcomes);
  await using t = await route(provider.url, {}, [], host);
  t.r.enqueue(job("7"));
  await within(host.settledCount(1), 5000, "the settle after a store failure");
  assert.equal(failures, 2);
  assert.deepEqual(host.settled.map((o) => [o.job.id, o.stat, o.err]), [["7", "UNDELIV", "400"]]);
  assert.equal(provider.requests.length, 1, "the provider is not asked again");
});

Deno.test("httpRoute() stop() ends a pending retry's timer without sending", async () => {
  await using provider = startProvider(() => new Response("busy", { status: 503 }));
  const t = await route(provider.url, { retry: { baseMs: 60_000, maxMs: 60_000 } });
  t.r.enqueue(job("8"));
  await within(t.host.calls(1), 5000, "the retry");
  await within(t.r.stop(), 5000, "stop()");
  assert.equal(provider.requests.length, 1);
  assert.deepEqual(t.host.settled, []);
});
