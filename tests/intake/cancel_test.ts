/** cancel_sm end to end: pending messages become DELETED and are never sent; others get 0x11. */
import assert from "node:assert/strict";
import { ACCOUNT, TestClient, testGateway } from "../support/client.ts";
import { Status } from "../../lib/smpp/status.ts";
import { manualRoute } from "../support/manual_route.ts";

const text = (p: { body: Record<string, unknown> }) =>
  new TextDecoder().decode(p.body.short_message as Uint8Array);

Deno.test("cancel_sm by message_id makes a waiting message DELETED; its route never settles it", async () => {
  await using gw = await testGateway({ simulator: { delayMs: 800 } });
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password);
    const id = (await c.submit("cancel me")).body.message_id as string;
    const keep = (await c.submit("keep me")).body.message_id as string;
    const wrongSource = await c.request({
      command: "cancel_sm",
      body: { message_id: id, source_addr: "Other" },
    });
    assert.equal(wrongSource.status, Status.ESME_RCANCELFAIL);
    const ok = await c.request({
      command: "cancel_sm",
      body: { message_id: id, source_addr: "Acme" },
    });
    assert.equal(ok.status, 0);
    const receipts = [text(await c.next()), text(await c.next())];
    assert.match(receipts.find((r) => r.startsWith(`id:${id} `))!, /stat:DELETED/);
    assert.match(receipts.find((r) => r.startsWith(`id:${keep} `))!, /stat:DELIVRD/);
    const q = await c.request({
      command: "query_sm",
      body: { message_id: id, source_addr: "Acme" },
    });
    assert.equal(q.body.message_state, 4);
    // Final now: a second cancel fails, as does an unknown id.
    for (const message_id of [id, "1234"]) {
      const again = await c.request({
        command: "cancel_sm",
        body: { message_id, source_addr: "Acme" },
      });
      assert.equal(again.status, Status.ESME_RCANCELFAIL);
    }
  } finally {
    c.close();
  }
});

Deno.test("cancel_sm by addresses cancels that account's pending messages between them", async () => {
  const route = manualRoute("hold");
  await using gw = await testGateway({ routes: [{ route }] });
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password);
    const a = (await c.submit("one")).body.message_id as string;
    const b = (await c.submit("two")).body.message_id as string;
    const other = (await c.submit("three", { destination_addr: "447700900999" })).body
      .message_id as string;
    const r = await c.request({
      command: "cancel_sm",
      body: { source_addr: "Acme", destination_addr: "447700900123" },
    });
    assert.equal(r.status, 0);
    const state = (id: string) => gw.gateway.store.state(id).then((s) => s?.state ?? null);
    assert.equal(await state(a), 4);
    assert.equal(await state(b), 4);
    assert.equal(await state(other), null);
    assert.equal(route.host().isOpen(route.jobs[0]), false, "the route sees it settled");
    // Handed over already: not cancellable.
    await route.host().handedOver(route.jobs[2], "P");
    const late = await c.request({
      command: "cancel_sm",
      body: { message_id: other, source_addr: "Acme" },
    });
    assert.equal(late.status, Status.ESME_RCANCELFAIL);
    const none = await c.request({
      command: "cancel_sm",
      body: { source_addr: "Acme", destination_addr: "447700900123" },
    });
    assert.equal(none.status, Status.ESME_RCANCELFAIL);
  } finally {
    c.close();
  }
});
