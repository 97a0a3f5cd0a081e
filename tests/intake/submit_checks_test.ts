/** Submit checks of SMPP 3.4 that need no store: replace_if_present_flag, data_sm's payload. */
import assert from "node:assert/strict";
import { ACCOUNT, TestClient, testGateway } from "../support/client.ts";
import { Status } from "../../lib/smpp/status.ts";
import { Tag } from "../../lib/smpp/tlvs.ts";

Deno.test("replace_if_present_flag other than 0 or 1 gets 0x54; data_sm without message_payload 0xC3", async () => {
  await using gw = await testGateway();
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password);
    assert.equal(
      (await c.submit("x", { replace_if_present_flag: 2 })).status,
      Status.ESME_RINVREPFLAG,
    );
    assert.equal((await c.submit("x", { replace_if_present_flag: 1 })).status, 0);
    const bare = await c.request({
      command: "data_sm",
      body: { source_addr: "Acme", destination_addr: "447700900123", registered_delivery: 0 },
    });
    assert.equal(bare.status, Status.ESME_RMISSINGOPTPARAM);
    const full = await c.request({
      command: "data_sm",
      body: { source_addr: "Acme", destination_addr: "447700900123", registered_delivery: 0 },
      tlvs: [{ tag: Tag.message_payload, value: new TextEncoder().encode("hello") }],
    });
    assert.equal(full.status, 0);
  } finally {
    c.close();
  }
});

Deno.test("sm_length 255 gets 0x01", async () => {
  await using gw = await testGateway();
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password);
    const r = await c.submit("", { short_message: new Uint8Array(255).fill(0x41), data_coding: 4 });
    assert.equal(r.status, Status.ESME_RINVMSGLEN);
    const ok = await c.submit("", {
      short_message: new Uint8Array(254).fill(0x41),
      data_coding: 4,
    });
    assert.equal(ok.status, 0);
  } finally {
    c.close();
  }
});

Deno.test("submit TLVs over 2048 octets in all get 0xC2; the submits beside them are stored", async () => {
  await using gw = await testGateway();
  const a = await TestClient.connect(gw.addr.port);
  const b = await TestClient.connect(gw.addr.port);
  try {
    await a.bind(ACCOUNT.systemId, ACCOUNT.password);
    await b.bind(ACCOUNT.systemId, ACCOUNT.password);
    const body = {
      source_addr: "Acme",
      destination_addr: "447700900123",
      short_message: new TextEncoder().encode("hi"),
    };
    const [plain, big, fits] = await Promise.all([
      a.request({ command: "submit_sm", body }),
      b.request({
        command: "submit_sm",
        body,
        tlvs: [{ tag: 0x1400, value: new Uint8Array(60_000) }],
      }),
      b.request({
        command: "submit_sm",
        body,
        tlvs: [{ tag: 0x1401, value: new Uint8Array(2044) }],
      }),
    ]);
    assert.equal(plain.status, 0);
    assert.equal(big.status, Status.ESME_RINVPARLEN);
    assert.equal(fits.status, 0, "exactly 2048 octets are kept");
    const kept = await gw.gateway.store.message(fits.body.message_id as string);
    assert.equal(kept?.tlvs?.[0].value.length, 2044);
  } finally {
    a.close();
    b.close();
  }
});
