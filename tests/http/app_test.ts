/** The HTTP port: route callbacks reach their route with fields and token; errors are JSON. */
import assert from "node:assert/strict";
import { testGateway } from "../support/client.ts";
import { manualRoute } from "../support/manual_route.ts";
import type { CallbackRequest } from "../../lib/delivery/route.ts";
import { readCallback } from "../../lib/http/callbacks.ts";

Deno.test("readCallback() reads JSON, form and query fields and the token both ways", async () => {
  const json = await readCallback(
    new Request("http://x/r?a=1&token=Q", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer B" },
      body: JSON.stringify({ b: 2, c: true, d: { e: 1 } }),
    }),
  );
  assert.deepEqual(json, { fields: { a: "1", b: "2", c: "true", d: '{"e":1}' }, token: "B" });
  const form = await readCallback(
    new Request("http://x/r?token=Q", { method: "POST", body: new URLSearchParams({ f: "x y" }) }),
  );
  assert.deepEqual(form, { fields: { f: "x y" }, token: "Q" });
  const get = await readCallback(new Request("http://x/r?id=9"));
  assert.deepEqual(get, { fields: { id: "9" }, token: null });
  await assert.rejects(
    readCallback(
      new Request("http://x/r", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{nope",
      }),
    ),
    /body is not valid JSON/,
  );
});

Deno.test("POST /routes/{name}/dlr hands the parsed request to the route and answers its reply", async () => {
  const seen: { kind: string; req: CallbackRequest }[] = [];
  const route = manualRoute("prov", (kind, req) => {
    seen.push({ kind, req });
    return Promise.resolve({ status: req.token === "T" ? 200 : 401, body: { status: "ok" } });
  });
  await using gw = await testGateway({
    routes: [{ route }, { route: manualRoute("plain") }],
    http: { port: 0 },
  });
  const base = `http://127.0.0.1:${gw.httpAddr!.port}`;
  const post = (path: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, { method: "POST", ...init });
  let r = await post("/routes/prov/dlr?token=T", {
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ref: "42", status: "delivered" }),
  });
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { status: "ok" });
  assert.deepEqual(seen[0], {
    kind: "dlr",
    req: { fields: { ref: "42", status: "delivered" }, token: "T" },
  });
  r = await fetch(`${base}/routes/prov/mo?from=447700900123&to=4470&text=hi`);
  assert.equal(r.status, 401);
  await r.body?.cancel();
  assert.equal(seen[1].kind, "mo");
  r = await post("/routes/nope/dlr");
  assert.equal(r.status, 404);
  assert.deepEqual(await r.json(), { error: "no route named nope", path: "name" });
  r = await post("/routes/plain/dlr");
  assert.equal(r.status, 404);
  assert.match((await r.json()).error, /takes no callbacks/);
  r = await post("/routes/prov/dlr", {
    headers: { "content-type": "application/json" },
    body: "[",
  });
  assert.equal(r.status, 400);
  assert.match((await r.json()).error, /not valid JSON/);
  r = await fetch(`${base}/elsewhere`);
  assert.equal(r.status, 404);
  assert.match((await r.json()).error, /no such endpoint/);
});

Deno.test("a callback body over 64 KiB is refused with 413 before it reaches the route", async () => {
  const seen: unknown[] = [];
  const route = manualRoute("prov", (_kind, req) => {
    seen.push(req);
    return Promise.resolve({ status: 200, body: {} });
  });
  await using gw = await testGateway({ routes: [{ route }], http: { port: 0 } });
  const res = await fetch(`http://127.0.0.1:${gw.httpAddr!.port}/routes/prov/dlr`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ pad: "x".repeat(70_000) }),
  });
  assert.equal(res.status, 413);
  assert.match((await res.json()).error, /body too large/);
  assert.equal(seen.length, 0);
});
