/** Inbound (MO) messages: matched to an account by `inbound` rules, sent like receipts, waiting in KV. */
import assert from "node:assert/strict";
import { ACCOUNT, TestClient, testGateway, within } from "../support/client.ts";
import { manualRoute } from "../support/manual_route.ts";
import { gsmDecode, parseUdh, ucs2Decode } from "../../lib/text/mod.ts";
import { moRecords } from "../../lib/delivery/inbound.ts";

const inbound = [{ dest: "^4470", account: ACCOUNT.systemId }];

Deno.test("moRecords() picks GSM 7-bit, else UCS2, and cuts long text into UDH parts", () => {
  let n = 0;
  const o = { ids: () => String(++n), now: 1, ref: 7 };
  const [gsm] = moRecords({ source: "+447700900123", dest: "447000", text: "Hi @ £" }, "a", o);
  assert.equal(gsm.mo!.dataCoding, 0);
  assert.equal(gsmDecode(gsm.mo!.body), "Hi @ £");
  assert.deepEqual(gsm.source, { ton: 1, npi: 1, addr: "447700900123" });
  const [ucs] = moRecords({ source: "Bank", dest: "447000", text: "Привет" }, "a", o);
  assert.equal(ucs.mo!.dataCoding, 8);
  assert.equal(ucs2Decode(ucs.mo!.body), "Привет");
  assert.deepEqual(ucs.source, { ton: 5, npi: 0, addr: "Bank" });
  const long = moRecords({ source: "1", dest: "2", text: "x".repeat(200) }, "a", o);
  assert.equal(long.length, 2);
  assert.equal(long[0].mo!.esmClass, 0x40);
  const udh = parseUdh(long[1].mo!.body);
  assert.deepEqual([...udh.ies[0].data], [7, 2, 2]);
  const raw = moRecords(
    { source: "1", dest: "2", body: Uint8Array.of(1, 2), dataCoding: 4 },
    "a",
    o,
  );
  assert.deepEqual(raw[0].mo, { dataCoding: 4, esmClass: 0, body: Uint8Array.of(1, 2) });
});

Deno.test("an inbound message reaches the account's receiver as a plain deliver_sm", async () => {
  const route = manualRoute("mo");
  await using gw = await testGateway({ routes: [{ route }], inbound });
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password, "receiver");
    assert.equal(
      await route.host().inbound({ source: "447700900123", dest: "447012", text: "STOP" }),
      "queued",
    );
    const d = await c.next();
    assert.equal(d.body.esm_class, 0);
    assert.equal(d.body.source_addr, "447700900123");
    assert.equal(d.body.destination_addr, "447012");
    assert.equal(new TextDecoder().decode(d.body.short_message as Uint8Array), "STOP");
    assert.equal(await route.host().inbound({ source: "1", dest: "3312", text: "x" }), "no-rule");
  } finally {
    c.close();
  }
});

Deno.test("an inbound message waits in KV while no receiver is bound, across a restart", async () => {
  const dir = await Deno.makeTempDir();
  const kv = `${dir}/gw.kv`;
  try {
    {
      const route = manualRoute("mo");
      await using _gw = await testGateway({ kv, routes: [{ route }], inbound });
      await route.host().inbound({ source: "447700900123", dest: "447012", text: "later" });
    }
    await using gw = await testGateway({ kv, routes: [{ route: manualRoute("mo") }], inbound });
    const c = await TestClient.connect(gw.addr.port);
    try {
      await c.bind(ACCOUNT.systemId, ACCOUNT.password, "transceiver");
      const d = await within(c.next(), 5000, "the waiting message");
      assert.equal(new TextDecoder().decode(d.body.short_message as Uint8Array), "later");
    } finally {
      c.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
