/**
 * Session unit tests over an in-memory connection (no TCP, no gateway): a fake handler makes the
 * decisions, the test plays the ESME through the other end.
 */
import assert from "node:assert/strict";
import { concatBytes } from "../../lib/smpp/bytes.ts";
import { encode, type Pdu } from "../../lib/smpp/codec.ts";
import { Status } from "../../lib/smpp/status.ts";
import { Session, type SessionHandler } from "../../lib/session/session.ts";
import type { BindDecision, Reply, SessionOptions } from "../../lib/session/contract.ts";
import { memoryConnPair } from "../support/memory_conn.ts";
import { PduPeer } from "../support/pdu_peer.ts";
import { within } from "../support/wait.ts";

/** Timers off, so nothing but the test's PDUs drives the session. */
const OPTIONS: SessionOptions = {
  systemId: "smppgw",
  enquireLinkMs: 0,
  responseTimeoutMs: 2000,
  bindTimeoutMs: 0,
  inactivityMs: 0,
  window: 10,
  deliverWindow: 10,
  pduTimeoutMs: 0,
  maxOutputBytes: 1 << 20,
  drainTimeoutMs: 0,
};

/** A handler that records calls, binds with `decision` and answers requests through `reply`. */
class FakeHandler implements SessionHandler {
  decision: BindDecision = { status: Status.ESME_ROK, account: "acme" };
  reply: (pdu: Pdu) => Promise<Reply> = () =>
    Promise.resolve({ status: Status.ESME_ROK, body: { message_id: "1" } });
  readonly calls: string[] = [];

  bind(): Promise<BindDecision> {
    this.calls.push("bind");
    return Promise.resolve(this.decision);
  }
  bound(): void {
    this.calls.push("bound");
  }
  request(_s: Session, pdu: Pdu): Promise<Reply> {
    this.calls.push(pdu.command);
    return this.reply(pdu);
  }
  closed(): void {
    this.calls.push("closed");
  }
}

/** A running session over memory, its handler and the test's end. */
function start(handler = new FakeHandler(), options: Partial<SessionOptions> = {}) {
  const { conn, peer } = memoryConnPair("10.0.0.7");
  const session = new Session(conn, handler, { ...OPTIONS, ...options });
  const running = session.run();
  return { session, handler, esme: new PduPeer(peer), running };
}

const BIND_BODY = { system_id: "acme", password: "secret", interface_version: 0x34 };

/** Binds as a transceiver and asserts the bind succeeded. */
async function bind(esme: PduPeer) {
  await esme.send({ command: "bind_transceiver", seq: 1, body: BIND_BODY });
  const r = await esme.next(5000, "bind_transceiver_resp");
  assert.equal(r.command, "bind_transceiver_resp");
  assert.equal(r.status, Status.ESME_ROK);
}

/** Ends a test: closes the ESME's end and waits for the session to finish. */
async function finish(t: ReturnType<typeof start>) {
  t.esme.close();
  await within(t.running, 10_000, "session end");
}

Deno.test("Session answers a refused bind with the handler's status and closes", async () => {
  const handler = new FakeHandler();
  handler.decision = { status: Status.ESME_RINVPASWD };
  const t = start(handler);
  await t.esme.send({ command: "bind_transmitter", seq: 3, body: BIND_BODY });
  const r = await t.esme.next(5000, "bind_transmitter_resp");
  assert.equal(r.command, "bind_transmitter_resp");
  assert.equal(r.seq, 3);
  assert.equal(r.status, Status.ESME_RINVPASWD);
  await within(t.esme.ended, 5000, "the session closing the connection");
  await within(t.running, 5000, "session end");
  assert.equal(t.session.state, "CLOSED");
  assert.equal(t.session.account, "");
  assert.deepEqual(handler.calls, ["bind", "closed"]);
});

Deno.test("Session answers enquire_link before bind and stays open", async () => {
  const t = start();
  try {
    await t.esme.send({ command: "enquire_link", seq: 7 });
    const r = await t.esme.next(5000, "enquire_link_resp");
    assert.equal(r.command, "enquire_link_resp");
    assert.equal(r.seq, 7);
    assert.equal(r.status, Status.ESME_ROK);
    assert.equal(t.session.state, "OPEN");
    assert.deepEqual(t.handler.calls, []);
  } finally {
    await finish(t);
  }
});

Deno.test("Session takes account and window from the bind decision; past the window it answers 0x58", async () => {
  const handler = new FakeHandler();
  handler.decision = { status: Status.ESME_ROK, account: "acme", window: 2 };
  const gate = Promise.withResolvers<void>();
  handler.reply = async () => {
    await gate.promise;
    return { status: Status.ESME_ROK, body: { message_id: "42" } };
  };
  const t = start(handler);
  try {
    await bind(t.esme);
    assert.equal(t.session.account, "acme");
    assert.equal(t.session.state, "BOUND_TRX");
    const submit = { source_addr: "Acme", destination_addr: "447700900123" };
    for (const seq of [10, 11, 12]) {
      await t.esme.send({ command: "submit_sm", seq, body: submit });
    }
    // The first two wait in the handler; the third is over the window and answered at once.
    const throttled = await t.esme.next(5000, "the throttled submit_sm_resp");
    assert.equal(throttled.command, "submit_sm_resp");
    assert.equal(throttled.seq, 12);
    assert.equal(throttled.status, Status.ESME_RTHROTTLED);
    gate.resolve();
    const rest = [
      await t.esme.next(5000, "submit_sm_resp"),
      await t.esme.next(5000, "submit_sm_resp"),
    ];
    assert.deepEqual(rest.map((p) => [p.seq, p.status, p.body.message_id]), [
      [10, Status.ESME_ROK, "42"],
      [11, Status.ESME_ROK, "42"],
    ]);
    assert.deepEqual(handler.calls, ["bind", "bound", "submit_sm", "submit_sm"]);
  } finally {
    gate.resolve();
    await finish(t);
  }
});

Deno.test("Session answers unbind with unbind_resp, then closes the connection", async () => {
  const t = start();
  await bind(t.esme);
  await t.esme.send({ command: "unbind", seq: 5 });
  const r = await t.esme.next(5000, "unbind_resp");
  assert.equal(r.command, "unbind_resp");
  assert.equal(r.seq, 5);
  assert.equal(r.status, Status.ESME_ROK);
  await within(t.esme.ended, 5000, "the session closing the connection");
  await within(t.running, 5000, "session end");
  assert.equal(t.session.state, "CLOSED");
  assert.deepEqual(t.handler.calls, ["bind", "bound", "closed"]);
  assert.equal(t.esme.inbox.length, 0, "nothing after unbind_resp");
});

Deno.test("Session drops a response for an unknown sequence number without answering it", async () => {
  const t = start();
  try {
    await bind(t.esme);
    await t.esme.send({ command: "deliver_sm_resp", seq: 999, body: { message_id: "" } });
    await t.esme.send({ command: "enquire_link_resp", seq: 1000 });
    await t.esme.send({ command: "enquire_link", seq: 8 });
    // Frames are handled in order: had the stray responses been answered, that would come first.
    const r = await t.esme.next(5000, "enquire_link_resp");
    assert.equal(r.command, "enquire_link_resp");
    assert.equal(r.seq, 8);
    assert.equal(t.session.state, "BOUND_TRX");
  } finally {
    await finish(t);
  }
});

Deno.test("Session answers every request before an unbind sent in the same write, then unbind_resp, then nothing", async () => {
  const t = start();
  await bind(t.esme);
  await t.esme.raw(concatBytes([
    encode({ command: "enquire_link", seq: 2 }),
    encode({ command: "submit_sm", seq: 3, body: { destination_addr: "1", short_message: "x" } }),
    encode({ command: "unbind", seq: 4 }),
    encode({ command: "enquire_link", seq: 5 }),
  ]));
  const got: string[] = [];
  for (let i = 0; i < 3; i++) {
    const p = await t.esme.next(5000, `answer ${i + 1}`);
    got.push(`${p.command} ${p.seq}`);
  }
  assert.deepEqual(got.sort(), ["enquire_link_resp 2", "submit_sm_resp 3", "unbind_resp 4"]);
  await within(t.esme.ended, 5000, "the session closing the connection");
  await within(t.running, 5000, "session end");
  assert.equal(t.esme.inbox.length, 0, "nothing after unbind_resp");
});
