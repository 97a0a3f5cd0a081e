/** The log of `main.ts serve`: text and JSON lines, what each level tells, passwords never. */
import assert from "node:assert/strict";
import { TestClient, within } from "../support/client.ts";
import { lines } from "../support/cli.ts";
import { GatewayProcess } from "../support/process.ts";

const ACCOUNT = { systemId: "acme", password: "Sekr3t1" };

/**
 * Runs `main.ts serve` with `flags` and one account, binds and submits one message with a
 * receipt (acknowledged), tries a wrong password, stops it with SIGTERM; resolves its output.
 */
async function servedOutput(...flags: string[]): Promise<string> {
  const dir = await Deno.makeTempDir();
  try {
    const config = `${dir}/c.json`;
    await Deno.writeTextFile(
      config,
      JSON.stringify({ accounts: [ACCOUNT], simulator: { delayMs: 10 } }),
    );
    const gw = await GatewayProcess.start([
      "--port",
      "0",
      "--kv",
      ":memory:",
      "--config",
      config,
      ...flags,
    ]);
    try {
      const wrong = await TestClient.connect(gw.port);
      assert.notEqual((await wrong.bind(ACCOUNT.systemId, "Wr0ngPw")).status, 0);
      await within(wrong.closed, 5000, "refused bind closes");
      wrong.close();
      const c = await TestClient.connect(gw.port);
      assert.equal((await c.bind(ACCOUNT.systemId, ACCOUNT.password)).status, 0);
      assert.equal((await c.submit("Hello")).status, 0);
      await c.next(5000); // the receipt, acknowledged by the client
      // A round trip after the acknowledgement: the gateway has read it.
      assert.equal((await c.request({ command: "enquire_link" })).status, 0);
      assert.equal((await c.request({ command: "unbind" })).status, 0);
      await within(c.closed, 5000, "close after unbind");
      c.close();
    } finally {
      assert.equal((await gw.stop("SIGTERM")).code, 0, gw.output);
    }
    return gw.output;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("text log lines carry an ISO 8601 UTC timestamp, the level and the category", async () => {
  const out = await servedOutput();
  const logLines = lines(out).filter((l) => /^\d{4}-/.test(l));
  for (const l of logLines) {
    assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (INFO|WARNING|ERROR) +smppgw\.\w+/);
  }
  const info = logLines.join("\n");
  assert.match(info, /INFO {2}smppgw\.gateway: smppgw \S+ started: SMPP on 127\.0\.0\.1:\d+/);
  assert.match(info, /smppgw\.accounts: bind bind_transceiver refused for acme from 127\.0\.0\.1/);
  assert.match(
    info,
    /smppgw\.session: session \d+ bound as acme \(transceiver\) from 127\.0\.0\.1/,
  );
  assert.match(info, /smppgw\.session: session \d+ \(acme\) asked to unbind/);
  assert.match(
    info,
    /smppgw\.session: session \d+ closed: acme \(transceiver\) from 127\.0\.0\.1 after \d+ ms; 5 PDUs in, 1 submits, 1 deliver_sm out/,
  );
  assert.match(info, /smppgw\.gateway: smppgw stopped after \d+ s: .*submitted 1.*receiptsAcked 1/);
  // Nothing below info at the default level.
  assert.doesNotMatch(info, /DEBUG|TRACE/);
});

Deno.test("json log lines parse, one object a line, and debug tells each submit and receipt", async () => {
  const out = await servedOutput("--log-format", "json", "--log-level", "debug");
  const records = lines(out).filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  assert.ok(records.length > 5, out);
  for (const r of records) {
    assert.deepEqual(Object.keys(r), ["timestamp", "level", "category", "message", "properties"]);
    assert.match(r.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }
  const find = (category: string, re: RegExp) =>
    records.find((r) => r.category === category && re.test(r.message));
  const accepted = find("smppgw.intake", /^accepted \d+ from acme to 447700900123, 1 parts/);
  assert.ok(accepted, out);
  assert.equal(accepted.level, "debug");
  assert.deepEqual(
    { account: accepted.properties.account, dest: accepted.properties.dest },
    { account: "acme", dest: "447700900123" },
  );
  const id = accepted.properties.id;
  assert.ok(find("smppgw.receipts", new RegExp(`^receipt ${id} for acme sent`)), out);
  assert.ok(find("smppgw.receipts", new RegExp(`^receipt ${id} for acme acknowledged`)), out);
  const closed = find("smppgw.session", /closed: acme/);
  assert.equal(closed.properties.submits, 1);
  assert.equal(closed.properties.receipts, 1);
  assert.equal(typeof closed.properties.durationMs, "number");
});

Deno.test("trace logs every decoded PDU, and a bind's password never appears", async () => {
  const out = await servedOutput("--log-level", "trace");
  assert.match(
    out,
    /TRACE smppgw\.session: session \d+ got bind_transceiver seq \d+ status ESME_ROK/,
  );
  assert.match(out, /"system_id":"acme","password":"\*\*\*"/);
  assert.match(out, /got submit_sm seq \d+/);
  assert.match(out, /got deliver_sm_resp seq \d+ status ESME_ROK/);
  // One line a record: every line is a banner line or starts with its timestamp.
  for (const l of lines(out)) assert.match(l, /^(smppgw |No accounts|Admin API|\d{4}-)/);
  for (const secret of [ACCOUNT.password, "Wr0ngPw"]) {
    assert.equal(out.includes(secret), false, `${secret} in the log`);
  }
});
