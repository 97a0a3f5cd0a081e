/** `main.ts account` and `main.ts trace` against a running gateway (admin API) and a stopped store. */
import assert from "node:assert/strict";
import { ACCOUNT, TestClient, testGateway } from "../support/client.ts";
import { runMain } from "../support/cli.ts";
import { waitUntil } from "../support/wait.ts";

const TOKEN = "cli-admin-token-0123456789";

Deno.test("account commands manage a running gateway's accounts through the admin API", async () => {
  await using gw = await testGateway({ http: { port: 0, adminToken: TOKEN } });
  const url = ["--url", `http://127.0.0.1:${gw.httpAddr!.port}`];
  const env = { SMPPGW_ADMIN_TOKEN: TOKEN };
  const add = await runMain(["account", "add", "acme", "--password", "pw", "--tps", "20", ...url], {
    env,
  });
  assert.equal(add.code, 0, add.stderr);
  assert.match(add.stdout, /account acme created/);
  const list = await runMain(["account", "list", ...url], { env });
  assert.match(list.stdout, /^acme\s+enabled\s+api\s+maxSessions=5 sourceAddrs=- tps=20$/m);
  assert.match(list.stdout, /^test\s+enabled\s+config/m);
  const show = await runMain(["account", "show", "acme", ...url], { env });
  assert.equal(JSON.parse(show.stdout).tps, 20);
  const c = await TestClient.connect(gw.addr.port);
  assert.equal((await c.bind("acme", "pw")).status, 0);
  assert.equal((await runMain(["account", "disable", "acme", ...url], { env })).code, 0);
  await waitUntil(() => gw.gateway.sessions.length === 0, 5000, "the session unbound");
  c.close();
  assert.equal(
    (await runMain(["account", "passwd", "acme", "--password", "n", ...url], { env })).code,
    0,
  );
  const wrong = await runMain(["account", "show", "nobody", ...url], { env });
  assert.equal(wrong.code, 1);
  assert.equal(wrong.stderr.trim(), "smppgw: 404: no account nobody (systemId)");
  const noToken = await runMain(["account", "list", ...url]);
  assert.equal(noToken.code, 2);
  assert.match(noToken.stderr, /needs --token or SMPPGW_ADMIN_TOKEN/);
  const badToken = await runMain(["account", "list", ...url, "--token", "nope"]);
  assert.equal(badToken.code, 1);
  assert.match(badToken.stderr, /401/);
  const bad = await runMain(["account", "frob"]);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim(), 'smppgw: unknown account command "frob"');
  assert.equal((await runMain(["account", "remove", "acme", ...url], { env })).code, 0);
  assert.equal(await gw.gateway.store.account("acme"), null);
});

Deno.test("account --kv works on a stopped gateway's store and is refused while one runs", async () => {
  const dir = await Deno.makeTempDir();
  const kv = `${dir}/gw.kv`;
  try {
    {
      await using _gw = await testGateway({ kv });
    }
    const add = await runMain(["account", "add", "acme", "--password", "pw", "--kv", kv]);
    assert.equal(add.code, 0, add.stderr);
    const list = await runMain(["account", "list", "--kv", kv]);
    assert.match(list.stdout, /^acme\s+enabled\s+api/m);
    await using gw = await testGateway({ kv });
    const c = await TestClient.connect(gw.addr.port);
    assert.equal((await c.bind("acme", "pw")).status, 0);
    c.close();
    const busy = await runMain(["account", "list", "--kv", kv]);
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /another smppgw process/);
    const missing = await runMain(["account", "list", "--kv", `${dir}/none.kv`]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--kv .*none\.kv/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("trace prints a message's life from the admin API", async () => {
  await using gw = await testGateway({ http: { port: 0, adminToken: TOKEN } });
  const c = await TestClient.connect(gw.addr.port);
  await c.bind(ACCOUNT.systemId, ACCOUNT.password);
  const id = (await c.submit("trace me")).body.message_id as string;
  await c.next();
  c.close();
  const url = ["--url", `http://127.0.0.1:${gw.httpAddr!.port}`, "--token", TOKEN];
  const t = await runMain(["trace", id, ...url]);
  assert.equal(t.code, 0, t.stderr);
  assert.match(
    t.stdout,
    new RegExp(
      `^message ${id} \\(test, Acme → 447700900123, route simulator\\): DELIVERED stat:DELIVRD err:000`,
    ),
  );
  for (const e of ["received", "routed", "final", "receipt queued"]) {
    assert.match(t.stdout, new RegExp(e));
  }
  const none = await runMain(["trace", "1", ...url]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /404: no message 1/);
});
