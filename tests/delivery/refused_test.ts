/** deliver_sm_resp 0x65/0x66 refuse a receipt for good: it is dropped, not sent again. */
import assert from "node:assert/strict";
import { ACCOUNT, TestClient, testGateway } from "../support/client.ts";
import { Status } from "../../lib/smpp/status.ts";
import { waitUntil } from "../support/wait.ts";

for (const status of [Status.ESME_RX_P_APPN, Status.ESME_RX_R_APPN]) {
  Deno.test(`a receipt answered 0x${status.toString(16)} is dropped and counted, not retried`, async () => {
    await using gw = await testGateway({ simulator: { delayMs: 0 }, receiptRetryMs: 20 });
    const c = await TestClient.connect(gw.addr.port);
    try {
      c.autoAck = status;
      await c.bind(ACCOUNT.systemId, ACCOUNT.password);
      await c.submit("refused");
      await c.next();
      const counters = gw.gateway.counters;
      await waitUntil(() => counters.receiptsRefused === 1, 5000, "the refusal counted");
      // The receiver stays healthy: the next receipt reaches it and is acknowledged.
      c.autoAck = 0;
      await c.submit("accepted");
      await c.next();
      await waitUntil(() => counters.receiptsAcked === 1, 5000, "the second receipt acknowledged");
      assert.equal(counters.receiptsRetried, 0);
      assert.equal(counters.receiptsSent, 2);
      assert.equal(gw.gateway.sessions.length, 1);
    } finally {
      c.close();
    }
  });
}
