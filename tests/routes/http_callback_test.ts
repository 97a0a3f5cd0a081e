/**
 * The HTTP route's callbacks, called directly (the gateway's HTTP port parses the request into
 * fields and a token): receipts ("dlr") and inbound messages ("mo"), with an in-memory host.
 */
import assert from "node:assert/strict";
import type { CallbackRequest, Route } from "../../lib/delivery/route.ts";
import { parseHttpRoute } from "../../lib/routes/http/config.ts";
import { httpRoute } from "../../lib/routes/http/route.ts";
import { messageRecord } from "../support/records.ts";
import { type FakeHost, fakeHost } from "../support/route_host.ts";

const TOKEN = "dlr-token-123";

/** Route "uk" (never sends: no job is enqueued) started on a fake host; `extra` overrides. */
async function route(extra: Record<string, unknown> = {}, start = true) {
  const c = parseHttpRoute({
    name: "uk",
    url: "http://127.0.0.1:9/send",
    dlr: {
      token: TOKEN,
      id: "ref",
      status: "status",
      err: "code",
      stat: { delivered: "DELIVRD", failed: "UNDELIV", expired: "EXPIRED" },
    },
    mo: { token: TOKEN, from: "from", to: "to", text: "text" },
    ...extra,
  }, "routes[0]");
  const r: Route = httpRoute(c);
  const host: FakeHost = fakeHost();
  if (start) await r.start(host, (async function* () {})());
  return { r, host, [Symbol.asyncDispose]: () => r.stop() };
}

const req = (fields: Record<string, string>, token: string | null = TOKEN): CallbackRequest => ({
  fields,
  token,
});

Deno.test("callback('dlr') settles a handed-over message and ignores a repeat", async () => {
  await using t = await route();
  const job = messageRecord({ id: "42", route: "uk" });
  await t.host.handedOver(job, "P-42");
  const dlr = (f: Record<string, string>) => t.r.callback!("dlr", req(f));
  assert.deepEqual(await dlr({ ref: "P-42", status: "failed", code: "5" }), {
    status: 200,
    body: { status: "ok" },
  });
  assert.deepEqual(t.host.receipts, [{
    id: "P-42",
    providerId: "P-42",
    stat: "UNDELIV",
    err: "005",
  }]);
  assert.deepEqual(t.host.settled.map((o) => [o.job.id, o.stat, o.err]), [[
    "42",
    "UNDELIV",
    "005",
  ]]);
  assert.deepEqual(await dlr({ ref: "P-42", status: "delivered" }), {
    status: 200,
    body: { status: "ignored" },
  });
  assert.equal(t.host.receipts[1].err, "000", "err defaults to 000");
  // Our own id finds the message too.
  const mine = messageRecord({ id: "43", route: "uk" });
  await t.host.handedOver(mine, "43");
  assert.equal((await dlr({ ref: "43", status: "expired", code: "" })).status, 200);
  assert.deepEqual(t.host.settled.at(-1), { job: mine, stat: "EXPIRED", err: "000" });
});

Deno.test("callback('dlr') answers 404 for an unknown message and a route without dlr", async () => {
  await using t = await route();
  assert.deepEqual(await t.r.callback!("dlr", req({ ref: "nope", status: "delivered" })), {
    status: 404,
    body: { error: "unknown message", path: "ref" },
  });
  await using bare = await route({ dlr: undefined });
  assert.deepEqual(await bare.r.callback!("dlr", req({ ref: "x", status: "delivered" })), {
    status: 404,
    body: { error: "route uk takes no receipts" },
  });
});

Deno.test("callback('dlr') answers 401 without the right token", async () => {
  await using t = await route();
  for (const token of [null, "wrong", `${TOKEN}x`, ""]) {
    assert.deepEqual(await t.r.callback!("dlr", req({ ref: "1", status: "delivered" }, token)), {
      status: 401,
      body: { error: "bad or missing token" },
    }, `token ${token}`);
  }
  assert.deepEqual(t.host.receipts, []);
});

Deno.test("callback('dlr') answers 400 naming a missing or bad field", async () => {
  await using t = await route();
  const dlr = (f: Record<string, string>) => t.r.callback!("dlr", req(f));
  assert.deepEqual(await dlr({ status: "delivered" }), {
    status: 400,
    body: { error: "missing field", path: "ref" },
  });
  assert.deepEqual(await dlr({ ref: "1" }), {
    status: 400,
    body: { error: "missing field", path: "status" },
  });
  const unknown = await dlr({ ref: "1", status: "lost" });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.path, "status");
  assert.match(String(unknown.body.error), /lost.*delivered, failed, expired/);
  for (const code of ["x1", "1234", "-1"]) {
    const bad = await dlr({ ref: "1", status: "delivered", code });
    assert.equal(bad.status, 400, `code ${code}`);
    assert.equal(bad.body.path, "code");
  }
  assert.deepEqual(t.host.receipts, []);
});

Deno.test("callback('mo') passes an inbound message to the host", async () => {
  await using t = await route();
  assert.deepEqual(
    await t.r.callback!("mo", req({ from: "447700900999", to: "447012", text: "STOP" })),
    { status: 200, body: { status: "ok" } },
  );
  assert.deepEqual(t.host.inbounds, [{ source: "447700900999", dest: "447012", text: "STOP" }]);
});

Deno.test("callback('mo') answers 400, 401 and 404", async () => {
  await using t = await route();
  const mo = (f: Record<string, string>, token?: string | null) =>
    t.r.callback!("mo", req(f, token));
  for (const missing of ["from", "to", "text"]) {
    const f: Record<string, string> = { from: "1", to: "2", text: "x" };
    delete f[missing];
    assert.deepEqual(await mo(f), { status: 400, body: { error: "missing field", path: missing } });
  }
  assert.equal((await mo({ from: "1", to: "2", text: "x" }, null)).status, 401);
  assert.equal((await mo({ from: "1", to: "2", text: "x" }, "wrong")).status, 401);
  t.host.inboundRule = (dest) => dest.startsWith("4470");
  assert.deepEqual(await mo({ from: "1", to: "3312", text: "x" }), {
    status: 404,
    body: { error: "no inbound rule for 3312", path: "to" },
  });
  assert.deepEqual(t.host.inbounds, []);
  await using bare = await route({ mo: undefined });
  assert.equal((await bare.r.callback!("mo", req({ from: "1", to: "2", text: "x" }))).status, 404);
});

Deno.test("callback() answers 503 before the route is started", async () => {
  await using t = await route({}, false);
  assert.equal((await t.r.callback!("dlr", req({ ref: "1", status: "delivered" }))).status, 503);
  assert.equal((await t.r.callback!("mo", req({ from: "1", to: "2", text: "x" }))).status, 503);
});
