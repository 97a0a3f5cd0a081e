/** sm_default_msg_id: a submit naming a canned message sends its configured text; unknown → 0x63. */
import assert from "node:assert/strict";
import { ACCOUNT, TestClient, testGateway } from "../support/client.ts";
import { Status } from "../../lib/smpp/status.ts";
import { ConfigError, optionsFromConfig, parseConfig } from "../../lib/mod.ts";
import { userText } from "../../lib/text/mod.ts";

Deno.test("a canned message id sends the configured text; an unknown one gets 0x63", async () => {
  const o = optionsFromConfig(
    parseConfig({ cannedMessages: { "1": "Your code is ready", "2": "Привет" } }),
  );
  await using gw = await testGateway({ cannedMessages: o.cannedMessages });
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password);
    for (const [n, want] of [[1, "Your code is ready"], [2, "Привет"]] as const) {
      const r = await c.request({
        command: "submit_sm",
        body: { source_addr: "Acme", destination_addr: "447700900123", sm_default_msg_id: n },
      });
      assert.equal(r.status, 0);
      const m = await gw.gateway.store.message(r.body.message_id as string);
      assert.equal(userText(m!).text, want);
    }
    const unknown = await c.request({
      command: "submit_sm",
      body: { source_addr: "Acme", destination_addr: "447700900123", sm_default_msg_id: 9 },
    });
    assert.equal(unknown.status, Status.ESME_RINVDFTMSGID);
  } finally {
    c.close();
  }
  assert.throws(
    () => parseConfig({ cannedMessages: { "0": "x" } }),
    (e) =>
      e instanceof ConfigError &&
      /^cannedMessages\.0: must be a number from 1 to 254/.test(e.message),
  );
});
