/**
 * A submit's TLVs end to end over real TCP: an SMPP client submits to the gateway, whose SMPP
 * route passes them to an upstream SMSC (a raw one on the gateway's own codec, so the test sees
 * the PDU as it arrived) and whose HTTP route renders them into the provider's request.
 */
import assert from "node:assert/strict";
import { optionsFromConfig, parseConfig } from "../../lib/mod.ts";
import { decode, encode, type Pdu, type PduInit } from "../../lib/smpp/codec.ts";
import { readFrames } from "../../lib/smpp/frames.ts";
import { intTlv, Tag, type Tlv } from "../../lib/smpp/tlvs.ts";
import { ACCOUNT, TestClient, testGateway, within } from "../support/client.ts";
import { startProvider } from "../support/provider.ts";

/** The TLVs of the test's submit_sm, in the order sent. */
const TLVS: Tlv[] = [
  intTlv(Tag.source_port, 0x1f90, 2), // 8080
  intTlv(Tag.destination_port, 0x0050, 2), // 80
  { tag: Tag.callback_num, value: Uint8Array.of(0x01, 0x01, 0x33, 0x36, 0x31, 0x32) },
  intTlv(Tag.privacy_indicator, 2, 1),
  { tag: 0x1400, value: Uint8Array.of(0xde, 0xad, 0x01) }, // unknown to the TLV table
];

/** A submit_sm to `dest` of `text` (ASCII) with `tlvs`; `body` overrides fields. */
function submit(
  dest: string,
  text: string,
  tlvs: Tlv[],
  body: Record<string, unknown> = {},
): Omit<PduInit, "seq"> {
  return {
    command: "submit_sm",
    body: {
      source_addr: "Acme",
      destination_addr: dest,
      registered_delivery: 1,
      short_message: new TextEncoder().encode(text),
      ...body,
    } as PduInit["body"],
    tlvs,
  };
}

/**
 * An upstream SMSC on 127.0.0.1 port 0 that accepts any bind and every submit_sm and records
 * each submit_sm as decoded (TLVs as they came, in order). It sends no receipts.
 */
function rawSmsc() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const submits: Pdu[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const conns = new Set<Deno.Conn>();
  const sessions = new Set<Promise<void>>();
  const wake = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (submits.length >= waiters[i].n) waiters.splice(i, 1)[0].resolve();
    }
  };
  const serve = async (conn: Deno.Conn) => {
    const w = conn.writable.getWriter();
    let accepted = 0;
    try {
      for await (const frame of readFrames(conn.readable)) {
        const p = decode(frame);
        const answer = (body?: Record<string, unknown>) =>
          w.write(encode({ command: `${p.command}_resp`, seq: p.seq, body } as PduInit));
        switch (p.command) {
          case "bind_transceiver":
          case "bind_transmitter":
          case "bind_receiver":
            await answer({ system_id: "raw" });
            break;
          case "submit_sm":
            submits.push(p);
            wake();
            await answer({ message_id: `R${++accepted}` });
            break;
          case "enquire_link":
          case "unbind":
            await answer();
            break;
        }
      }
    } catch { /* the gateway went away */ }
    conns.delete(conn);
    try {
      conn.close();
    } catch { /* already closed */ }
  };
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        conns.add(conn);
        const s = serve(conn).finally(() => sessions.delete(s));
        sessions.add(s);
      }
    } catch { /* closed */ }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    submits,
    /** Resolves once `n` submit_sm in all arrived. */
    waitSubmits(n: number): Promise<void> {
      const { promise, resolve } = Promise.withResolvers<void>();
      waiters.push({ n, resolve });
      wake();
      return promise;
    },
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* already closed */ }
      }
      await accepting;
      await Promise.all(sessions);
    },
  };
}

/** A gateway whose only route is `route`, and a client bound to it; both closed on dispose. */
async function gatewayWith(route: Record<string, unknown>) {
  const o = optionsFromConfig(parseConfig({ routes: [route] }));
  const gw = await testGateway({ routes: o.routes });
  const c = await TestClient.connect(gw.addr.port);
  await c.bind(ACCOUNT.systemId, ACCOUNT.password);
  return {
    c,
    /** Submits and checks it was accepted. */
    async submit(init: Omit<PduInit, "seq">) {
      const r = await c.request(init);
      assert.equal(r.status, 0, `${init.command} accepted`);
      return r.body.message_id as string;
    },
    async [Symbol.asyncDispose]() {
      c.close();
      await gw.close();
    },
  };
}

/** An SMPP route to the raw SMSC on `port` (extra keys override). */
const smppRoute = (port: number, extra: Record<string, unknown> = {}) => ({
  name: "up",
  type: "smpp",
  host: "127.0.0.1",
  port,
  systemId: "gw",
  password: "pw",
  reconnectMaxMs: 300,
  responseTimeoutMs: 2000,
  ...extra,
});

const tags = (p: Pdu) => p.tlvs.map((t) => t.tag);
const udhOf = (p: Pdu) => [...(p.body.short_message as Uint8Array).subarray(0, 6)];

Deno.test("the SMPP route passes a submit's TLVs upstream as they came, unknown tags too", async () => {
  await using up = rawSmsc();
  await using g = await gatewayWith(smppRoute(up.port));
  await g.submit(submit("33612345678", "ports and a callback", TLVS));
  await within(up.waitSubmits(1), 10_000, "the upstream's submit_sm");
  const [p] = up.submits;
  assert.equal(p.body.destination_addr, "33612345678");
  assert.deepEqual(
    new TextDecoder().decode(p.body.short_message as Uint8Array),
    "ports and a callback",
  );
  assert.deepEqual(p.tlvs, TLVS, "the same tags, values and order");
});

Deno.test("the SMPP route passes TLVs on every UDH part and never duplicates message_payload, SAR or user_message_reference", async () => {
  await using up = rawSmsc();
  await using g = await gatewayWith(smppRoute(up.port));
  const kept = [TLVS[0], TLVS[4]];
  // 200 GSM characters in message_payload: two UDH parts upstream.
  const long = "x".repeat(200);
  await g.submit(submit("33600000001", "", [
    { tag: Tag.message_payload, value: new TextEncoder().encode(long) },
    intTlv(Tag.user_message_reference, 77, 2),
    ...kept,
  ]));
  await within(up.waitSubmits(2), 10_000, "both parts");
  // One SAR part: upstream it keeps its place in a UDH, not in SAR TLVs.
  await g.submit(submit("33600000002", "sar part one", [
    intTlv(Tag.sar_msg_ref_num, 300, 2),
    intTlv(Tag.sar_total_segments, 2, 1),
    intTlv(Tag.sar_segment_seqnum, 1, 1),
    ...kept,
  ]));
  await within(up.waitSubmits(3), 10_000, "the SAR part");
  // 300 octets of binary data: over 254, so the route sends them in its own message_payload.
  const binary = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
  await g.submit(submit("33600000003", "", [
    { tag: Tag.message_payload, value: binary },
    intTlv(Tag.user_message_reference, 78, 2),
    ...kept,
  ], { data_coding: 4 }));
  await within(up.waitSubmits(4), 10_000, "the binary message");

  const [first, second, sar, bin] = up.submits;
  for (const [i, p] of [first, second].entries()) {
    assert.equal(p.body.destination_addr, "33600000001");
    assert.equal(p.body.esm_class, 0x40);
    assert.deepEqual(udhOf(p).slice(2, 3), [3], "an 8-bit reference UDH");
    assert.deepEqual(udhOf(p).slice(4), [2, i + 1]);
    assert.deepEqual(p.tlvs, kept, `part ${i + 1} carries the kept TLVs, nothing else`);
  }
  assert.equal(sar.body.esm_class, 0x40);
  assert.deepEqual(
    [...(sar.body.short_message as Uint8Array).subarray(0, 7)],
    [6, 8, 4, 1, 44, 2, 1],
    "the SAR reference 300 in a 16-bit UDH",
  );
  assert.deepEqual(sar.tlvs, kept, "no SAR TLVs next to the UDH");
  assert.deepEqual(tags(bin), [Tag.message_payload, Tag.source_port, 0x1400]);
  assert.deepEqual(bin.tlvs[0].value, binary, "the route's own message_payload, once");
  for (const p of up.submits) {
    assert.ok(!tags(p).includes(Tag.user_message_reference), "no user_message_reference");
    assert.equal(new Set(tags(p)).size, tags(p).length, "no tag twice");
  }
});

Deno.test("the SMPP route sends no TLVs to an upstream it binds as SMPP 3.3", async () => {
  await using up = rawSmsc();
  await using g = await gatewayWith(smppRoute(up.port, { interfaceVersion: 0x33 }));
  await g.submit(submit("33612345678", "to an old SMSC", TLVS));
  await within(up.waitSubmits(1), 10_000, "the upstream's submit_sm");
  assert.deepEqual(up.submits[0].tlvs, []);
  assert.equal(
    new TextDecoder().decode(up.submits[0].body.short_message as Uint8Array),
    "to an old SMSC",
  );
});

Deno.test("the HTTP route renders {tlv.NAME}, {tlv.0xNNNN} and {tlvs} into the provider's request", async () => {
  await using provider = startProvider(() => Response.json({ messageId: "P-1" }));
  await using g = await gatewayWith({
    name: "uk",
    type: "http",
    url: provider.url,
    params: {
      to: "{dest}",
      text: "{text}",
      sport: "{tlv.source_port}",
      dport: "{tlv.destination_port}",
      cb: "{tlv.callback_num}",
      privacy: "{tlv.privacy_indicator}",
      raw: "{tlv.0x1400}",
      sameByTag: "port {tlv.0x020A}",
      absent: "[{tlv.dest_addr_subunit}]",
      all: "{tlvs}",
    },
  });
  await g.submit(submit("447700900123", "with TLVs", TLVS));
  await within(provider.waitRequests(1), 10_000, "the provider request");
  const sent = JSON.parse(provider.requests[0].body);
  assert.deepEqual(sent, {
    to: "447700900123",
    text: "with TLVs",
    sport: "8080",
    dport: "80",
    cb: "010133363132",
    privacy: "2",
    raw: "dead01",
    sameByTag: "port 8080",
    absent: "[]",
    all: sent.all,
  });
  assert.deepEqual(JSON.parse(sent.all), {
    source_port: "8080",
    destination_port: "80",
    callback_num: "010133363132",
    privacy_indicator: "2",
    "0x1400": "dead01",
  });
});

Deno.test("the HTTP route renders {tlvs} as {} and {tlv.NAME} as empty for a submit without TLVs", async () => {
  await using provider = startProvider(() => Response.json({ messageId: "P-1" }));
  await using g = await gatewayWith({
    name: "uk",
    type: "http",
    url: provider.url,
    format: "form",
    params: { sport: "{tlv.source_port}", all: "{tlvs}" },
  });
  await g.submit(submit("447700900123", "plain", []));
  await within(provider.waitRequests(1), 10_000, "the provider request");
  const form = new URLSearchParams(provider.requests[0].body);
  assert.equal(form.get("sport"), "");
  assert.equal(form.get("all"), "{}");
});
