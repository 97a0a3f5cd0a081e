import assert from "node:assert/strict";
import { runFuzz, summary } from "../bench/fuzz.ts";
import { concatBytes } from "../lib/smpp/bytes.ts";
import { decode, encode } from "../lib/smpp/codec.ts";
import { Status } from "../lib/smpp/status.ts";
import { hashPassword } from "../lib/accounts/password.ts";
import { receiptPdu } from "../lib/delivery/receipt.ts";
import type { ReceiptRecord } from "../lib/store/records.ts";
import { renderReceiptTextBytes } from "../lib/text/mod.ts";
import { ACCOUNT, TestClient, testGateway, within } from "./client.ts";

/** The test gateway with room for the fuzzer's parallel sessions and a cheap password hash. */
async function fuzzGateway() {
  const gw = await testGateway({ accounts: [{ ...ACCOUNT, maxSessions: 64 }] });
  const store = gw.gateway.store;
  const a = (await store.account(ACCOUNT.systemId))!;
  // Thousands of binds at 100 000 PBKDF2 iterations would take most of the time budget.
  await store.putAccount({ ...a, password: await hashPassword(ACCOUNT.password, 1000) });
  return gw;
}

const BIND = encode({
  command: "bind_transceiver",
  seq: 1,
  body: { system_id: ACCOUNT.systemId, password: ACCOUNT.password, interface_version: 0x34 },
});

Deno.test("survives 3000 seeded hostile inputs and still binds, submits and keeps every acknowledged message", async () => {
  const gw = await fuzzGateway();
  try {
    const r = await runFuzz({
      port: gw.addr.port,
      cases: 3000,
      seed: 0x5eed,
      concurrency: 16,
      healthEvery: 500,
      store: gw.gateway.store,
      sessions: () => gw.gateway.sessionCount,
    });
    assert.equal(r.failures.length, 0, summary(r));
    assert.equal(r.cases, 3000);
    assert.ok(r.healthChecks >= 6, summary(r));
    assert.ok(r.replies > 3000, summary(r));
  } finally {
    await gw.close();
  }
});

Deno.test("a command_length under 16 is answered with generic_nack 0x02 before the connection closes", async () => {
  const gw = await testGateway();
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.raw(Uint8Array.of(0, 0, 0, 0x0f, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 7));
    const nack = await c.next(2000, "generic_nack");
    assert.deepEqual([nack.status, nack.seq], [Status.ESME_RINVCMDLEN, 7]);
    await within(c.closed, 2000, "close after generic_nack");
  } finally {
    c.close();
    await gw.close();
  }
});

Deno.test("submit_sm pipelined before unbind are all answered, then unbind_resp, then the close", async () => {
  const gw = await testGateway();
  const c = await TestClient.connect(gw.addr.port);
  try {
    assert.equal((await c.bind(ACCOUNT.systemId, ACCOUNT.password)).status, 0);
    const submit = (seq: number) =>
      encode({
        command: "submit_sm",
        seq,
        body: {
          source_addr: "Acme",
          destination_addr: "447700900123",
          short_message: Uint8Array.of(72, 105),
        },
      });
    await c.raw(
      concatBytes([submit(10), submit(11), submit(12), encode({ command: "unbind", seq: 13 })]),
    );
    await within(c.closed, 3000, "close after unbind");
    const replies = c.inbox.filter((p) => p.command.endsWith("_resp"));
    assert.deepEqual(replies.map((p) => [p.command, p.status]), [
      ["submit_sm_resp", 0],
      ["submit_sm_resp", 0],
      ["submit_sm_resp", 0],
      ["unbind_resp", 0],
    ]);
    assert.deepEqual(replies.map((p) => p.seq).sort(), [10, 11, 12, 13]);
    for (const p of replies.slice(0, 3)) {
      assert.ok(await gw.gateway.store.message(p.body.message_id as string), "stored");
    }
  } finally {
    c.close();
    await gw.close();
  }
});

Deno.test("a bind followed by a broken command_length still gets its bind_resp before the close", async () => {
  const gw = await testGateway();
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.raw(
      concatBytes([BIND, Uint8Array.of(0, 0x10, 0, 0, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 2)]),
    );
    await within(c.closed, 3000, "close after generic_nack");
    const resp = c.inbox.find((p) => p.command === "bind_transceiver_resp");
    assert.ok(resp, "bind_transceiver_resp sent");
    assert.equal(resp.seq, 1);
    assert.equal(resp.status, Status.ESME_RBINDFAIL, "a closing session does not become bound");
    const nack = c.inbox.find((p) => p.command === "generic_nack");
    assert.deepEqual([nack?.status, nack?.seq], [Status.ESME_RINVCMDLEN, 2]);
  } finally {
    c.close();
    await gw.close();
  }
});

Deno.test("a data_sm with 30-character addresses gets its receipt as a well-formed data_sm", async () => {
  const gw = await testGateway();
  const c = await TestClient.connect(gw.addr.port);
  try {
    assert.equal((await c.bind(ACCOUNT.systemId, ACCOUNT.password)).status, 0);
    const src = "1".repeat(30);
    const dst = "2".repeat(30);
    const r = await c.request({
      command: "data_sm",
      body: { source_addr: src, destination_addr: dst, registered_delivery: 1 },
      tlvs: [{ tag: 0x0424, value: new TextEncoder().encode("hello") }],
    });
    assert.equal(r.status, 0);
    const d = await c.next(3000, "data_sm");
    assert.deepEqual([d.body.source_addr, d.body.destination_addr, d.body.esm_class], [
      dst,
      src,
      4,
    ]);
    const text = new TextDecoder().decode(d.tlvs.find((t) => t.tag === 0x0424)!.value);
    assert.match(text, new RegExp(`^id:${r.body.message_id} .* stat:DELIVRD `));
  } finally {
    c.close();
    await gw.close();
  }
});

Deno.test("a receipt for long addresses sent to a 3.3 ESME is a decodable deliver_sm with addresses cut to 20", () => {
  const r: ReceiptRecord = {
    messageId: "1",
    account: "test",
    source: { ton: 1, npi: 1, addr: "3".repeat(64) },
    dest: { ton: 1, npi: 1, addr: "4".repeat(25) },
    submitAt: 0,
    doneAt: 0,
    stat: "DELIVRD",
    err: "000",
    preview: "",
    attempts: 0,
    createdAt: 0,
  };
  const p = decode(
    encode({ ...receiptPdu(r, { tlvs: false, encode: renderReceiptTextBytes }), seq: 1 }),
  );
  assert.equal(p.command, "deliver_sm");
  assert.deepEqual([p.body.source_addr, p.body.destination_addr], ["3".repeat(20), "4".repeat(20)]);
  assert.deepEqual(p.tlvs, []);
});
