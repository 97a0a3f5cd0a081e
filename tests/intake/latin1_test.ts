/** An account's `dataCoding0: "latin1"`: data_coding 0 octets above 0x7F read as ISO-8859-1. */
import assert from "node:assert/strict";
import { ACCOUNT, TestClient, testGateway } from "../support/client.ts";
import { Status } from "../../lib/smpp/status.ts";
import { startProvider } from "../support/provider.ts";
import { providerRoute } from "../support/http_route.ts";
import { parseConfig } from "../../lib/config.ts";

const CAFE = new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x20, 0xa3, 0x35]); // "café £5" in Latin-1

Deno.test("a latin1 account's data_coding 0 text reaches the provider and the receipt as Latin-1", async () => {
  await using provider = startProvider((r) =>
    Response.json({ messageId: JSON.parse(r.body).text })
  );
  await using gw = await testGateway({
    accounts: [{ ...ACCOUNT, dataCoding0: "latin1" }, { systemId: "gsm", password: "secret" }],
    routes: [providerRoute(provider)],
  });
  const c = await TestClient.connect(gw.addr.port);
  const g = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password);
    const r = await c.request({
      command: "submit_sm",
      body: {
        source_addr: "Acme",
        destination_addr: "447700900123",
        registered_delivery: 1,
        short_message: CAFE,
      },
    });
    assert.equal(r.status, 0);
    await provider.waitRequests(1);
    assert.equal(JSON.parse(provider.requests[0].body).text, "café £5");
    const receipt = new TextDecoder("latin1").decode(
      (await c.next()).body.short_message as Uint8Array,
    );
    assert.match(receipt, /stat:ACCEPTD/);
    const m = await gw.gateway.store.message(r.body.message_id as string);
    assert.equal(m?.latin1, true);
    assert.equal(m?.preview, "café £5");
    // The same octets from a gsm7 (default) account do not fit GSM 03.38 one septet per octet.
    await g.bind("gsm", "secret", "transmitter");
    const refused = await g.request({
      command: "submit_sm",
      body: { source_addr: "Acme", destination_addr: "447700900123", short_message: CAFE },
    });
    assert.equal(refused.status, Status.ESME_RINVMSGLEN);
  } finally {
    c.close();
    g.close();
  }
});

Deno.test("dataCoding0 takes gsm7 or latin1 and names the key otherwise", () => {
  const ok = parseConfig({ accounts: [{ systemId: "a", password: "p", dataCoding0: "latin1" }] });
  assert.equal(ok.accounts?.[0].dataCoding0, "latin1");
  assert.throws(
    () => parseConfig({ accounts: [{ systemId: "a", password: "p", dataCoding0: "utf8" }] }),
    /accounts\[0\]\.dataCoding0: must be one of gsm7, latin1/,
  );
});
