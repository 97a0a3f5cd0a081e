/** The HTTP route end to end: an SMPP client, the gateway, a real HTTP provider, and back. */
import assert from "node:assert/strict";
import { optionsFromConfig, parseConfig } from "../../lib/mod.ts";
import { ACCOUNT, TestClient, testGateway, within } from "../support/client.ts";
import { freePort, type Provider, startProvider } from "../support/provider.ts";
import { waitUntil } from "../support/wait.ts";

const TOKEN = "dlr-token-123";

/** A gateway whose only route is an HTTP route to `provider` (extra keys override). */
async function gateway(url: string, extra: Record<string, unknown> = {}, kv?: string) {
  const o = optionsFromConfig(parseConfig({
    routes: [{
      name: "uk",
      type: "http",
      url,
      params: { to: "{dest}", from: "{source}", text: "{text}", ref: "{id}" },
      providerId: "messageId",
      retry: { baseMs: 20, maxMs: 100, maxAttempts: 5 },
      dlr: {
        token: TOKEN,
        id: "ref",
        status: "status",
        err: "code",
        stat: { delivered: "DELIVRD", failed: "UNDELIV" },
      },
      mo: { token: TOKEN, from: "from", to: "to", text: "text" },
      ...extra,
    }],
    inbound: [{ dest: "^4470", account: ACCOUNT.systemId }],
  }));
  const gw = await testGateway({
    routes: o.routes,
    inbound: o.inbound,
    http: { port: 0 },
    ...(kv ? { kv } : {}),
  });
  const base = `http://127.0.0.1:${gw.httpAddr!.port}/routes/uk`;
  const c = await TestClient.connect(gw.addr.port);
  await c.bind(ACCOUNT.systemId, ACCOUNT.password);
  return {
    gw,
    c,
    base,
    async [Symbol.asyncDispose]() {
      c.close();
      await gw.close();
    },
  };
}

const text = (p: { body: Record<string, unknown> }) =>
  new TextDecoder().decode(p.body.short_message as Uint8Array);

async function post(url: string, body: Record<string, string>, token: string | null = TOKEN) {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

Deno.test("http route: accepted with a provider id, then its DLR brings the receipt with our id", async () => {
  await using provider = startProvider((r) =>
    Response.json({ messageId: `P-${JSON.parse(r.body).ref}` })
  );
  await using g = await gateway(provider.url);
  const id = (await g.c.submit("Hello provider")).body.message_id as string;
  await within(provider.waitRequests(1), 5000, "the provider request");
  const req = provider.requests[0];
  assert.equal(req.method, "POST");
  assert.equal(req.headers.get("content-type"), "application/json");
  assert.deepEqual(JSON.parse(req.body), {
    to: "447700900123",
    from: "Acme",
    text: "Hello provider",
    ref: id,
  });
  // ENROUTE until the DLR (the hand-over is stored right after the 2xx).
  let q;
  for (let i = 0; i < 100; i++) {
    q = await g.c.request({ command: "query_sm", body: { message_id: id, source_addr: "Acme" } });
    if (q.body.message_state === 1 && (await g.gw.gateway.store.byProviderId("uk", `P-${id}`))) {
      break;
    }
    await within(provider.waitRequests(1), 100).catch(() => {});
  }
  assert.equal(q!.body.message_state, 1);
  assert.deepEqual(await post(`${g.base}/dlr`, { ref: "P-nope", status: "delivered" }), {
    status: 404,
    json: { error: "unknown message", path: "ref" },
  });
  assert.equal(
    (await post(`${g.base}/dlr`, { ref: `P-${id}`, status: "delivered" }, "wrong")).status,
    401,
  );
  assert.deepEqual((await post(`${g.base}/dlr`, { status: "delivered" })).json, {
    error: "missing field",
    path: "ref",
  });
  assert.equal(
    (await post(`${g.base}/dlr`, { ref: `P-${id}`, status: "lost" })).json.path,
    "status",
  );
  assert.deepEqual(
    await post(`${g.base}/dlr`, { ref: `P-${id}`, status: "delivered", code: "0" }),
    {
      status: 200,
      json: { status: "ok" },
    },
  );
  assert.match(text(await g.c.next()), new RegExp(`^id:${id} .*stat:DELIVRD err:000`));
  // A repeat is acknowledged and ignored; GET with ?token= works too.
  const again = await fetch(`${g.base}/dlr?token=${TOKEN}&ref=P-${id}&status=failed&code=34`);
  assert.deepEqual(await again.json(), { status: "ignored" });
});

Deno.test("http route: 400 is final UNDELIV err 400; 503 is retried; without dlr 2xx is ACCEPTD", async () => {
  let calls = 0;
  await using provider = startProvider((r) => {
    calls++;
    const body = JSON.parse(r.body);
    if (body.to === "4400") return new Response("bad number", { status: 400 });
    if (body.to === "4403" && calls < 3) return new Response("busy", { status: 503 });
    return Response.json({ messageId: `X${calls}` });
  });
  await using g = await gateway(provider.url, { dlr: undefined });
  const bad = (await g.c.submit("x", { destination_addr: "4400" })).body.message_id as string;
  assert.match(text(await g.c.next()), new RegExp(`^id:${bad} .*stat:UNDELIV err:400`));
  const busy = (await g.c.submit("y", { destination_addr: "4403" })).body.message_id as string;
  // Without dlr the route can report nothing more than the provider's acceptance.
  assert.match(text(await g.c.next()), new RegExp(`^id:${busy} .*stat:ACCEPTD`));
  assert.ok(provider.requests.filter((r) => JSON.parse(r.body).to === "4403").length >= 2);
});

Deno.test("http route: a provider that is down is retried until it is up", async () => {
  const port = freePort();
  await using g = await gateway(`http://127.0.0.1:${port}/send`, {
    dlr: undefined,
    retry: { baseMs: 50, maxMs: 200, maxAttempts: 50 },
  });
  const id = (await g.c.submit("later")).body.message_id as string;
  // The first attempts fail to connect; the retry is stored.
  await waitUntil(async () => (await g.gw.gateway.store.routeJob(id)) !== null, 5000, "a retry");
  assert.ok((await g.gw.gateway.store.routeJob(id))!.attempts >= 1);
  await using provider = startProvider(() => Response.json({ messageId: "UP" }), port);
  assert.match(text(await g.c.next(10_000)), new RegExp(`^id:${id} .*stat:ACCEPTD`));
  assert.equal(provider.requests.length, 1);
  assert.equal(await g.gw.gateway.store.routeJob(id), null, "the retry record is removed");
});

Deno.test("http route: out of attempts → UNDELIV; 429 Retry-After is honoured", async () => {
  let n = 0;
  await using provider = startProvider(() =>
    ++n <= 2
      ? new Response("later", { status: 429, headers: { "retry-after": "0" } })
      : new Response("down", { status: 500 })
  );
  await using g = await gateway(provider.url, {
    dlr: undefined,
    retry: { baseMs: 10, maxMs: 20, maxAttempts: 4 },
  });
  const id = (await g.c.submit("doomed")).body.message_id as string;
  assert.match(text(await g.c.next()), new RegExp(`^id:${id} .*stat:UNDELIV err:500`));
  assert.equal(provider.requests.length, 4);
});

Deno.test("http route: form and query formats, placeholders, binary as {hex}", async () => {
  await using provider = startProvider(() => Response.json({ messageId: "F" }));
  {
    await using g = await gateway(provider.url, {
      format: "form",
      dlr: undefined,
      headers: { Authorization: "Bearer K" },
      params: { to: "+{dest}", hex: "{hex}", dc: "{dataCoding}", acct: "{account}", n: "{parts}" },
    });
    await g.c.submit("", { short_message: Uint8Array.of(0xde, 0xad), data_coding: 4 });
    await g.c.next();
    const r = provider.requests[0];
    assert.equal(r.headers.get("authorization"), "Bearer K");
    assert.equal(r.headers.get("content-type"), "application/x-www-form-urlencoded");
    assert.deepEqual(Object.fromEntries(new URLSearchParams(r.body)), {
      to: "+447700900123",
      hex: "dead",
      dc: "4",
      acct: ACCOUNT.systemId,
      n: "1",
    });
  }
  {
    await using g = await gateway(provider.url, { method: "GET", format: "query", dlr: undefined });
    // UCS2 text (data_coding 8) goes out decoded.
    const ucs2 = Uint8Array.of(0x00, 0xfc, 0x00, 0x62, 0x00, 0x65, 0x00, 0x72);
    assert.equal((await g.c.submit("", { short_message: ucs2, data_coding: 8 })).status, 0);
    await g.c.next();
    const r = provider.requests[1];
    assert.equal(r.method, "GET");
    assert.equal(r.url.searchParams.get("text"), "über");
    assert.equal(r.body, "");
  }
});

Deno.test("http route: never more requests at once than its concurrency", async () => {
  const release = Promise.withResolvers<void>();
  await using provider: Provider = startProvider(async () => {
    await release.promise;
    return Response.json({ messageId: "C" });
  });
  await using g = await gateway(provider.url, { dlr: undefined, concurrency: 3 });
  const answers = g.c.sendBatch(Array.from({ length: 10 }, () => ({
    command: "submit_sm",
    body: { source_addr: "A", destination_addr: "447700900123", short_message: new Uint8Array(1) },
  })));
  await Promise.all(answers);
  await within(provider.waitRequests(3), 5000, "three requests");
  assert.equal(provider.requests.length, 3);
  release.resolve();
  await within(provider.waitRequests(10), 5000, "all requests");
  assert.equal(provider.maxConcurrent, 3);
});

Deno.test("http route: a retry waiting at a restart resumes with its attempts", async () => {
  const dir = await Deno.makeTempDir();
  const kv = `${dir}/gw.kv`;
  try {
    let id: string;
    await using provider = startProvider(() => new Response("no", { status: 503 }));
    {
      await using g = await gateway(provider.url, {
        dlr: undefined,
        retry: { baseMs: 60_000, maxMs: 60_000, maxAttempts: 5 },
      }, kv);
      id = (await g.c.submit("resume me")).body.message_id as string;
      await within(provider.waitRequests(1), 5000, "the first attempt");
      await waitUntil(
        async () => (await g.gw.gateway.store.routeJob(id)) !== null,
        5000,
        "a retry",
      );
    }
    provider.answer = () => Response.json({ messageId: "R" });
    // The stored retry is a minute away: with a short one it would run now.
    await using g = await gateway(provider.url, {
      dlr: undefined,
      retry: { baseMs: 10, maxMs: 10, maxAttempts: 5 },
    }, kv);
    const job = await g.gw.gateway.store.routeJob(id);
    assert.equal(job?.attempts, 1);
    assert.ok(job!.nextAt > Date.now() + 30_000);
    assert.equal(provider.requests.length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("http route: an inbound message posted to /mo reaches a receiver, or waits for one", async () => {
  await using provider = startProvider();
  await using g = await gateway(provider.url);
  assert.deepEqual(
    await post(`${g.base}/mo`, { from: "447700900999", to: "447012", text: "STOP" }),
    {
      status: 200,
      json: { status: "ok" },
    },
  );
  const d = await g.c.next();
  assert.equal(d.body.esm_class, 0);
  assert.equal(d.body.source_addr, "447700900999");
  assert.equal(text(d), "STOP");
  assert.deepEqual(await post(`${g.base}/mo`, { from: "1", to: "3312", text: "x" }), {
    status: 404,
    json: { error: "no inbound rule for 3312", path: "to" },
  });
  assert.deepEqual((await post(`${g.base}/mo`, { from: "1", text: "x" })).json, {
    error: "missing field",
    path: "to",
  });
  assert.equal(
    (await post(`${g.base}/mo`, { from: "1", to: "4470", text: "x" }, null)).status,
    401,
  );
  // With no receiver bound the message waits in the outbox.
  g.c.close();
  await post(
    `${g.base}/mo?token=${TOKEN}`,
    { from: "447700900999", to: "447012", text: "waiting" },
    null,
  );
  const r = await TestClient.connect(g.gw.addr.port);
  try {
    await r.bind(ACCOUNT.systemId, ACCOUNT.password, "receiver");
    assert.equal(text(await r.next()), "waiting");
  } finally {
    r.close();
  }
});

Deno.test("http route: a message whose validity ends while it is retried is EXPIRED", async () => {
  await using provider = startProvider(() => new Response("down", { status: 503 }));
  await using g = await gateway(provider.url, {
    dlr: undefined,
    retry: { baseMs: 2000, maxMs: 2000, maxAttempts: 10 },
  });
  const id = (await g.c.submit("hurry", { validity_period: "000000000001000R" })).body
    .message_id as string;
  assert.match(text(await g.c.next()), new RegExp(`^id:${id} .*stat:EXPIRED`));
  assert.equal(provider.requests.length, 1);
});

Deno.test("http route: a status named like an Object property is refused, not taken as a stat", async () => {
  await using provider = startProvider((r) =>
    Response.json({ messageId: `P-${JSON.parse(r.body).ref}` })
  );
  await using g = await gateway(provider.url);
  const id = (await g.c.submit("proto")).body.message_id as string;
  await waitUntil(
    async () => (await g.gw.gateway.store.byProviderId("uk", `P-${id}`)) === id,
    5000,
    "hand-over",
  );
  for (const status of ["constructor", "toString", "__proto__"]) {
    const r = await post(`${g.base}/dlr`, { ref: `P-${id}`, status });
    assert.equal(r.status, 400, status);
    assert.equal(r.json.path, "status");
  }
  assert.equal((await g.gw.gateway.store.state(id))?.state, 1, "still ENROUTE");
});

Deno.test("http route: a DLR by our id while the message waits for a retry settles it; it is not sent again", async () => {
  await using provider = startProvider(() => new Response("busy", { status: 503 }));
  await using g = await gateway(provider.url, {
    retry: { baseMs: 150, maxMs: 150, maxAttempts: 5 },
  });
  const id = (await g.c.submit("once")).body.message_id as string;
  await waitUntil(
    async () => (await g.gw.gateway.store.routeJob(id)) !== null,
    5000,
    "the retry stored",
  );
  assert.deepEqual(await post(`${g.base}/dlr`, { ref: id, status: "delivered" }), {
    status: 200,
    json: { status: "ok" },
  });
  assert.match(text(await g.c.next()), new RegExp(`^id:${id} .*stat:DELIVRD`));
  // The retry was due 150 ms after the failure: give it three times that to (not) happen.
  await new Promise((r) => setTimeout(r, 450));
  assert.equal(provider.requests.length, 1);
  assert.equal(g.c.inbox.filter((p) => p.command === "deliver_sm").length, 0, "no second receipt");
  assert.equal((await g.gw.gateway.store.state(id))?.state, 2);
});

Deno.test("http route: a DLR posted before the provider's 2xx is read gets 503 (retry), then 200", async () => {
  let early = 0;
  let base = "";
  await using provider = startProvider(async (r) => {
    const ref = JSON.parse(r.body).ref;
    early = (await post(`${base}/dlr`, { ref: `P-${ref}`, status: "delivered" })).status;
    return Response.json({ messageId: `P-${ref}` });
  });
  await using g = await gateway(provider.url);
  base = g.base;
  const id = (await g.c.submit("race")).body.message_id as string;
  await within(provider.waitRequests(1), 5000, "the request");
  await waitUntil(() => early !== 0, 5000, "the early DLR answered");
  assert.equal(early, 503);
  await waitUntil(
    async () => (await g.gw.gateway.store.byProviderId("uk", `P-${id}`)) === id,
    5000,
    "hand-over",
  );
  assert.equal((await post(`${g.base}/dlr`, { ref: `P-${id}`, status: "delivered" })).status, 200);
  assert.match(text(await g.c.next()), /stat:DELIVRD/);
});

Deno.test("http route: a 19-digit id sent back as a JSON number is not rounded", async () => {
  // The provider echoes our id as a JSON number, both in its reply and in its DLR.
  await using provider = startProvider((r) =>
    new Response(`{"messageId": ${JSON.parse(r.body).ref}}`, {
      headers: { "content-type": "application/json" },
    })
  );
  await using g = await gateway(provider.url);
  const id = (await g.c.submit("big")).body.message_id as string;
  await waitUntil(
    async () => (await g.gw.gateway.store.byProviderId("uk", id)) === id,
    5000,
    "hand-over by the exact id",
  );
  const res = await fetch(`${g.base}/dlr`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
    body: `{"ref": ${id}, "status": "delivered"}`,
  });
  assert.deepEqual(await res.json(), { status: "ok" });
  assert.match(text(await g.c.next()), new RegExp(`^id:${id} `));
});

Deno.test("http route: at routeBacklog jobs held, new messages for it get 0x14 instead of memory", async () => {
  const release = Promise.withResolvers<void>();
  await using provider = startProvider(async () => {
    await release.promise;
    return Response.json({ messageId: "L" });
  });
  const o = optionsFromConfig(parseConfig({
    routes: [{ name: "slow", type: "http", url: provider.url, concurrency: 1 }],
  }));
  await using gw = await testGateway({ routes: o.routes, routeBacklog: 3 });
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password);
    for (let i = 0; i < 3; i++) assert.equal((await c.submit(`m${i}`)).status, 0);
    assert.equal((await c.submit("one too many")).status, 0x14);
    release.resolve();
    await within(provider.waitRequests(3), 5000, "the held messages sent");
  } finally {
    c.close();
  }
});

/** A part of a concatenated message: 8-bit reference UDH, then `text` in GSM 7-bit. */
function part(ref: number, total: number, seq: number, text: string) {
  const udh = [0x05, 0x00, 0x03, ref, total, seq];
  return {
    esm_class: 0x40,
    short_message: new Uint8Array([...udh, ...new TextEncoder().encode(text)]),
  };
}

Deno.test("http route: a concatenated message goes as one request with its whole text; its DLR settles every part", async () => {
  await using provider = startProvider((r) =>
    Response.json({ messageId: `P-${JSON.parse(r.body).ref}` })
  );
  await using g = await gateway(provider.url);
  const a = (await g.c.submit("", part(7, 2, 1, "Hello, this is the first half "))).body
    .message_id as string;
  const b = (await g.c.submit("", part(7, 2, 2, "and this is the second."))).body
    .message_id as string;
  await provider.waitRequests(1);
  const req = JSON.parse(provider.requests[0].body);
  assert.equal(req.text, "Hello, this is the first half and this is the second.");
  // Both parts are ENROUTE once it is handed over; the DLR by the provider's id settles both.
  await waitUntil(async () => (await g.gw.gateway.store.state(b))?.state === 1, 5000, "ENROUTE");
  const dlr = await post(`${g.base}/dlr`, { ref: `P-${req.ref}`, status: "delivered" });
  assert.deepEqual(dlr, { status: 200, json: { status: "ok" } });
  const receipts = [text(await g.c.next()), text(await g.c.next())];
  for (const id of [a, b]) {
    assert.ok(receipts.some((r) => r.startsWith(`id:${id} `) && r.includes("stat:DELIVRD")), id);
  }
  assert.equal(provider.requests.length, 1, "one request for the whole message");
  const repeat = await post(`${g.base}/dlr`, { ref: `P-${req.ref}`, status: "failed" });
  assert.deepEqual(repeat.json, { status: "ignored" });
});

Deno.test("http route: concat parts sends each part as its own request", async () => {
  await using provider = startProvider(() => Response.json({ messageId: "P" }));
  await using g = await gateway(provider.url, { concat: "parts", dlr: undefined });
  await g.c.submit("", part(9, 2, 1, "one "));
  await g.c.submit("", part(9, 2, 2, "two"));
  await provider.waitRequests(2);
  assert.deepEqual(provider.requests.map((r) => JSON.parse(r.body).text).sort(), ["one ", "two"]);
});

Deno.test("http route: a joined message handed over before a restart is not sent again; its DLR after it settles every part", async () => {
  await using provider = startProvider((r) =>
    Response.json({ messageId: `P-${JSON.parse(r.body).ref}` })
  );
  const dir = await Deno.makeTempDir();
  try {
    const kv = `${dir}/gw.kv`;
    let ids: string[];
    let ref: string;
    {
      await using g = await gateway(provider.url, {}, kv);
      ids = [
        (await g.c.submit("", part(3, 2, 1, "before "))).body.message_id as string,
        (await g.c.submit("", part(3, 2, 2, "restart"))).body.message_id as string,
      ];
      await provider.waitRequests(1);
      ref = JSON.parse(provider.requests[0].body).ref;
      await waitUntil(
        async () => (await g.gw.gateway.store.state(ids[1]))?.state === 1,
        5000,
        "ENROUTE",
      );
    }
    await using g = await gateway(provider.url, {}, kv);
    const dlr = await post(`${g.base}/dlr`, { ref: `P-${ref}`, status: "delivered" });
    assert.equal(dlr.json.status, "ok");
    const receipts = [text(await g.c.next()), text(await g.c.next())];
    for (const id of ids) assert.ok(receipts.some((r) => r.startsWith(`id:${id} `)), id);
    assert.equal(provider.requests.length, 1, "not sent again after the restart");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("http route: a scheduled concatenated message goes as one request at its time", async () => {
  await using provider = startProvider((r) =>
    Response.json({ messageId: `P-${JSON.parse(r.body).ref}` })
  );
  await using g = await gateway(provider.url);
  const sent = Date.now();
  const at = { schedule_delivery_time: "000000000001000R" };
  await g.c.submit("", { ...part(4, 2, 1, "later "), ...at });
  await g.c.submit("", { ...part(4, 2, 2, "please"), ...at });
  await provider.waitRequests(1);
  assert.ok(Date.now() - sent >= 900, `sent after ${Date.now() - sent} ms`);
  assert.equal(JSON.parse(provider.requests[0].body).text, "later please");
});

Deno.test("http route: a part sent twice goes once in the text; the DLR gives the copy its receipt too", async () => {
  await using provider = startProvider((r) =>
    Response.json({ messageId: `P-${JSON.parse(r.body).ref}` })
  );
  await using g = await gateway(provider.url);
  const a = (await g.c.submit("", part(8, 2, 1, "one "))).body.message_id as string;
  const again = (await g.c.submit("", part(8, 2, 1, "one "))).body.message_id as string;
  const b = (await g.c.submit("", part(8, 2, 2, "two"))).body.message_id as string;
  await provider.waitRequests(1);
  const req = JSON.parse(provider.requests[0].body);
  assert.equal(req.text, "one two");
  await waitUntil(
    async () => (await g.gw.gateway.store.state(again))?.state === 1,
    5000,
    "ENROUTE",
  );
  await post(`${g.base}/dlr`, { ref: `P-${req.ref}`, status: "delivered" });
  const receipts = [text(await g.c.next()), text(await g.c.next()), text(await g.c.next())];
  for (const id of [a, again, b]) {
    assert.ok(receipts.some((r) => r.startsWith(`id:${id} `) && r.includes("stat:DELIVRD")), id);
  }
  assert.equal((await g.gw.gateway.store.state(again))?.state, 2);
});

Deno.test("http route: a part sent again after its message went out is not sent alone; it gets the message's receipt", async () => {
  await using provider = startProvider((r) =>
    Response.json({ messageId: `P-${JSON.parse(r.body).ref}` })
  );
  await using g = await gateway(provider.url);
  const a = (await g.c.submit("", part(6, 2, 1, "first "))).body.message_id as string;
  const b = (await g.c.submit("", part(6, 2, 2, "second"))).body.message_id as string;
  await provider.waitRequests(1);
  const req = JSON.parse(provider.requests[0].body);
  await waitUntil(async () => (await g.gw.gateway.store.state(b))?.state === 1, 5000, "ENROUTE");
  // The client resends the last part (its response was lost): a duplicate, ENROUTE with the rest.
  const late = (await g.c.submit("", part(6, 2, 2, "second"))).body.message_id as string;
  await waitUntil(async () => (await g.gw.gateway.store.state(late))?.state === 1, 5000, "late");
  await post(`${g.base}/dlr`, { ref: `P-${req.ref}`, status: "delivered" });
  const receipts = [text(await g.c.next()), text(await g.c.next()), text(await g.c.next())];
  for (const id of [a, b, late]) {
    assert.ok(receipts.some((r) => r.startsWith(`id:${id} `) && r.includes("stat:DELIVRD")), id);
  }
  // Sent again once it is final: the same outcome at once.
  const later = (await g.c.submit("", part(6, 2, 1, "first "))).body.message_id as string;
  assert.match(text(await g.c.next()), new RegExp(`^id:${later} .*stat:DELIVRD`));
  assert.equal(provider.requests.length, 1, "never sent on its own");
});

Deno.test("http route: a part sent again while its message waits for a retry goes with it", async () => {
  await using provider = startProvider((r, n) =>
    n === 1
      ? new Response("busy", { status: 503 })
      : Response.json({ messageId: `P-${JSON.parse(r.body).ref}` })
  );
  await using g = await gateway(provider.url, {
    retry: { baseMs: 300, maxMs: 300, maxAttempts: 5 },
  });
  const a = (await g.c.submit("", part(2, 2, 1, "wait "))).body.message_id as string;
  const b = (await g.c.submit("", part(2, 2, 2, "for it"))).body.message_id as string;
  await provider.waitRequests(1);
  const late = (await g.c.submit("", part(2, 2, 2, "for it"))).body.message_id as string;
  await provider.waitRequests(2);
  const req = JSON.parse(provider.requests[1].body);
  assert.equal(req.text, "wait for it");
  await waitUntil(async () => (await g.gw.gateway.store.state(late))?.state === 1, 5000, "ENROUTE");
  await post(`${g.base}/dlr`, { ref: `P-${req.ref}`, status: "delivered" });
  const receipts = [text(await g.c.next()), text(await g.c.next()), text(await g.c.next())];
  for (const id of [a, b, late]) assert.ok(receipts.some((r) => r.startsWith(`id:${id} `)), id);
  assert.equal(provider.requests.length, 2);
});
