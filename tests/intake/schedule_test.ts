/** schedule_delivery_time end to end: held until its time (across a restart), checked strictly. */
import assert from "node:assert/strict";
import { ACCOUNT, TestClient, testGateway } from "../support/client.ts";
import { Status } from "../../lib/smpp/status.ts";

const text = (p: { body: Record<string, unknown> }) =>
  new TextDecoder().decode(p.body.short_message as Uint8Array);

const IN_2S = "000000000002000R";

Deno.test("a scheduled message reaches its route only at its time; ENROUTE until then", async () => {
  await using gw = await testGateway({ simulator: { delayMs: 0 } });
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password);
    const sent = Date.now();
    const id = (await c.submit("later", { schedule_delivery_time: IN_2S })).body
      .message_id as string;
    const q = await c.request({
      command: "query_sm",
      body: { message_id: id, source_addr: "Acme" },
    });
    assert.equal(q.body.message_state, 1);
    assert.match(text(await c.next(6000)), new RegExp(`^id:${id} .*stat:DELIVRD`));
    assert.ok(Date.now() - sent >= 1900, `arrived after ${Date.now() - sent} ms`);
  } finally {
    c.close();
  }
});

Deno.test("a scheduled message survives a restart and still waits for its time", async () => {
  const dir = await Deno.makeTempDir();
  const kv = `${dir}/gw.kv`;
  try {
    let id: string;
    const sent = Date.now();
    {
      await using gw = await testGateway({ kv, simulator: { delayMs: 0 } });
      const c = await TestClient.connect(gw.addr.port);
      await c.bind(ACCOUNT.systemId, ACCOUNT.password, "transmitter");
      id = (await c.submit("after restart", { schedule_delivery_time: IN_2S })).body
        .message_id as string;
      c.close();
    }
    await using gw = await testGateway({ kv, simulator: { delayMs: 0 } });
    const r = await TestClient.connect(gw.addr.port);
    try {
      await r.bind(ACCOUNT.systemId, ACCOUNT.password, "receiver");
      assert.match(text(await r.next(6000)), new RegExp(`^id:${id} .*stat:DELIVRD`));
      assert.ok(Date.now() - sent >= 1900);
    } finally {
      r.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("validity ending before the schedule → EXPIRED; a malformed or past schedule → 0x61", async () => {
  await using gw = await testGateway({ simulator: { delayMs: 0 } });
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password);
    const id = (await c.submit("too late", {
      schedule_delivery_time: IN_2S,
      validity_period: "000000000001000R",
    })).body.message_id as string;
    assert.match(text(await c.next(6000)), new RegExp(`^id:${id} .*stat:EXPIRED`));
    for (const t of ["ABCDEFGHIJKLMNOP", "200101000000000+", "251301000000000+"]) {
      assert.equal(
        (await c.submit("x", { schedule_delivery_time: t })).status,
        Status.ESME_RINVSCHED,
        t,
      );
    }
  } finally {
    c.close();
  }
});

Deno.test("beyond maxScheduled waiting messages a scheduled submit gets 0x14; others go on", async () => {
  await using gw = await testGateway({ maxScheduled: 2, simulator: { delayMs: 0 } });
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password);
    const later = { schedule_delivery_time: "000001000000000R", registered_delivery: 0 };
    assert.equal((await c.submit("a", later)).status, 0);
    assert.equal((await c.submit("b", later)).status, 0);
    assert.equal((await c.submit("c", later)).status, Status.ESME_RMSGQFUL);
    assert.equal((await c.submit("now", { registered_delivery: 0 })).status, 0);
  } finally {
    c.close();
  }
});

Deno.test("a cancelled scheduled message frees its place under maxScheduled at once", async () => {
  await using gw = await testGateway({ maxScheduled: 1, simulator: { delayMs: 0 } });
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password);
    const later = { schedule_delivery_time: "000001000000000R", registered_delivery: 0 };
    const id = (await c.submit("a", later)).body.message_id as string;
    assert.equal((await c.submit("b", later)).status, Status.ESME_RMSGQFUL);
    const cancel = await c.request({
      command: "cancel_sm",
      body: { message_id: id, source_addr: "Acme" },
    });
    assert.equal(cancel.status, 0);
    assert.equal((await c.submit("c", later)).status, 0);
  } finally {
    c.close();
  }
});
