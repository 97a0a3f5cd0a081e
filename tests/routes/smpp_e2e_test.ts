/**
 * Gateway A routes to gateway B over real TCP (B on its simulator): A's client gets receipts with
 * A's ids, also when B is stopped mid-run and started again.
 */
import assert from "node:assert/strict";
import {
  optionsFromConfig,
  parseConfig,
  type RunningGateway,
  startGateway,
} from "../../lib/mod.ts";
import { ACCOUNT, TestClient, testGateway, within } from "../support/client.ts";

function upstream(kv: string, port: number): Promise<RunningGateway> {
  return startGateway({
    port,
    kv,
    accounts: [{ systemId: "gw", password: "pw" }],
    simulator: { delayMs: 50, rules: [{ prefix: "3399", stat: "UNDELIV", err: "7" }] },
    receiptRetryMs: 50,
    unbindWaitMs: 500,
  });
}

/** Gateway A: everything to 33… goes to B through an smpp route from the config file. */
function gatewayA(port: number) {
  const o = optionsFromConfig(parseConfig({
    routes: [{
      name: "fr",
      type: "smpp",
      match: { dest: "^33" },
      host: "127.0.0.1",
      port,
      systemId: "gw",
      password: "pw",
      window: 10,
      reconnectMaxMs: 300,
      responseTimeoutMs: 2000,
      retry: { baseMs: 50, maxMs: 300, maxAttempts: 50 },
    }],
  }));
  return testGateway({ routes: o.routes });
}

const receiptOf = (p: { body: Record<string, unknown> }) =>
  new TextDecoder().decode(p.body.short_message as Uint8Array);

Deno.test("A's client gets B's receipts under A's ids, through B's restart", async () => {
  const dir = await Deno.makeTempDir();
  const kv = `${dir}/b.kv`;
  let b = await upstream(kv, 0);
  const port = b.addr.port;
  const a = await gatewayA(port);
  const c = await TestClient.connect(a.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password);
    const ids = new Set<string>();
    const submit = async (dest: string) => {
      const r = await c.submit(`to ${dest}`, { destination_addr: dest });
      assert.equal(r.status, 0);
      ids.add(r.body.message_id as string);
      return r.body.message_id as string;
    };
    const failed = await submit("33990000001");
    for (let i = 0; i < 10; i++) await submit(`3361234${String(i).padStart(4, "0")}`);
    // Half the receipts, then B goes away while more messages are accepted by A.
    const got = new Map<string, string>();
    while (got.size < 5) {
      const text = receiptOf(await within(c.next(10_000), 10_000, "a receipt"));
      got.set(/^id:(\d+)/.exec(text)![1], text);
    }
    await b.close();
    for (let i = 10; i < 20; i++) await submit(`3361234${String(i).padStart(4, "0")}`);
    b = await upstream(kv, port);
    while (got.size < ids.size) {
      const text = receiptOf(await within(c.next(20_000), 20_000, "the remaining receipts"));
      got.set(/^id:(\d+)/.exec(text)![1], text);
    }
    assert.deepEqual([...got.keys()].sort(), [...ids].sort(), "every receipt carries A's id");
    assert.match(got.get(failed)!, /stat:UNDELIV err:007/);
    for (const [id, text] of got) if (id !== failed) assert.match(text, /stat:DELIVRD/);
  } finally {
    c.close();
    await a.close();
    await b.close();
    await Deno.remove(dir, { recursive: true });
  }
});
