/** An account's defaultSource stands in for an empty source_addr, so its receipt has an address. */
import assert from "node:assert/strict";
import { TestClient, testGateway } from "../support/client.ts";

Deno.test("an empty source_addr takes the account's defaultSource; the receipt goes to it", async () => {
  await using gw = await testGateway({
    accounts: [{ systemId: "acme", password: "pw", defaultSource: "AcmeInc" }],
    simulator: { delayMs: 0 },
  });
  const c = await TestClient.connect(gw.addr.port);
  try {
    assert.equal((await c.bind("acme", "pw")).status, 0);
    const id = (await c.submit("hi", { source_addr: "" })).body.message_id as string;
    assert.equal((await gw.gateway.store.message(id))?.source.addr, "AcmeInc");
    const receipt = await c.next();
    assert.equal(receipt.body.destination_addr, "AcmeInc");
    const q = await c.request({ command: "query_sm", body: { message_id: id, source_addr: "" } });
    assert.equal(q.status, 0);
  } finally {
    c.close();
  }
});
