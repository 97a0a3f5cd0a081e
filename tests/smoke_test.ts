import assert from "node:assert/strict";
import { ACCOUNT, TestClient, testGateway } from "./client.ts";

Deno.test("gateway binds, accepts a submit and sends its receipt", async () => {
  const gw = await testGateway();
  const c = await TestClient.connect(gw.addr.port);
  try {
    const b = await c.bind(ACCOUNT.systemId, ACCOUNT.password);
    assert.equal(b.status, 0);
    const r = await c.submit("Hello World, this is a test");
    assert.equal(r.status, 0);
    const d = await c.next();
    console.log(new TextDecoder().decode(d.body.short_message as Uint8Array));
  } finally {
    c.close();
    await gw.close();
  }
});
