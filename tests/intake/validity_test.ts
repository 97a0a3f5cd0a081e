/** validity_period end to end: checked at submit, capped, and a message past it is EXPIRED. */
import assert from "node:assert/strict";
import { ACCOUNT, TestClient, testGateway } from "../support/client.ts";
import { Status } from "../../lib/smpp/status.ts";
import { MAX_VALIDITY_MS } from "../../lib/core/defaults.ts";

const text = (p: { body: Record<string, unknown> }) =>
  new TextDecoder().decode(p.body.short_message as Uint8Array);

Deno.test("a malformed or past validity_period gets 0x62; a long one is capped", async () => {
  await using gw = await testGateway();
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password);
    for (
      const v of ["ABCDEFGHIJKLMNOP", "251324103000000+", "000000000000000R", "200101000000000+"]
    ) {
      const r = await c.submit("x", { validity_period: v });
      assert.equal(r.status, Status.ESME_RINVEXPIRY, v);
    }
    const before = Date.now();
    const long = await c.submit("x", { validity_period: "010000000000000R" });
    assert.equal(long.status, 0);
    const m = await gw.gateway.store.message(long.body.message_id as string);
    assert.ok(m!.validUntil! <= before + MAX_VALIDITY_MS + 1000);
    assert.ok(m!.validUntil! >= before + MAX_VALIDITY_MS - 1000);
    const none = await c.submit("x");
    assert.equal(
      (await gw.gateway.store.message(none.body.message_id as string))!.validUntil,
      undefined,
    );
  } finally {
    c.close();
  }
});

Deno.test("a message whose validity ends before its route delivers it is EXPIRED", async () => {
  await using gw = await testGateway({ simulator: { delayMs: 1500 } });
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password);
    const short = await c.submit("short-lived", { validity_period: "000000000001000R" });
    const fine = await c.submit("fine");
    const receipts = [text(await c.next(5000)), text(await c.next(5000))];
    const of = (id: unknown) => receipts.find((r) => r.startsWith(`id:${id} `))!;
    assert.match(of(short.body.message_id), /stat:EXPIRED/);
    assert.match(of(fine.body.message_id), /stat:DELIVRD/);
    const q = await c.request({
      command: "query_sm",
      body: { message_id: short.body.message_id as string, source_addr: "Acme" },
    });
    assert.equal(q.body.message_state, 3);
  } finally {
    c.close();
  }
});

Deno.test("maxValidityHours of the gateway and of an account cap every message's validity", async () => {
  await using gw = await testGateway({
    maxValidityMs: 2 * 3600_000,
    accounts: [{ ...ACCOUNT }, { systemId: "short", password: "secret", maxValidityHours: 0.5 }],
  });
  const c = await TestClient.connect(gw.addr.port);
  const s = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password, "transmitter");
    await s.bind("short", "secret", "transmitter");
    const lifetime = async (client: TestClient, extra: Record<string, unknown>) => {
      const id = (await client.submit("x", { registered_delivery: 0, ...extra })).body
        .message_id as string;
      const m = (await gw.gateway.store.message(id))!;
      return Math.round((m.validUntil! - m.submitAt) / 60_000);
    };
    const DAY = "000001000000000R";
    assert.equal(await lifetime(c, {}), 120, "no validity_period: the gateway's cap");
    assert.equal(await lifetime(c, { validity_period: DAY }), 120);
    assert.equal(await lifetime(c, { validity_period: "000000003000000R" }), 30);
    assert.equal(await lifetime(s, {}), 30, "the account's own cap");
    assert.equal(await lifetime(s, { validity_period: DAY }), 30);
  } finally {
    c.close();
    s.close();
  }
});
