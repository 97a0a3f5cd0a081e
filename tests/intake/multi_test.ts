/**
 * submit_multi end to end: one id for all destinations, unsuccess_sme for the refused ones, each
 * destination delivered and reported on its own with the multi's id.
 */
import assert from "node:assert/strict";
import { ACCOUNT, TestClient, testGateway } from "../support/client.ts";
import { simulatorRoute } from "../../lib/delivery/simulator.ts";
import { Status } from "../../lib/smpp/status.ts";
import type { DestAddress, UnsuccessSme } from "../../lib/smpp/commands.ts";

const text = (p: { body: Record<string, unknown> }) =>
  new TextDecoder().decode(p.body.short_message as Uint8Array);
const sme = (addr: string): DestAddress => ({
  dest_flag: 1,
  dest_addr_ton: 1,
  dest_addr_npi: 1,
  destination_addr: addr,
});
const list = (name: string): DestAddress => ({ dest_flag: 2, dl_name: name });

function multi(c: TestClient, dests: DestAddress[], extra: Record<string, unknown> = {}) {
  return c.request({
    command: "submit_multi",
    body: {
      source_addr: "Acme",
      dests,
      registered_delivery: 1,
      short_message: new TextEncoder().encode("to many"),
      ...extra,
    },
  });
}

/** A gateway whose route takes only UK numbers; the test account defines the list "staff". */
function gateway(delayMs = 300) {
  return testGateway({
    routes: [{ route: simulatorRoute({ name: "uk", delayMs }), match: { dest: "^44" } }],
    accounts: [
      { ...ACCOUNT, distributionLists: { staff: ["447700900201", "447700900202"] } },
      { systemId: "nolists", password: "secret" },
    ],
  });
}

Deno.test("submit_multi to 3 numbers, an unroutable one and an unknown list: one id, 2 refused, 3 receipts", async () => {
  await using gw = await gateway();
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password);
    const dests = ["447700900101", "447700900102", "447700900103"];
    const r = await multi(c, [...dests.map(sme), sme("33612345678"), list("nosuch")]);
    assert.equal(r.status, 0);
    const id = r.body.message_id as string;
    assert.match(id, /^\d{19}$/);
    assert.deepEqual(r.body.unsuccess as UnsuccessSme[], [
      {
        dest_addr_ton: 1,
        dest_addr_npi: 1,
        destination_addr: "33612345678",
        error_status_code: Status.ESME_RINVDSTADR,
      },
      {
        dest_addr_ton: 0,
        dest_addr_npi: 0,
        destination_addr: "nosuch",
        error_status_code: Status.ESME_RINVDLNAME,
      },
    ]);
    const receipts = [await c.next(), await c.next(), await c.next()];
    for (const p of receipts) {
      assert.match(text(p), new RegExp(`^id:${id} .*stat:DELIVRD.*text:to many$`));
    }
    assert.deepEqual(
      receipts.map((p) => p.body.source_addr).sort(),
      dests,
      "each from its destination",
    );
    const q = await c.request({
      command: "query_sm",
      body: { message_id: id, source_addr: "Acme" },
    });
    assert.equal(q.body.message_state, 2);
    assert.equal(gw.gateway.counters.submitted, 3);
  } finally {
    c.close();
  }
});

Deno.test("submit_multi expands the account's lists; an account without lists gets 0x44; none accepted → the refusal", async () => {
  await using gw = await gateway(0);
  const c = await TestClient.connect(gw.addr.port);
  const n = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password);
    const r = await multi(c, [list("staff"), sme("447700900201")], { registered_delivery: 0 });
    assert.equal(r.status, 0);
    assert.deepEqual(r.body.unsuccess, []);
    assert.equal(gw.gateway.counters.submitted, 2, "an address listed twice is sent once");
    await n.bind("nolists", "secret");
    const none = await multi(n, [list("staff"), sme("33612345678")]);
    assert.equal(none.status, Status.ESME_RCNTSUBDL);
    assert.deepEqual((none.body.unsuccess as UnsuccessSme[]).map((u) => u.error_status_code), [
      Status.ESME_RCNTSUBDL,
      Status.ESME_RINVDSTADR,
    ]);
    const flag = await multi(c, [sme("447700900201")], { replace_if_present_flag: 1 });
    assert.equal(flag.status, Status.ESME_RINVREPFLAG);
    const sched = await multi(c, [sme("447700900201")], {
      schedule_delivery_time: "ABCDEFGHIJKLMNOP",
    });
    assert.equal(sched.status, Status.ESME_RINVSCHED, "a check of the message refuses it whole");
  } finally {
    c.close();
    n.close();
  }
});

Deno.test("cancel_sm with a submit_multi's id cancels every destination; a 3.3 bind gets an 8-character id", async () => {
  await using gw = await gateway(800);
  const c = await TestClient.connect(gw.addr.port);
  try {
    assert.equal((await c.bind(ACCOUNT.systemId, ACCOUNT.password, "transceiver", 0x33)).status, 0);
    const r = await multi(c, [sme("447700900101"), sme("447700900102")]);
    const id = r.body.message_id as string;
    assert.match(id, /^[0-9A-F]{8}$/);
    const cancel = await c.request({
      command: "cancel_sm",
      body: { message_id: id, source_addr: "Acme" },
    });
    assert.equal(cancel.status, 0);
    const receipts = [text(await c.next()), text(await c.next())];
    for (const t of receipts) assert.match(t, new RegExp(`^id:${id} .*stat:DELETED`));
  } finally {
    c.close();
  }
});

Deno.test("a submit_multi takes a window slot per destination", async () => {
  await using gw = await testGateway({
    accounts: [{ ...ACCOUNT, window: 3 }],
    simulator: { delayMs: 0 },
  });
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password, "transmitter");
    const dests = ["447700900101", "447700900102", "447700900103"].map(sme);
    // Sent together: the second one cannot fit beside the first one's three destinations.
    const [a, b] = c.sendBatch([
      {
        command: "submit_multi",
        body: { source_addr: "Acme", dests, short_message: new Uint8Array([0x41]) },
      },
      {
        command: "submit_multi",
        body: { source_addr: "Acme", dests, short_message: new Uint8Array([0x41]) },
      },
    ]);
    assert.equal((await a).status, 0);
    assert.equal((await b).status, Status.ESME_RTHROTTLED);
    // Alone, a submit_multi with more destinations than the window goes through.
    const big = await multi(c, [...dests, sme("447700900104")], { registered_delivery: 0 });
    assert.equal(big.status, 0);
  } finally {
    c.close();
  }
});

Deno.test("a submit_multi counts every destination against the daily quota", async () => {
  await using gw = await testGateway({
    accounts: [{ ...ACCOUNT, dailyQuota: 2 }],
    simulator: { delayMs: 0 },
  });
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password, "transmitter");
    const three = ["447700900101", "447700900102", "447700900103"].map(sme);
    assert.equal((await multi(c, three)).status, Status.ESME_RTHROTTLED);
    assert.equal((await multi(c, three.slice(0, 2))).status, 0);
    assert.equal((await c.submit("one more")).status, Status.ESME_RTHROTTLED);
  } finally {
    c.close();
  }
});
