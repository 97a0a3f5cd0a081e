import assert from "node:assert/strict";
import { testGateway } from "./support/client.ts";
import { makeCert } from "./support/certs.ts";
import { tlsBindSubmitReceipt } from "./support/flows.ts";

Deno.test("bind, submit and receipt over TLS", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const pem = await makeCert(dir);
    if (!pem) {
      console.warn("SKIPPED: openssl is not available to make a test certificate");
      return;
    }
    await using gw = await testGateway({ tls: { port: 0, cert: pem.cert, key: pem.key } });
    const id = await tlsBindSubmitReceipt(gw.tlsAddr!.port, pem.ca);
    assert.match(id, /^\d{19}$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
