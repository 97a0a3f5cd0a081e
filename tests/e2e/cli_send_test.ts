/** `main.ts send` against a gateway in this process: ids, receipts, parts, failures, exit codes. */
import assert from "node:assert/strict";
import { decodeText } from "../../lib/text/coding.ts";
import { parseUdh } from "../../lib/text/concat.ts";
import { ACCOUNT, testGateway } from "../support/client.ts";
import { lines, runMain } from "../support/cli.ts";
import { storedMessages } from "../support/records.ts";

function sendArgs(port: number, ...extra: string[]): string[] {
  return [
    "send",
    "--port",
    String(port),
    "--system-id",
    ACCOUNT.systemId,
    "--password",
    ACCOUNT.password,
    "--from",
    "Acme",
    "--timeout",
    "10",
    ...extra,
  ];
}

const ID = /^message id (\d{19})/;

Deno.test("send submits, prints the message id and exits 0", async () => {
  await using gw = await testGateway({ simulator: { delayMs: 10 } });
  const r = await runMain(sendArgs(gw.addr.port, "--to", "447700900123", "--text", "Hello"));
  assert.equal(r.code, 0, r.stderr);
  const out = lines(r.stdout);
  assert.equal(out.length, 1, r.stdout);
  const id = out[0].match(ID)![1];
  const stored = [...(await storedMessages(gw.kv)).values()].sort((a, b) => a.id < b.id ? -1 : 1);
  assert.deepEqual(stored.map((m) => m.id), [id]);
  assert.equal(stored[0].dest.addr, "447700900123");
  assert.equal(stored[0].registeredDelivery, 0);
});

Deno.test("send --dlr waits for the receipts of every part and prints them decoded", async () => {
  await using gw = await testGateway({ simulator: { delayMs: 30 } });
  const text = "Ünïcode ✓ ".repeat(12); // UCS2, 120 characters: 2 parts
  const r = await runMain(sendArgs(gw.addr.port, "--to", "+447700900123", "--text", text, "--dlr"));
  assert.equal(r.code, 0, r.stderr);
  const out = lines(r.stdout);
  const ids = out.filter((l) => ID.test(l)).map((l) => l.match(ID)![1]);
  assert.equal(ids.length, 2, r.stdout);
  assert.match(out[0], /\(part 1\/2\)$/);
  for (const id of ids) {
    assert.ok(
      out.some((l) =>
        new RegExp(`^receipt ${id}: DELIVRD err 000 done \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\dZ$`)
          .test(l)
      ),
      r.stdout,
    );
  }
  assert.match(r.stderr, /receipts 0\/2/);
  // Every receipt was acknowledged before the unbind: none waits to be sent again.
  assert.equal(gw.gateway.counters.receiptsAcked, 2);
  const stored = [...(await storedMessages(gw.kv)).values()].sort((a, b) => a.id < b.id ? -1 : 1);
  assert.equal(stored.length, 2);
  const joined = stored.map((m) => {
    const { payload } = parseUdh(m.body);
    return decodeText(payload, m.dataCoding).text;
  }).join("");
  assert.equal(joined, text);
  assert.equal(stored[0].dest.addr, "447700900123");
});

Deno.test("send --dlr exits 1 when a receipt is not DELIVRD", async () => {
  await using gw = await testGateway({
    simulator: { delayMs: 10, rules: [{ prefix: "999", stat: "UNDELIV", err: "001" }] },
  });
  const r = await runMain(sendArgs(gw.addr.port, "--to", "999123", "--text", "Hi", "--dlr"));
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stdout, /^receipt \d{19}: UNDELIV err 001 done /m);
  assert.match(r.stderr, /smppgw: send: 1 of 1 receipts not DELIVRD/);
});

Deno.test("send --dlr gives up after --timeout when no receipt comes", async () => {
  await using gw = await testGateway({ simulator: { delayMs: 60_000 } });
  const args = sendArgs(gw.addr.port, "--to", "4477", "--text", "Hi", "--dlr");
  args[args.indexOf("--timeout") + 1] = "0.5";
  const r = await runMain(args);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stdout, ID);
  assert.match(r.stderr, /smppgw: send: 1 of 1 receipts missing after 0.5 s/);
});

Deno.test("send exits 1 with one line when the bind is refused or nothing listens", async () => {
  await using gw = await testGateway();
  const args = sendArgs(gw.addr.port, "--to", "4477", "--text", "Hi");
  args[args.indexOf("--password") + 1] = "wrong";
  const refused = await runMain(args);
  assert.equal(refused.code, 1);
  assert.match(lines(refused.stderr)[0], /^smppgw: send: bind_transceiver refused: ESME_RINVPASWD/);
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const free = (l.addr as Deno.NetAddr).port;
  l.close();
  const closed = await runMain(sendArgs(free, "--to", "4477", "--text", "Hi"));
  assert.equal(closed.code, 1);
  assert.match(closed.stderr, /^smppgw: send: cannot connect to 127\.0\.0\.1:\d+: /);
});

Deno.test("send refuses a text its --coding cannot hold before connecting (exit 2)", async () => {
  const r = await runMain(sendArgs(1, "--to", "4477", "--text", "✓", "--coding", "latin1"));
  assert.equal(r.code, 2);
  assert.equal(lines(r.stderr).length, 1);
  assert.match(r.stderr, /Latin-1 cannot hold/);
});
