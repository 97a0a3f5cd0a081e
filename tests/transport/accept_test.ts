import { denoConn } from "../../lib/deno.ts";
import assert from "node:assert/strict";
import type { Conn, Listener } from "../../lib/transport/conn.ts";
import { Gateway } from "../../lib/gateway.ts";
import { ACCOUNT, TestClient, testGateway } from "../support/client.ts";

Deno.test("the accept loop survives accept() errors such as ENOTCONN", async () => {
  const kv = await Deno.openKv(":memory:");
  const gw = new Gateway({ kv });
  await gw.start();
  const real = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let failures = 2;
  const listener: Listener = {
    hostname: "127.0.0.1",
    port: (real.addr as Deno.NetAddr).port,
    async accept(): Promise<Conn | null> {
      if (failures-- > 0) {
        throw new Error("accept: ENOTCONN: socket is not connected (simulated reset)");
      }
      try {
        const c = await real.accept();
        return denoConn(c);
      } catch {
        return null;
      }
    },
    close: () => real.close(),
  };
  gw.listen(listener);
  try {
    const c = await TestClient.connect(listener.port);
    assert.equal((await c.request({ command: "enquire_link" })).status, 0);
    c.close();
  } finally {
    await gw.close();
    kv.close();
  }
});

Deno.test("the gateway keeps accepting after clients reset right after connecting", async () => {
  await using gw = await testGateway();
  for (let i = 0; i < 50; i++) {
    (await Deno.connect({ hostname: "127.0.0.1", port: gw.addr.port })).close();
  }
  const c = await TestClient.connect(gw.addr.port);
  assert.equal((await c.bind(ACCOUNT.systemId, ACCOUNT.password)).status, 0);
  c.close();
});
