/** data_sm in transaction mode: data_sm_resp waits for the route's outcome. */
import assert from "node:assert/strict";
import { ACCOUNT, TestClient, testGateway, within } from "../support/client.ts";
import { Status } from "../../lib/smpp/status.ts";
import { Tag, tlvInt } from "../../lib/smpp/tlvs.ts";
import { manualRoute } from "../support/manual_route.ts";

const dataSm = (dest: string) => ({
  command: "data_sm" as const,
  body: { source_addr: "Acme", destination_addr: dest, esm_class: 0x02, registered_delivery: 0 },
  tlvs: [{ tag: Tag.message_payload, value: new TextEncoder().encode("now or never") }],
});

Deno.test("data_sm in transaction mode is answered with the route's outcome", async () => {
  await using gw = await testGateway({
    simulator: { delayMs: 200, rules: [{ prefix: "999", stat: "UNDELIV", err: "1" }] },
  });
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password);
    const started = Date.now();
    const ok = await c.request(dataSm("447700900123"));
    assert.equal(ok.status, 0);
    assert.ok(Date.now() - started >= 150, "answered after the outcome, not at once");
    assert.equal((await gw.gateway.store.state(ok.body.message_id as string))?.state, 2);
    const failed = await c.request(dataSm("999123"));
    assert.equal(failed.status, Status.ESME_RDELIVERYFAILURE);
    assert.equal(tlvInt(failed.tlvs, Tag.delivery_failure_reason), 2);
    const nec = failed.tlvs.find((t) => t.tag === Tag.network_error_code)!.value;
    assert.deepEqual([...nec], [3, 0, 1]);
  } finally {
    c.close();
  }
});

Deno.test("data_sm in transaction mode is answered OK once a provider took it", async () => {
  const route = manualRoute("p");
  await using gw = await testGateway({ routes: [{ route }] });
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password);
    const answer = c.request(dataSm("447700900123"), 5000);
    await within(route.waitJobs(1), 5000, "the job");
    await route.host().handedOver(route.jobs[0], "X");
    assert.equal((await answer).status, 0);
  } finally {
    c.close();
  }
});
