/** The admin API end to end: a real gateway, real HTTP, a real SMPP client. */
import assert from "node:assert/strict";
import { ACCOUNT, TestClient, testGateway, within } from "../support/client.ts";
import { Status } from "../../lib/smpp/status.ts";
import { VERSION } from "../../lib/core/version.ts";
import { waitUntil } from "../support/wait.ts";

const TOKEN = "test-admin-token-0123456789";

async function adminGateway(o: Parameters<typeof testGateway>[0] = {}) {
  const gw = await testGateway({ http: { port: 0, adminToken: TOKEN }, ...o });
  const base = `http://127.0.0.1:${gw.httpAddr!.port}/v1`;
  const call = async (method: string, path: string, body?: unknown, token = TOKEN) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  };
  return { gw, call };
}

Deno.test("the admin API refuses a missing or wrong token with 401", async () => {
  const { gw, call } = await adminGateway();
  await using _ = gw;
  assert.equal((await call("GET", "/accounts", undefined, "")).status, 401);
  const wrong = await call("GET", "/status", undefined, "nope");
  assert.equal(wrong.status, 401);
  assert.deepEqual(wrong.json, { error: "missing or wrong bearer token", path: "Authorization" });
  assert.equal((await call("GET", "/status")).status, 200);
});

Deno.test("accounts: create, show, list without secrets, 409, 400 naming the field, 404", async () => {
  const { gw, call } = await adminGateway();
  await using _ = gw;
  const created = await call("POST", "/accounts", { systemId: "acme", password: "pw1", tps: 50 });
  assert.equal(created.status, 201);
  assert.deepEqual(created.json, {
    systemId: "acme",
    maxSessions: 5,
    sourceAddrs: [],
    tps: 50,
    source: "api",
    disabled: false,
  });
  assert.equal((await call("POST", "/accounts", { systemId: "acme", password: "x" })).status, 409);
  const bad = await call("POST", "/accounts", { systemId: "b", password: "x", tps: -1 });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.path, "tps");
  assert.deepEqual((await call("POST", "/accounts", "{")).json, { error: "body must be JSON" });
  const list = await call("GET", "/accounts");
  assert.deepEqual(list.json.map((a: { systemId: string }) => a.systemId).sort(), ["acme", "test"]);
  assert.ok(!JSON.stringify(list.json).includes("hash"));
  assert.equal((await call("GET", "/accounts/acme")).json.tps, 50);
  assert.equal((await call("GET", "/accounts/nobody")).status, 404);
  const c = await TestClient.connect(gw.addr.port);
  assert.equal((await c.bind("acme", "pw1")).status, 0);
  c.close();
});

Deno.test("accounts: a new password, disabling and removing apply at once", async () => {
  const { gw, call } = await adminGateway();
  await using _ = gw;
  await call("POST", "/accounts", { systemId: "acme", password: "old" });
  const bound = await TestClient.connect(gw.addr.port);
  assert.equal((await bound.bind("acme", "old")).status, 0);
  assert.equal((await call("PATCH", "/accounts/acme", { password: "new" })).status, 200);
  const a = await TestClient.connect(gw.addr.port);
  assert.equal((await a.bind("acme", "old")).status, Status.ESME_RINVPASWD);
  a.close();
  const patched = await call("PATCH", "/accounts/acme", { disabled: true });
  assert.equal(patched.json.disabled, true);
  await within(bound.closed, 5000, "the disabled account's session closing");
  bound.close();
  const b = await TestClient.connect(gw.addr.port);
  assert.equal((await b.bind("acme", "new")).status, Status.ESME_RBINDFAIL);
  b.close();
  await call("PATCH", "/accounts/acme", { disabled: false });
  const again = await TestClient.connect(gw.addr.port);
  assert.equal((await again.bind("acme", "new")).status, 0);
  assert.equal((await call("DELETE", "/accounts/acme")).status, 204);
  await within(again.closed, 5000, "the removed account's session closing");
  again.close();
  const gone = await TestClient.connect(gw.addr.port);
  assert.equal((await gone.bind("acme", "new")).status, Status.ESME_RBINDFAIL);
  gone.close();
  assert.equal((await call("DELETE", "/accounts/acme")).status, 404);
  assert.equal((await call("PATCH", "/accounts/test", { systemId: "x" })).json.path, "systemId");
});

Deno.test("accounts: a bad body is a 400 naming its field, as the config file's checks", async () => {
  const { gw, call } = await adminGateway();
  await using _ = gw;
  const unknown = await call("POST", "/accounts", { systemId: "b", password: "x", colour: 1 });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.json.path, "colour");
  assert.match(
    unknown.json.error,
    /^unknown key \(expected one of systemId, password, .*disabled\)$/,
  );
  assert.deepEqual((await call("POST", "/accounts", { password: "x" })).json, {
    error: "must be 1 to 15 printable ASCII characters",
    path: "systemId",
  });
  assert.deepEqual((await call("PATCH", "/accounts/test", { disabled: "yes" })).json, {
    error: "must be true or false",
    path: "disabled",
  });
  const ips = await call("PATCH", "/accounts/test", { allowedIps: ["10.0.0.1", "nope"] });
  assert.deepEqual(ips.json, {
    error: 'not an IP address or IPv4 CIDR: "nope"',
    path: "allowedIps[1]",
  });
  assert.deepEqual((await call("PATCH", "/accounts/test", [])).json, {
    error: "must be an object",
  });
  assert.equal((await call("PATCH", "/accounts/test", { tps: 5 })).json.tps, 5);
});

Deno.test("sessions: listed with their counts, and kicked with unbind", async () => {
  const { gw, call } = await adminGateway();
  await using _ = gw;
  const c = await TestClient.connect(gw.addr.port);
  await c.bind(ACCOUNT.systemId, ACCOUNT.password, "transceiver");
  await c.submit("one");
  await c.next();
  const [s] = (await call("GET", "/sessions")).json;
  assert.equal(s.systemId, ACCOUNT.systemId);
  assert.equal(s.bindType, "transceiver");
  assert.equal(s.remote, "127.0.0.1");
  assert.equal(s.submitted, 1);
  assert.equal(s.receiptsSent, 1);
  assert.ok(Date.parse(s.since) > 0);
  assert.equal((await call("DELETE", `/sessions/${s.id}`)).status, 204);
  await within(c.closed, 5000, "the kicked session closing");
  assert.equal(c.inbox.some((p) => p.command === "unbind"), true);
  c.close();
  assert.equal((await call("DELETE", `/sessions/${s.id}`)).status, 404);
});

Deno.test("messages: one with its state and receipt, the newest first, 404; receipts and status", async () => {
  const { gw, call } = await adminGateway();
  await using _ = gw;
  const c = await TestClient.connect(gw.addr.port);
  await c.bind(ACCOUNT.systemId, ACCOUNT.password, "transmitter");
  const ids: string[] = [];
  for (const t of ["a", "b", "c"]) ids.push((await c.submit(t)).body.message_id as string);
  // No receiver is bound: the receipts wait in the outbox.
  let out: { account: string; depth: number }[] = [];
  await waitUntil(
    async () => (out = (await call("GET", "/receipts")).json)[0]?.depth === 3,
    5000,
    "3 receipts queued",
  );
  assert.equal(out[0].account, ACCOUNT.systemId);
  assert.equal(out[0].depth, 3);
  const m = (await call("GET", `/messages/${ids[0]}`)).json;
  assert.equal(m.state, "DELIVERED");
  assert.equal(m.stat, "DELIVRD");
  assert.equal(m.route, "simulator");
  assert.deepEqual(m.receipt, { queued: true, sent: false, acknowledged: false });
  const r = await TestClient.connect(gw.addr.port);
  await r.bind(ACCOUNT.systemId, ACCOUNT.password, "receiver");
  for (let i = 0; i < 3; i++) await r.next();
  let acked: { acknowledged: boolean } = { acknowledged: false };
  await waitUntil(
    async () => (acked = (await call("GET", `/messages/${ids[0]}`)).json.receipt).acknowledged,
    5000,
    "the receipt acknowledged",
  );
  assert.deepEqual(acked, { queued: true, sent: true, acknowledged: true });
  const recent = (await call("GET", `/messages?account=${ACCOUNT.systemId}&limit=2`)).json;
  assert.deepEqual(recent.map((m: { id: string }) => m.id), [ids[2], ids[1]]);
  assert.equal((await call("GET", "/messages?account=nobody")).json.length, 0);
  assert.equal((await call("GET", "/messages?limit=0")).json.path, "limit");
  assert.equal((await call("GET", "/messages/123")).status, 404);
  const status = (await call("GET", "/status")).json;
  assert.equal(status.version, VERSION);
  assert.equal(status.counters.submitted, 3);
  c.close();
  r.close();
});

Deno.test("without a configured token one is generated once and keeps working after a restart", async () => {
  const dir = await Deno.makeTempDir();
  try {
    let token: string;
    {
      await using gw = await testGateway({ kv: `${dir}/gw.kv`, http: { port: 0 } });
      token = gw.generatedAdminToken!;
      assert.ok(token.length >= 32);
    }
    await using gw = await testGateway({ kv: `${dir}/gw.kv`, http: { port: 0 } });
    assert.equal(gw.generatedAdminToken, undefined);
    const res = await fetch(`http://127.0.0.1:${gw.httpAddr!.port}/v1/status`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 200);
    await res.body?.cancel();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("GET /v1/messages/{id}/trace tells a message's life", async () => {
  const { gw, call } = await adminGateway();
  await using _ = gw;
  const c = await TestClient.connect(gw.addr.port);
  await c.bind(ACCOUNT.systemId, ACCOUNT.password);
  const id = (await c.submit("trace me")).body.message_id as string;
  await c.next();
  let trace: { events: { event: string }[] } = { events: [] };
  await waitUntil(
    async () =>
      (trace = (await call("GET", `/messages/${id}/trace`)).json).events.some((
        e: { event: string },
      ) => e.event === "receipt acknowledged"),
    5000,
    "the acknowledged receipt in the trace",
  );
  assert.deepEqual(trace.events.map((e) => e.event), [
    "received",
    "routed",
    "final",
    "receipt queued",
    "receipt sent",
    "receipt acknowledged",
  ]);
  assert.equal((await call("GET", "/messages/1/trace")).status, 404);
  c.close();
});

Deno.test("GET /v1/messages/{id} finds a 3.3 bind's message by its 8-character id", async () => {
  const { gw, call } = await adminGateway();
  await using _ = gw;
  const c = await TestClient.connect(gw.addr.port);
  try {
    assert.equal((await c.bind(ACCOUNT.systemId, ACCOUNT.password, "transmitter", 0x33)).status, 0);
    const short = (await c.submit("hi", { registered_delivery: 0 })).body.message_id as string;
    const m = (await call("GET", `/messages/${short}`)).json;
    assert.equal(m.publicId, short);
    assert.match(m.id, /^\d{19}$/);
  } finally {
    c.close();
  }
});
