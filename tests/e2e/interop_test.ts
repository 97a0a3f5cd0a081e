/**
 * Interoperability: the gateway driven over real TCP by the npm `smpp` package (farhadi/node-smpp
 * 0.5.1), an ESME implementation we did not write.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { startGateway } from "../../lib/mod.ts";
import { ACCOUNT, testGateway, within } from "../support/client.ts";
import { Esme, receiptText, type SmppPdu } from "../support/esme.ts";
import { waitUntil } from "../support/wait.ts";

const RECEIPT =
  /^id:(\d+) sub:001 dlvrd:(\d{3}) submit date:\d{10} done date:\d{10} stat:(\w+) err:(\d{3}) text:/;
const DELIVRD =
  /^id:(\d+) sub:001 dlvrd:001 submit date:\d{10} done date:\d{10} stat:DELIVRD err:000 text:/;

Deno.test("npm smpp client: bind_transceiver, submit_sm and DELIVRD receipt", async () => {
  await using gw = await testGateway();
  let c: Esme | undefined;
  try {
    c = await Esme.connect(gw.addr.port);
    const b = await c.bind("transceiver");
    assert.equal(b.command, "bind_transceiver_resp");
    assert.equal(b.command_status, 0);
    assert.equal(b.system_id, "smppgw");
    assert.equal(b.sc_interface_version, 0x34);

    const r = await c.submit("447700900123", "Hello World, this is a test");
    assert.equal(r.command, "submit_sm_resp");
    assert.equal(r.command_status, 0);
    const id = r.message_id as string;
    assert.match(id, /^\d+$/);

    const esme = c;
    await c.until(() => esme.delivered.length > 0, "DELIVRD receipt");
    const d = c.delivered[0];
    assert.equal(d.esm_class, 0x04);
    assert.equal(d.source_addr, "447700900123");
    assert.equal(d.destination_addr, "Acme");
    const text = receiptText(d);
    const m = text.match(DELIVRD);
    assert.ok(m, `receipt text: ${text}`);
    assert.equal(m[1], id);
    assert.ok(text.endsWith("text:Hello World, this is"), text);
    assert.equal(d.receipted_message_id, id);
    assert.equal(d.message_state, 2);
    assert.equal(c.errors.length, 0);
  } finally {
    await c?.close();
  }
});

Deno.test("npm smpp client: submit on bind_transmitter, receipt on bind_receiver of the same account", async () => {
  await using gw = await testGateway();
  const sessions: Esme[] = [];
  try {
    const rx = await Esme.bound(gw.addr.port, "receiver");
    sessions.push(rx);
    const tx = await Esme.bound(gw.addr.port, "transmitter");
    sessions.push(tx);

    const r = await tx.submit("447700900123", "via TX");
    assert.equal(r.command_status, 0);
    const id = r.message_id as string;

    await rx.until(() => rx.delivered.length > 0, "receipt on RX");
    const d = rx.delivered[0];
    assert.equal(d.esm_class, 0x04);
    const m = receiptText(d).match(DELIVRD);
    assert.ok(m, receiptText(d));
    assert.equal(m[1], id);
    assert.equal(d.receipted_message_id, id);
    assert.equal(tx.delivered.length, 0, "a transmitter gets no deliver_sm");
  } finally {
    for (const s of sessions) await s.close();
  }
});

Deno.test("npm smpp client: wrong password gets 0x0E, unknown system_id 0x0F, then the server closes", async () => {
  await using gw = await testGateway();
  const sessions: Esme[] = [];
  try {
    const cases = [
      { systemId: ACCOUNT.systemId, password: "wrong", status: 0x0e },
      { systemId: "nobody", password: ACCOUNT.password, status: 0x0f },
    ];
    for (const { systemId, password, status } of cases) {
      for (const type of ["transmitter", "receiver", "transceiver"] as const) {
        const c = await Esme.connect(gw.addr.port);
        sessions.push(c);
        const r = await c.bind(type, systemId, password);
        assert.equal(r.command, `bind_${type}_resp`);
        assert.equal(r.command_status, status, `${type} ${systemId}/${password}`);
        // Header-only (spec: no body on error); node-smpp then leaves the body fields unset.
        assert.equal(r.command_length, 16);
        assert.equal(r.system_id, undefined);
        await within(c.closed, 2000, "server close after a refused bind");
      }
    }
    assert.equal(gw.gateway.counters.bindFailures, 6);
  } finally {
    for (const s of sessions) await s.close();
  }
});

Deno.test("npm smpp client: the 6th concurrent session of an account gets 0x05", async () => {
  await using gw = await testGateway();
  const sessions: Esme[] = [];
  try {
    for (let i = 0; i < 5; i++) sessions.push(await Esme.bound(gw.addr.port));
    const sixth = await Esme.connect(gw.addr.port);
    sessions.push(sixth);
    const r = await sixth.bind("transceiver");
    assert.equal(r.command_status, 0x05);
    await within(sixth.closed, 2000, "server close after the 6th bind");
    // The five bound sessions still work.
    const ok = await sessions[0].request("enquire_link");
    assert.equal(ok.command_status, 0);
  } finally {
    for (const s of sessions) await s.close();
  }
});

Deno.test("npm smpp client: enquire_link is answered and unbind gets unbind_resp", async () => {
  await using gw = await testGateway();
  let c: Esme | undefined;
  try {
    c = await Esme.connect(gw.addr.port);
    // enquire_link is allowed before bind too.
    const e0 = await c.request("enquire_link");
    assert.equal(e0.command, "enquire_link_resp");
    assert.equal(e0.command_status, 0);
    assert.equal((await c.bind()).command_status, 0);
    const e1 = await c.request("enquire_link");
    assert.equal(e1.command, "enquire_link_resp");
    assert.equal(e1.command_status, 0);
    const u = await c.request("unbind");
    assert.equal(u.command, "unbind_resp");
    assert.equal(u.command_status, 0);
    await within(c.closed, 2000, "server close after unbind");
  } finally {
    await c?.close();
  }
});

Deno.test("npm smpp client: message_payload submit is accepted; submit on a receiver gets 0x04", async () => {
  await using gw = await testGateway();
  const sessions: Esme[] = [];
  try {
    const trx = await Esme.bound(gw.addr.port, "transceiver");
    sessions.push(trx);
    const long = "0123456789abcdefghijklmnopqrstuvwxyz".repeat(9).slice(0, 300);
    const r = await trx.request("submit_sm", {
      source_addr: "Acme",
      destination_addr: "447700900123",
      registered_delivery: 1,
      message_payload: long,
    });
    assert.equal(r.command_status, 0);
    const id = r.message_id as string;
    assert.match(id, /^\d+$/);
    await trx.until(() => trx.delivered.length > 0, "receipt of the message_payload submit");
    const text = receiptText(trx.delivered[0]);
    assert.match(text, DELIVRD);
    assert.equal(text.match(DELIVRD)![1], id);
    assert.ok(text.endsWith("text:0123456789abcdefghij"), text);

    const rx = await Esme.bound(gw.addr.port, "receiver");
    sessions.push(rx);
    const refused = await rx.submit("447700900123", "not allowed on RX");
    assert.equal(refused.command, "submit_sm_resp");
    assert.equal(refused.command_status, 0x04);
    assert.equal(refused.command_length, 16);
    assert.equal(refused.message_id, undefined);
    // The session stays usable after the refusal.
    assert.equal((await rx.request("enquire_link")).command_status, 0);
  } finally {
    for (const s of sessions) await s.close();
  }
});

Deno.test("npm smpp client: registered_delivery 2 gets an UNDELIV receipt from a failure rule and no DELIVRD receipt", async () => {
  await using gw = await testGateway({
    simulator: { delayMs: 20, rules: [{ prefix: "4479", stat: "UNDELIV", err: "001" }] },
  });
  let c: Esme | undefined;
  try {
    c = await Esme.bound(gw.addr.port);
    const good = await c.submit("447700000001", "will be delivered", { registered_delivery: 2 });
    assert.equal(good.command_status, 0);
    const bad = await c.submit("447900000001", "will fail", { registered_delivery: 2 });
    assert.equal(bad.command_status, 0);
    const badId = bad.message_id as string;

    const esme = c;
    await c.until(
      () => esme.delivered.some((d) => receiptText(d).includes("stat:UNDELIV")),
      "UNDELIV receipt",
    );
    // Both messages were settled by the time the later one's receipt arrived.
    assert.equal(c.delivered.length, 1, c.delivered.map(receiptText).join("\n"));
    const d = c.delivered[0];
    const m = receiptText(d).match(RECEIPT);
    assert.ok(m, receiptText(d));
    assert.deepEqual(m.slice(1), [badId, "000", "UNDELIV", "001"]);
    assert.equal(d.receipted_message_id, badId);
    assert.equal(d.message_state, 5);
    assert.equal(d.source_addr, "447900000001");
  } finally {
    await c?.close();
  }
});

Deno.test("npm smpp client: 50 pipelined submit_sm all get OK and 50 receipts arrive", async () => {
  await using gw = await testGateway();
  let c: Esme | undefined;
  try {
    c = await Esme.bound(gw.addr.port);
    const N = 50;
    const pending: Promise<SmppPdu>[] = [];
    for (let i = 0; i < N; i++) pending.push(c.submit("447700900123", `message ${i}`));
    const responses = await Promise.all(pending);
    const ids = responses.map((r) => {
      assert.equal(r.command_status, 0);
      return r.message_id as string;
    });
    assert.equal(new Set(ids).size, N, "message ids are unique");

    const esme = c;
    await c.until(() => esme.delivered.length >= N, `${N} receipts`, 10_000);
    assert.equal(c.delivered.length, N);
    const receipted = c.delivered.map((d) => {
      const m = receiptText(d).match(DELIVRD);
      assert.ok(m, receiptText(d));
      assert.equal(d.receipted_message_id, m[1]);
      return m[1];
    });
    assert.deepEqual(new Set(receipted), new Set(ids));
  } finally {
    await c?.close();
  }
});

Deno.test("npm smpp client: GSM 03.38 (data_coding 0) and UCS2 (data_coding 8) text reaches the receipt text: field", async () => {
  await using gw = await testGateway();
  let c: Esme | undefined;
  try {
    c = await Esme.bound(gw.addr.port);
    // data_coding 0: node-smpp encodes GSM 03.38 unpacked, escaping € { } to the extension table.
    const gsm = "Café @ 10€ {ok} ñ_Ä";
    const r1 = await c.submit("447700900123", gsm, { data_coding: 0 });
    assert.equal(r1.command_status, 0);
    // No data_coding: node-smpp picks UCS2 for Cyrillic/emoji and sets data_coding 8.
    const r2 = await c.submit("447700900123", "Hi 👋 Привет");
    assert.equal(r2.command_status, 0);

    const esme = c;
    await c.until(() => esme.delivered.length >= 2, "2 receipts");
    const texts = new Map(c.delivered.map((d) => [d.receipted_message_id, receiptText(d)]));
    const t1 = texts.get(r1.message_id)!;
    assert.match(t1, DELIVRD);
    assert.ok(t1.endsWith(`text:${gsm}`), t1);
    // Characters without a GSM 03.38 encoding become "?" (the emoji is one character).
    const t2 = texts.get(r2.message_id)!;
    assert.match(t2, DELIVRD);
    assert.ok(t2.endsWith("text:Hi ? ??????"), t2);
  } finally {
    await c?.close();
  }
});

Deno.test("npm smpp client: IA5, Latin-1 and binary messages give the receipt text: field the rule says", async () => {
  await using gw = await testGateway();
  let c: Esme | undefined;
  try {
    c = await Esme.bound(gw.addr.port);
    const cases: [number, Uint8Array, string][] = [
      [1, new TextEncoder().encode("IA5 text, longer than twenty"), "IA5 text, longer tha"],
      [3, Uint8Array.from("Größe: 5 µm", (ch) => ch.charCodeAt(0)), "Größe: 5 ?m"],
      [4, new Uint8Array([0x00, 0xff, 0x10]), ""],
    ];
    const ids: string[] = [];
    for (const [dcs, bytes] of cases) {
      // node-smpp sends a Buffer as raw octets under the given data_coding.
      const r = await c.submit("447700900123", "", {
        data_coding: dcs,
        short_message: Buffer.from(bytes),
      });
      assert.equal(r.command_status, 0, `dcs ${dcs}`);
      ids.push(r.message_id as string);
    }
    const esme = c;
    await c.until(() => esme.delivered.length >= cases.length, `${cases.length} receipts`);
    const texts = new Map(c.delivered.map((d) => [d.receipted_message_id, receiptText(d)]));
    cases.forEach(([dcs, , field], i) => {
      const t = texts.get(ids[i])!;
      assert.match(t, DELIVRD);
      assert.ok(t.endsWith(`text:${field}`), `dcs ${dcs}: ${t}`);
    });
  } finally {
    await c?.close();
  }
});

Deno.test("npm smpp client: receipts are spread evenly over 3 bind_receiver sessions", async () => {
  await using gw = await testGateway();
  const sessions: Esme[] = [];
  try {
    const rx: Esme[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await Esme.bound(gw.addr.port, "receiver");
      sessions.push(r);
      rx.push(r);
    }
    const tx = await Esme.bound(gw.addr.port, "transmitter");
    sessions.push(tx);

    const ids: string[] = [];
    for (let i = 0; i < 9; i++) {
      const r = await tx.submit("447700900123", `spread ${i}`);
      assert.equal(r.command_status, 0);
      ids.push(r.message_id as string);
    }
    const total = () => rx.reduce((n, r) => n + r.delivered.length, 0);
    // until() wakes on its own session's deliver_sm only, so poll the sum over the three.
    await waitUntil(() => total() >= 9 || rx.some((r) => r.isClosed), 10_000, "9 receipts");
    assert.ok(rx.every((r) => !r.isClosed), "receivers stay bound");
    assert.deepEqual(rx.map((r) => r.delivered.length), [3, 3, 3]);
    const receipted = rx.flatMap((r) =>
      r.delivered.map((d) => {
        const m = receiptText(d).match(DELIVRD);
        assert.ok(m, receiptText(d));
        assert.equal(d.receipted_message_id, m[1]);
        return m[1];
      })
    );
    assert.deepEqual(receipted.sort(), [...ids].sort());
    assert.equal(tx.delivered.length, 0, "a transmitter gets no deliver_sm");
  } finally {
    for (const s of sessions) await s.close();
  }
});

Deno.test("npm smpp client: receipts queued while no receiver is bound are delivered when one binds", async () => {
  await using gw = await testGateway({ simulator: { delayMs: 0 } });
  const sessions: Esme[] = [];
  try {
    const tx = await Esme.bound(gw.addr.port, "transmitter");
    sessions.push(tx);
    const N = 4;
    const ids: string[] = [];
    for (let i = 0; i < N; i++) {
      const r = await tx.submit("447700900123", `queued ${i}`);
      assert.equal(r.command_status, 0);
      ids.push(r.message_id as string);
    }
    await waitUntil(() => gw.gateway.counters.receiptsQueued >= N, 10_000, `${N} receipts queued`);
    assert.equal(await gw.gateway.store.receiptCount(), N, "receipts wait in KV");
    assert.equal(tx.delivered.length, 0);

    const rx = await Esme.bound(gw.addr.port, "receiver");
    sessions.push(rx);
    await rx.until(() => rx.delivered.length >= N, `${N} queued receipts`);
    assert.equal(rx.delivered.length, N);
    const receipted = rx.delivered.map((d) => {
      const m = receiptText(d).match(DELIVRD);
      assert.ok(m, receiptText(d));
      assert.equal(d.receipted_message_id, m[1]);
      return m[1];
    });
    assert.deepEqual(receipted.sort(), [...ids].sort());
    await waitUntil(
      async () => (await gw.gateway.store.receiptCount()) === 0,
      10_000,
      "receipts removed",
    );
  } finally {
    for (const s of sessions) await s.close();
  }
});

Deno.test("npm smpp client: a receipt answered with deliver_sm_resp 0x64 is sent again and the copy is acknowledged", async () => {
  await using gw = await testGateway();
  let c: Esme | undefined;
  try {
    c = await Esme.bound(gw.addr.port);
    c.failNext = { count: 1, status: 0x64 }; // ESME_RX_T_APPN
    const r = await c.submit("447700900123", "retry me");
    assert.equal(r.command_status, 0);
    const id = r.message_id as string;

    const esme = c;
    await c.until(() => esme.delivered.length >= 2, "the receipt and its retry");
    assert.deepEqual(c.answered, [0x64, 0]);
    assert.deepEqual(c.delivered.map((d) => d.receipted_message_id), [id, id]);
    for (const d of c.delivered) {
      const m = receiptText(d).match(DELIVRD);
      assert.ok(m, receiptText(d));
      assert.equal(m[1], id);
    }
    await waitUntil(
      async () => (await gw.gateway.store.receiptCount()) === 0,
      10_000,
      "receipt removed",
    );
    const rc = gw.gateway.receiptCounters;
    assert.deepEqual([rc.sent, rc.retried, rc.acked], [2, 1, 1]);
    assert.equal(c.delivered.length, 2, "no copy after the acknowledgement");
  } finally {
    await c?.close();
  }
});

Deno.test("npm smpp client: a restart on the same KV file keeps the account and the queued receipt", async () => {
  const path = await Deno.makeTempFile({ suffix: ".kv" });
  try {
    let id: string;
    {
      await using gw = await testGateway({ kv: path, simulator: { delayMs: 0 } });
      let tx: Esme | undefined;
      try {
        tx = await Esme.bound(gw.addr.port, "transmitter");
        const r = await tx.submit("447700900123", "survives a restart");
        assert.equal(r.command_status, 0);
        id = r.message_id as string;
        await waitUntil(() => gw.gateway.counters.receiptsQueued >= 1, 10_000, "receipt queued");
      } finally {
        await tx?.close();
      }
    }
    // A new process (the config is read again); the queued receipt must come from KV.
    await using gw = await startGateway({
      port: 0,
      kv: path,
      accounts: [{ ...ACCOUNT }],
      unbindWaitMs: 200,
    });
    let rx: Esme | undefined;
    try {
      rx = await Esme.bound(gw.addr.port, "receiver");
      const esme = rx;
      await rx.until(() => esme.delivered.length > 0, "receipt after the restart");
      const d = rx.delivered[0];
      const m = receiptText(d).match(DELIVRD);
      assert.ok(m, receiptText(d));
      assert.equal(m[1], id);
      assert.equal(d.receipted_message_id, id);
      assert.ok(receiptText(d).endsWith("text:survives a restart"), receiptText(d));
    } finally {
      await rx?.close();
    }
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("npm smpp client: binary data_coding 2 gets an empty text: field in its receipt", async () => {
  await using gw = await testGateway();
  let c: Esme | undefined;
  try {
    c = await Esme.bound(gw.addr.port);
    // Raw octets, and octets that would read as ASCII: under dcs 2 neither is text.
    const payloads = [
      Buffer.from([0x06, 0x05, 0x04, 0x0b, 0x84, 0x23, 0xf0, 0x00, 0xff]),
      Buffer.from("looks like text but is binary"),
    ];
    const ids: string[] = [];
    for (const short_message of payloads) {
      const r = await c.submit("447700900123", "", { data_coding: 2, short_message });
      assert.equal(r.command_status, 0);
      ids.push(r.message_id as string);
    }
    const esme = c;
    await c.until(() => esme.delivered.length >= payloads.length, "binary receipts");
    const texts = new Map(c.delivered.map((d) => [d.receipted_message_id, receiptText(d)]));
    for (const id of ids) {
      const t = texts.get(id)!;
      assert.ok(t, `receipt for ${id}`);
      assert.match(t, DELIVRD);
      assert.ok(t.endsWith(" text:"), t);
    }
  } finally {
    await c?.close();
  }
});
