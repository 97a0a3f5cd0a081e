/**
 * The store-backed SMPP 3.4 operations driven by the npm `smpp` client (node-smpp 0.5.1):
 * schedule, cancel, replace, submit_multi and 3.3 ids, over real TCP.
 */
import assert from "node:assert/strict";
import { ACCOUNT, testGateway } from "../support/client.ts";
import { Esme, receiptText } from "../support/esme.ts";
import { simulatorRoute } from "../../lib/delivery/simulator.ts";

const IN_2S = "000000000002000R";

Deno.test("npm smpp client: a scheduled message is cancelled, another replaced; receipts say DELETED and the new text", async () => {
  await using gw = await testGateway({ simulator: { delayMs: 0 } });
  const c = await Esme.bound(gw.addr.port);
  try {
    const sent = Date.now();
    const a = (await c.submit("447700900123", "cancel me", { schedule_delivery_time: IN_2S }))
      .message_id as string;
    const b = (await c.submit("447700900124", "old text", { schedule_delivery_time: IN_2S }))
      .message_id as string;
    const q = await c.request("query_sm", { message_id: a, source_addr: "Acme" });
    assert.equal(q.message_state, 1, "ENROUTE while scheduled");
    const cancel = await c.request("cancel_sm", { message_id: a, source_addr: "Acme" });
    assert.equal(cancel.command_status, 0);
    const replace = await c.request("replace_sm", {
      message_id: b,
      source_addr: "Acme",
      registered_delivery: 1,
      short_message: "new text",
    });
    assert.equal(replace.command_status, 0);
    await c.until(() => c.delivered.length >= 2, "two receipts", 6000);
    const texts = c.delivered.map(receiptText);
    assert.match(texts.find((t) => t.startsWith(`id:${a} `))!, /stat:DELETED/);
    assert.match(texts.find((t) => t.startsWith(`id:${b} `))!, /stat:DELIVRD.*text:new text$/);
    assert.ok(Date.now() - sent >= 1900, "the replaced one kept its schedule");
  } finally {
    await c.close();
  }
});

Deno.test("npm smpp client: submit_multi gets one id, the unroutable destination in unsuccess_sme, a receipt per destination", async () => {
  await using gw = await testGateway({
    routes: [{ route: simulatorRoute({ name: "uk", delayMs: 0 }), match: { dest: "^44" } }],
  });
  const c = await Esme.bound(gw.addr.port);
  try {
    const r = await c.request("submit_multi", {
      source_addr: "Acme",
      dest_address: [
        { dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: "447700900101" },
        { dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: "447700900102" },
        { dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: "33612345678" },
      ],
      registered_delivery: 1,
      short_message: "hello all",
    });
    assert.equal(r.command_status, 0);
    const id = r.message_id as string;
    assert.deepEqual(r.unsuccess_sme, [
      {
        dest_addr_ton: 1,
        dest_addr_npi: 1,
        destination_addr: "33612345678",
        error_status_code: 0x0b,
      },
    ]);
    await c.until(() => c.delivered.length >= 2, "two receipts");
    for (const d of c.delivered) {
      assert.match(receiptText(d), new RegExp(`^id:${id} .*stat:DELIVRD`));
    }
    assert.deepEqual(c.delivered.map((d) => d.source_addr).sort(), [
      "447700900101",
      "447700900102",
    ]);
  } finally {
    await c.close();
  }
});

Deno.test("npm smpp client: bound as 3.3, ids have 8 characters and query_sm finds them", async () => {
  await using gw = await testGateway({ simulator: { delayMs: 0 } });
  const c = await Esme.connect(gw.addr.port);
  try {
    const b = await c.request("bind_transceiver", {
      system_id: ACCOUNT.systemId,
      password: ACCOUNT.password,
      interface_version: 0x33,
    });
    assert.equal(b.command_status, 0);
    const id = (await c.submit("447700900123", "short id")).message_id as string;
    assert.match(id, /^[0-9A-F]{8}$/);
    await c.until(() => c.delivered.length >= 1, "receipt");
    assert.match(receiptText(c.delivered[0]), new RegExp(`^id:${id} .*stat:DELIVRD`));
    const q = await c.request("query_sm", { message_id: id, source_addr: "Acme" });
    assert.equal(q.command_status, 0);
    assert.equal(q.message_state, 2);
  } finally {
    await c.close();
  }
});
