/**
 * The ESME link and its connector without a network: an in-memory connection played by the
 * test, and a scripted `connect` for reconnect timing and stop.
 */
import assert from "node:assert/strict";
import { EsmeLink, LinkClosed, ResponseTimeout } from "../../lib/routes/smpp/client.ts";
import { parseSmppRoute } from "../../lib/routes/smpp/config.ts";
import { smppRoute } from "../../lib/routes/smpp/route.ts";
import type { Conn, Connect } from "../../lib/transport/conn.ts";
import type { JobRecord } from "../../lib/store/records.ts";
import { memoryConnPair } from "../support/memory_conn.ts";
import { PduPeer } from "../support/pdu_peer.ts";
import { fakeHost } from "../support/route_host.ts";
import { within } from "../support/wait.ts";

const BIND = {
  command: "bind_transceiver",
  systemId: "gw",
  password: "pw",
  systemType: "",
  interfaceVersion: 0x34,
} as const;

/** A link over an in-memory connection, and the test's end of it. */
function linkPair(responseTimeoutMs = 5000) {
  const { conn, peer } = memoryConnPair();
  const requests: string[] = [];
  const link = new EsmeLink(conn, {
    responseTimeoutMs,
    enquireLinkMs: 0,
    label: "test",
    onRequest: (pdu) => {
      requests.push(pdu.command);
      return Promise.resolve(0);
    },
  });
  return { link, peer: new PduPeer(peer), requests };
}

async function bound(responseTimeoutMs = 5000) {
  const t = linkPair(responseTimeoutMs);
  const binding = t.link.bind(BIND);
  const bind = await t.peer.next(2000, "bind");
  assert.equal(bind.command, "bind_transceiver");
  assert.deepEqual([bind.body.system_id, bind.body.password, bind.body.interface_version], [
    "gw",
    "pw",
    0x34,
  ]);
  await t.peer.send({ command: "bind_transceiver_resp", seq: bind.seq, body: { system_id: "x" } });
  await within(binding, 2000, "bound");
  return t;
}

Deno.test("smpp link: requests the upstream may not send are refused, unknown ids get generic_nack", async () => {
  const { link, peer, requests } = await bound();
  await peer.send({ command: "submit_sm", seq: 7, body: { destination_addr: "1" } });
  const refused = await peer.next(2000, "submit_sm_resp");
  assert.deepEqual([refused.command, refused.status, refused.seq], ["submit_sm_resp", 0x04, 7]);
  const unknown = new Uint8Array(16);
  new DataView(unknown.buffer).setUint32(0, 16);
  new DataView(unknown.buffer).setUint32(4, 0x00000099);
  new DataView(unknown.buffer).setUint32(12, 8);
  await peer.raw(unknown);
  const nack = await peer.next(2000, "generic_nack");
  assert.deepEqual([nack.command, nack.status, nack.seq], ["generic_nack", 0x03, 8]);
  await peer.send({ command: "enquire_link", seq: 9 });
  assert.equal((await peer.next(2000, "enquire_link_resp")).command, "enquire_link_resp");
  await peer.send({ command: "deliver_sm", seq: 10, body: { esm_class: 0 } });
  const ack = await peer.next(2000, "deliver_sm_resp");
  assert.deepEqual([ack.command, ack.status, ack.seq], ["deliver_sm_resp", 0, 10]);
  assert.deepEqual(requests, ["deliver_sm"]);
  link.close(new LinkClosed("test over"));
  await link.finished();
});

Deno.test("smpp link: a request times out; closing rejects the ones still waiting", async () => {
  const { link, peer } = await bound(100);
  const late = link.request({ command: "submit_sm", body: { destination_addr: "1" } });
  await assert.rejects(within(late, 2000, "timeout"), ResponseTimeout);
  const waiting = link.request({ command: "submit_sm", body: { destination_addr: "2" } });
  assert.equal(link.outstanding, 1);
  peer.close();
  await assert.rejects(within(waiting, 2000, "rejected on close"), LinkClosed);
  assert.equal((await link.closed).message, "the upstream closed the connection");
  await link.finished();
});

Deno.test("smpp link: a refused bind closes the link with the status", async () => {
  const { link, peer } = linkPair();
  const binding = link.bind(BIND);
  const bind = await peer.next(2000, "bind");
  await peer.send({ command: "bind_transceiver_resp", seq: bind.seq, status: 0x0e });
  await assert.rejects(within(binding, 2000, "refused"), /ESME_RINVPASWD/);
  await link.finished();
});

async function* none(): AsyncGenerator<JobRecord> {}

function failingRoute(connect: Connect) {
  const c = parseSmppRoute({
    name: "down",
    host: "127.0.0.1",
    port: 9,
    systemId: "gw",
    password: "pw",
    reconnectMaxMs: 100,
    responseTimeoutMs: 10_000,
  }, "routes[0]");
  return smppRoute(c, { connect, reconnectMinMs: 20 });
}

Deno.test("smpp route: reconnect attempts back off, doubling up to reconnectMaxMs", async () => {
  const at: number[] = [];
  const done = Promise.withResolvers<void>();
  const r = failingRoute(() => {
    at.push(Date.now());
    if (at.length === 6) done.resolve();
    return Promise.reject(new Error("connection refused"));
  });
  await r.start(fakeHost(), none());
  try {
    await within(done.promise, 5000, "six attempts");
  } finally {
    await r.stop();
  }
  const gaps = at.slice(1).map((t, i) => t - at[i]);
  [20, 40, 80, 100, 100].forEach((want, i) => {
    assert.ok(gaps[i] >= want - 2, `gap ${i}: ${gaps[i]} ms, want ${want}`);
  });
  assert.ok(gaps[4] < 100 + 200, `capped: ${gaps[4]} ms`);
});

Deno.test("smpp route: stop gives up a connect that hangs", async () => {
  const started = Promise.withResolvers<void>();
  const r = failingRoute(() => {
    started.resolve();
    return new Promise<Conn>(() => {});
  });
  await r.start(fakeHost(), none());
  await within(started.promise, 2000, "connecting");
  await within(r.stop(), 1000, "stop while connecting");
});
