/**
 * 3.3 binds get 8-character message ids: unique, carried by their receipts, accepted by query_sm,
 * cancel_sm and replace_sm, and never handed out twice across a restart.
 */
import assert from "node:assert/strict";
import { ACCOUNT, TestClient, testGateway } from "../support/client.ts";
import { formatShortId, parseShortId, ShortIds } from "../../lib/intake/short_ids.ts";

const text = (p: { body: Record<string, unknown> }) =>
  new TextDecoder().decode(p.body.short_message as Uint8Array);

/** Binds as a 3.3 ESME (interface_version 0x33). */
async function bind33(c: TestClient) {
  assert.equal((await c.bind(ACCOUNT.systemId, ACCOUNT.password, "transceiver", 0x33)).status, 0);
}

Deno.test("ShortIds hands out ids after the floor and wraps past eight hex digits", () => {
  const ids = new ShortIds(41);
  assert.equal(formatShortId(ids.next()), "0000002A");
  const top = new ShortIds(0xffff_fffe);
  assert.equal(top.next(), 0xffff_ffff);
  assert.equal(top.next(), 1, "the shown id wraps, never to 0");
  assert.equal(top.highWater, 0x1_0000_0000, "the counter (persisted) does not wrap");
  assert.equal(new ShortIds(top.highWater).next(), 2, "after a restart: on from there");
  assert.equal(parseShortId("0000002a"), 42);
  assert.equal(parseShortId("7563423917286768871"), null, "a full id is not a short one");
  assert.equal(parseShortId("G0000000"), null);
});

Deno.test("a 3.3 bind gets 8-character ids its receipts carry, usable in query_sm and cancel_sm", async () => {
  await using gw = await testGateway({ simulator: { delayMs: 600 } });
  const c = await TestClient.connect(gw.addr.port);
  try {
    await bind33(c);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await c.submit(`m${i}`)).body.message_id as string);
    for (const id of ids) assert.match(id, /^[0-9A-F]{8}$/);
    assert.equal(new Set(ids).size, 3);
    const q = await c.request({
      command: "query_sm",
      body: { message_id: ids[0], source_addr: "Acme" },
    });
    assert.equal(q.status, 0);
    assert.equal(q.body.message_id, ids[0]);
    assert.equal(q.body.message_state, 1);
    const cancel = await c.request({
      command: "cancel_sm",
      body: { message_id: ids[1], source_addr: "Acme" },
    });
    assert.equal(cancel.status, 0);
    const receipts = [text(await c.next()), text(await c.next()), text(await c.next())];
    assert.ok(receipts.some((r) => r.startsWith(`id:${ids[0]} `) && r.includes("stat:DELIVRD")));
    assert.ok(receipts.some((r) => r.startsWith(`id:${ids[1]} `) && r.includes("stat:DELETED")));
    assert.ok(receipts.some((r) => r.startsWith(`id:${ids[2]} `)));
    // A 3.4 bind of the same account still gets full ids.
    const d = await TestClient.connect(gw.addr.port);
    try {
      await d.bind(ACCOUNT.systemId, ACCOUNT.password, "transmitter");
      assert.match(
        (await d.submit("x", { registered_delivery: 0 })).body.message_id as string,
        /^\d{19}$/,
      );
    } finally {
      d.close();
    }
  } finally {
    c.close();
  }
});

Deno.test("8-character ids continue after a restart instead of starting over", async () => {
  const dir = await Deno.makeTempDir();
  const kv = `${dir}/gw.kv`;
  try {
    let before: string;
    {
      await using gw = await testGateway({ kv });
      const c = await TestClient.connect(gw.addr.port);
      await bind33(c);
      await c.submit("one", { registered_delivery: 0 });
      before = (await c.submit("two", { registered_delivery: 0 })).body.message_id as string;
      c.close();
    }
    await using gw = await testGateway({ kv });
    const c = await TestClient.connect(gw.addr.port);
    try {
      await bind33(c);
      const after = (await c.submit("three", { registered_delivery: 0 })).body.message_id as string;
      assert.ok(parseShortId(after)! > parseShortId(before)!, `${after} after ${before}`);
      const q = await c.request({
        command: "query_sm",
        body: { message_id: before, source_addr: "Acme" },
      });
      assert.equal(q.status, 0, "the old short id still finds its message");
    } finally {
      c.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
