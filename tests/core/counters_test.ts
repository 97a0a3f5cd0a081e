/** The counters registry: one table of names and help, one object every part adds to. */
import assert from "node:assert/strict";
import { COUNTERS, newCounters } from "../../lib/core/counters.ts";
import { ACCOUNT, TestClient, testGateway } from "../support/client.ts";
import { waitUntil } from "../support/wait.ts";

Deno.test("newCounters has a zero for every counter in the table, each with help text", () => {
  const c = newCounters();
  assert.deepEqual(Object.keys(c).sort(), Object.keys(COUNTERS).sort());
  for (const [name, help] of Object.entries(COUNTERS)) {
    assert.equal(c[name as keyof typeof c], 0, name);
    assert.ok(help.length > 10, `${name} has help text`);
  }
});

Deno.test("one submit with a receipt moves every part's counters in the gateway's one registry", async () => {
  await using gw = await testGateway();
  const c = await TestClient.connect(gw.addr.port);
  try {
    const bind = await c.request({
      command: "bind_transceiver",
      body: {
        system_id: ACCOUNT.systemId,
        password: ACCOUNT.password,
        interface_version: 0x34,
      },
    });
    assert.equal(bind.status, 0);
    const r = await c.request({
      command: "submit_sm",
      body: { destination_addr: "123", registered_delivery: 1, short_message: new Uint8Array(1) },
    });
    assert.equal(r.status, 0);
    const n = gw.gateway.counters;
    await waitUntil(() => n.receiptsAcked >= 1, 10_000, "the receipt acknowledged");
    // Acceptor, binder, bind guard, intake, committer, delivery and dispatcher: one object.
    assert.equal(n.connections, 1);
    assert.equal(n.binds, 1);
    assert.equal(n.passwordChecks, 1);
    assert.equal(n.submitted, 1);
    assert.equal(n.settled, 1);
    assert.equal(n.receiptsQueued, 1);
    assert.ok(n.receiptsSent >= 1);
    assert.ok(n.kvCommits >= 2, `${n.kvCommits} commits`);
    // The dispatcher's own view reads the same registry.
    assert.equal(gw.gateway.receiptCounters.acked, n.receiptsAcked);
    assert.equal(gw.gateway.receiptCounters.sent, n.receiptsSent);
  } finally {
    c.close();
  }
});
