/**
 * End-to-end flows run against a gateway in another process, whatever runs it (Deno, Bun, the
 * standalone binary): bind, submit and receipt over TCP or TLS, with our client or npm `smpp`.
 */
import assert from "node:assert/strict";
import { readFrames } from "../../lib/smpp/frames.ts";
import { decode, encode, type Pdu, type PduInit } from "../../lib/smpp/codec.ts";
import { Tag, tlvString } from "../../lib/smpp/tlvs.ts";
import { ACCOUNT, TestClient, within } from "./client.ts";
import { Esme, receiptText } from "./esme.ts";

/** Writes a config file with the test account and a fast simulator; returns its path. */
export async function writeConfig(dir: string, delayMs = 20): Promise<string> {
  const path = `${dir}/gw.json`;
  await Deno.writeTextFile(
    path,
    JSON.stringify({
      accounts: [{ ...ACCOUNT }],
      simulator: { delayMs },
      receipts: { retrySec: 1 },
    }),
  );
  return path;
}

/** The receipted_message_id of a receipt. */
export function receiptedId(p: Pdu): string | undefined {
  return tlvString(p.tlvs, Tag.receipted_message_id);
}

/**
 * Binds as transceiver with `credentials`, submits one message asking for a receipt, checks the
 * DELIVRD receipt for it and answers it; returns the message id.
 */
export async function bindSubmitReceipt(
  port: number,
  credentials: { systemId: string; password: string } = ACCOUNT,
): Promise<string> {
  const c = await TestClient.connect(port);
  try {
    assert.equal((await c.bind(credentials.systemId, credentials.password)).status, 0, "bind");
    const r = await c.submit("hello from the test");
    assert.equal(r.status, 0, "submit_sm status");
    const id = r.body.message_id as string;
    const d = await c.next(10_000);
    assert.equal(receiptedId(d), id);
    assert.match(new TextDecoder().decode(d.body.short_message as Uint8Array), /stat:DELIVRD/);
    return id;
  } finally {
    c.close();
  }
}

/** Binds over TLS (trusting `ca`), submits and waits for the receipt; returns the message id. */
export async function tlsBindSubmitReceipt(port: number, ca: string): Promise<string> {
  const conn = await Deno.connectTls({ hostname: "127.0.0.1", port, caCerts: [ca] });
  try {
    const frames = readFrames(conn.readable)[Symbol.asyncIterator]();
    const next = async (): Promise<Pdu> =>
      decode((await within(frames.next(), 10_000, "TLS read")).value!);
    const send = (p: PduInit) => conn.write(encode(p));
    await send({
      command: "bind_transceiver",
      seq: 1,
      body: { system_id: ACCOUNT.systemId, password: ACCOUNT.password, interface_version: 0x34 },
    });
    assert.equal((await next()).status, 0, "bind over TLS");
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
    assert.equal(receiptedId(dlr), resp.body.message_id);
    await send({ command: "deliver_sm_resp", seq: dlr.seq });
    return resp.body.message_id as string;
  } finally {
    conn.close();
  }
}

/** The npm `smpp` client binds, submits and gets its DELIVRD receipt. */
export async function npmSmppFlow(port: number): Promise<void> {
  const c = await Esme.bound(port, "transceiver");
  try {
    const r = await c.submit("447700900123", "Hello from node-smpp");
    assert.equal(r.command_status, 0);
    await c.until(() => c.delivered.length > 0, "receipt for node-smpp", 10_000);
    const d = c.delivered[0];
    assert.equal(d.receipted_message_id, r.message_id);
    assert.match(receiptText(d), /stat:DELIVRD err:000 text:Hello from node-smpp/);
    assert.equal(c.errors.length, 0);
  } finally {
    await c.close();
  }
}
