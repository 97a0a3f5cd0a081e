import assert from "node:assert/strict";
import { readFrames } from "../lib/smpp/frames.ts";
import { decode, encode, type Pdu } from "../lib/smpp/codec.ts";
import { Tag, tlvString } from "../lib/smpp/tlvs.ts";
import { ACCOUNT, testGateway, within } from "./support/client.ts";
import { makeCert } from "./support/certs.ts";

Deno.test("bind, submit and receipt over TLS", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    const pem = await makeCert(dir);
    if (!pem) {
      console.warn("SKIPPED: openssl is not available to make a test certificate");
      return;
    }
    await using gw = await testGateway({ tls: { port: 0, cert: pem.cert, key: pem.key } });
    const conn = await Deno.connectTls({
      hostname: "127.0.0.1",
      port: gw.tlsAddr!.port,
      caCerts: [pem.ca],
    });
    const frames = readFrames(conn.readable)[Symbol.asyncIterator]();
    const next = async (): Promise<Pdu> =>
      decode((await within(frames.next(), 5000, "TLS read")).value!);
    const send = (p: Parameters<typeof encode>[0]) => conn.write(encode(p));
    try {
      await t.step("bind_transceiver", async () => {
        await send({
          command: "bind_transceiver",
          seq: 1,
          body: {
            system_id: ACCOUNT.systemId,
            password: ACCOUNT.password,
            interface_version: 0x34,
          },
        });
        assert.equal((await next()).status, 0);
      });
      await t.step("submit and receipt", async () => {
        await send({
          command: "submit_sm",
          seq: 2,
          body: {
            destination_addr: "447700900123",
            registered_delivery: 1,
            short_message: new TextEncoder().encode("over TLS"),
          },
        });
        const resp = await next();
        assert.equal(resp.status, 0);
        const dlr = await next();
        assert.equal(dlr.command, "deliver_sm");
        assert.equal(tlvString(dlr.tlvs, Tag.receipted_message_id), resp.body.message_id);
        await send({ command: "deliver_sm_resp", seq: dlr.seq });
      });
    } finally {
      conn.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
