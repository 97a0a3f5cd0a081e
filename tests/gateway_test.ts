import assert from "node:assert/strict";
import { encode } from "../lib/smpp/codec.ts";
import { Status } from "../lib/smpp/status.ts";
import { Tag, tlvInt, tlvString } from "../lib/smpp/tlvs.ts";
import { startGateway } from "../lib/mod.ts";
import { ACCOUNT, TestClient, testGateway, within } from "./support/client.ts";
import { waitUntil } from "./support/wait.ts";

const RECEIPT =
  /^id:(\d{1,20}) sub:001 dlvrd:(\d{3}) submit date:\d{10} done date:\d{10} stat:(\w+) err:(\d{3}) text:(.*)$/;

function receiptText(p: { body: Record<string, unknown> }): string {
  return new TextDecoder().decode(p.body.short_message as Uint8Array);
}

async function bound(
  port: number,
  type: "transmitter" | "receiver" | "transceiver" = "transceiver",
) {
  const c = await TestClient.connect(port);
  const r = await c.bind(ACCOUNT.systemId, ACCOUNT.password, type);
  assert.equal(r.status, Status.ESME_ROK);
  return c;
}

Deno.test("binds as transmitter, receiver and transceiver with system_id and sc_interface_version", async () => {
  await using gw = await testGateway();
  const clients: TestClient[] = [];
  try {
    for (const type of ["transmitter", "receiver", "transceiver"] as const) {
      const c = await TestClient.connect(gw.addr.port);
      clients.push(c);
      const r = await c.bind(ACCOUNT.systemId, ACCOUNT.password, type);
      assert.equal(r.command, `bind_${type}_resp`);
      assert.equal(r.status, 0);
      assert.equal(r.body.system_id, "smppgw");
      assert.equal(tlvInt(r.tlvs, Tag.sc_interface_version), 0x34);
    }
  } finally {
    clients.forEach((c) => c.close());
  }
});

Deno.test("refuses unknown system_id with 0x0F and wrong password with 0x0E, then closes", async () => {
  await using gw = await testGateway();
  for (
    const [id, pw, status] of [["nobody", "secret", 0x0f], [
      ACCOUNT.systemId,
      "wrong",
      0x0e,
    ]] as const
  ) {
    const c = await TestClient.connect(gw.addr.port);
    const r = await c.bind(id, pw);
    assert.equal(r.status, status);
    assert.equal(r.body.system_id, "", "error bind_resp is header-only");
    await within(c.closed, 2000, "server close after failed bind");
    c.close();
  }
});

Deno.test("rejects a 6th bind with 0x05 and accepts again once one session unbinds", async () => {
  await using gw = await testGateway();
  const clients: TestClient[] = [];
  try {
    for (let i = 0; i < 5; i++) clients.push(await bound(gw.addr.port));
    const sixth = await TestClient.connect(gw.addr.port);
    assert.equal(
      (await sixth.bind(ACCOUNT.systemId, ACCOUNT.password)).status,
      Status.ESME_RALYBND,
    );
    sixth.close();
    assert.equal((await clients[0].request({ command: "unbind" })).status, 0);
    await within(clients[0].closed, 2000, "close after unbind");
    clients[0] = await bound(gw.addr.port);
  } finally {
    clients.forEach((c) => c.close());
  }
});

Deno.test("submit_sm is answered with a message id and followed by a DELIVRD receipt with TLVs", async () => {
  await using gw = await testGateway();
  const c = await bound(gw.addr.port);
  try {
    const r = await c.submit("Hello World, this is a long text");
    assert.equal(r.status, 0);
    const id = r.body.message_id as string;
    assert.match(id, /^\d{1,20}$/);
    const d = await c.next();
    assert.equal(d.body.esm_class, 0x04);
    assert.equal(d.body.source_addr, "447700900123");
    assert.equal(d.body.destination_addr, "Acme");
    const m = receiptText(d).match(RECEIPT);
    assert.ok(m, receiptText(d));
    assert.deepEqual([m[1], m[2], m[3], m[4], m[5]], [
      id,
      "001",
      "DELIVRD",
      "000",
      "Hello World, this is",
    ]);
    assert.equal(tlvString(d.tlvs, Tag.receipted_message_id), id);
    assert.equal(tlvInt(d.tlvs, Tag.message_state), 2);
    assert.deepEqual([...d.tlvs.find((t) => t.tag === Tag.network_error_code)!.value], [3, 0, 0]);
  } finally {
    c.close();
  }
});

Deno.test("message ids never repeat, also across a restart on the same KV file", async () => {
  const path = await Deno.makeTempFile({ suffix: ".kv" });
  const ids = new Set<string>();
  try {
    for (let run = 0; run < 2; run++) {
      await using gw = await testGateway({ kv: path });
      const c = await bound(gw.addr.port, "transmitter");
      try {
        const rs = await Promise.all(Array.from({ length: 90 }, () =>
          c.send({
            command: "submit_sm",
            body: { destination_addr: "1", short_message: new Uint8Array([0x41]) },
          })));
        for (const r of rs) {
          assert.equal(r.status, 0);
          ids.add(r.body.message_id as string);
        }
      } finally {
        c.close();
      }
    }
    assert.equal(ids.size, 180);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("registered_delivery 2 sends receipts for failures only; rules pick stat and err", async () => {
  await using gw = await testGateway({
    simulator: { delayMs: 10, rules: [{ prefix: "4479", stat: "UNDELIV", err: "001" }] },
  });
  const c = await bound(gw.addr.port);
  try {
    await c.submit("ok", { destination_addr: "447700000001", registered_delivery: 2 });
    const fail = await c.submit("fails", {
      destination_addr: "447900000001",
      registered_delivery: 2,
    });
    const d = await c.next();
    const m = receiptText(d).match(RECEIPT)!;
    assert.deepEqual([m[1], m[2], m[3], m[4]], [fail.body.message_id, "000", "UNDELIV", "001"]);
    assert.equal(c.inbox.length, 0, "no receipt for the delivered message");
  } finally {
    c.close();
  }
});

Deno.test("receipts are spread evenly over 3 receiver sessions", async () => {
  await using gw = await testGateway();
  const rx = [
    await bound(gw.addr.port, "receiver"),
    await bound(gw.addr.port, "receiver"),
    await bound(gw.addr.port, "receiver"),
  ];
  const tx = await bound(gw.addr.port, "transmitter");
  try {
    for (let i = 0; i < 9; i++) assert.equal((await tx.submit(`m${i}`)).status, 0);
    await Promise.all(rx.map(async (c) => {
      for (let i = 0; i < 3; i++) await c.next();
    }));
    assert.equal(tx.inbox.length, 0, "a transmitter never gets receipts");
  } finally {
    [...rx, tx].forEach((c) => c.close());
  }
});

Deno.test("receipts wait in KV while no receiver is bound and go out on bind", async () => {
  await using gw = await testGateway({ simulator: { delayMs: 0 } });
  const tx = await bound(gw.addr.port, "transmitter");
  try {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await tx.submit(`queued ${i}`)).body.message_id);
    // Wait until all three receipts are stored.
    await waitUntil(() => gw.gateway.counters.receiptsQueued >= 3, 10_000, "3 receipts queued");
    assert.equal(await gw.gateway.store.receiptCount(), 3);
    const rx = await bound(gw.addr.port, "receiver");
    try {
      const got = [];
      for (let i = 0; i < 3; i++) got.push(receiptText(await rx.next()).match(RECEIPT)![1]);
      assert.deepEqual(got.sort(), ids.sort());
      await waitUntil(
        async () => (await gw.gateway.store.receiptCount()) === 0,
        10_000,
        "acknowledged receipts removed",
      );
      assert.equal(await gw.gateway.store.receiptCount(), 0, "acknowledged receipts are removed");
    } finally {
      rx.close();
    }
  } finally {
    tx.close();
  }
});

Deno.test("a receipt answered with an error status is sent again", async () => {
  await using gw = await testGateway();
  const c = await bound(gw.addr.port);
  c.autoAck = Status.ESME_RX_T_APPN;
  try {
    const id = (await c.submit("retry me")).body.message_id;
    const first = await c.next();
    c.autoAck = 0;
    const second = await c.next();
    assert.equal(tlvString(first.tlvs, Tag.receipted_message_id), id);
    assert.equal(tlvString(second.tlvs, Tag.receipted_message_id), id);
  } finally {
    c.close();
  }
});

Deno.test("a restart on the same KV keeps accounts and queued receipts", async () => {
  const path = await Deno.makeTempFile({ suffix: ".kv" });
  try {
    let id;
    {
      const gw = await testGateway({ kv: path, simulator: { delayMs: 0 } });
      const tx = await bound(gw.addr.port, "transmitter");
      id = (await tx.submit("survives")).body.message_id;
      await waitUntil(() => gw.gateway.counters.receiptsQueued >= 1, 10_000, "receipt queued");
      tx.close();
      await gw.close();
    }
    // A new process (the config is read again); the queued receipt must come from KV.
    await using gw = await startGateway({
      port: 0,
      kv: path,
      accounts: [{ ...ACCOUNT }],
      unbindWaitMs: 200,
    });
    const rx = await bound(gw.addr.port, "receiver");
    try {
      assert.equal(tlvString((await rx.next()).tlvs, Tag.receipted_message_id), id);
    } finally {
      rx.close();
    }
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("unknown command_id gets generic_nack 0x03 with the same sequence number", async () => {
  await using gw = await testGateway();
  const c = await bound(gw.addr.port);
  try {
    const bytes = encode({ command: "enquire_link", seq: 77 });
    bytes.set([0, 0, 0, 0x99], 4);
    await c.raw(bytes);
    const nack = await c.next(2000, "generic_nack");
    assert.deepEqual([nack.status, nack.seq], [Status.ESME_RINVCMDID, 77]);
    assert.equal((await c.request({ command: "enquire_link" })).status, 0, "session still alive");
  } finally {
    c.close();
  }
});

Deno.test("submit_sm before bind or on a receiver session gets 0x04", async () => {
  await using gw = await testGateway();
  const open = await TestClient.connect(gw.addr.port);
  const rx = await bound(gw.addr.port, "receiver");
  try {
    assert.equal((await open.submit("x")).status, Status.ESME_RINVBNDSTS);
    assert.equal((await rx.submit("x")).status, Status.ESME_RINVBNDSTS);
    assert.equal(
      (await open.request({ command: "enquire_link" })).status,
      0,
      "enquire_link works before bind",
    );
    assert.equal((await rx.bind(ACCOUNT.systemId, ACCOUNT.password)).status, Status.ESME_RALYBND);
  } finally {
    open.close();
    rx.close();
  }
});

Deno.test("a broken TLV part gets 0xC0 and other sessions go on", async () => {
  await using gw = await testGateway();
  const a = await bound(gw.addr.port);
  const b = await bound(gw.addr.port);
  try {
    const pdu = encode({
      command: "submit_sm",
      seq: 1000,
      body: { destination_addr: "1" },
      tlvs: [{ tag: 0x1401, value: new Uint8Array(4) }],
    });
    pdu[pdu.length - 5] = 0x40; // TLV length now runs past the end
    await a.raw(pdu);
    const resp = await a.next(2000, "submit_sm_resp");
    assert.deepEqual([resp.status, resp.seq], [Status.ESME_RINVOPTPARSTREAM, 1000]);
    assert.equal((await a.submit("still here")).status, 0);
    assert.equal((await b.submit("other session")).status, 0);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("a command_length over the cap gets generic_nack 0x02 and the connection is closed", async () => {
  await using gw = await testGateway();
  const c = await bound(gw.addr.port);
  try {
    await c.raw(new Uint8Array([0x7f, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 9]));
    await within(c.closed, 2000, "server close");
  } finally {
    c.close();
  }
});

Deno.test("submit checks: source not allowed 0x0A, short_message and payload 0x01, priority 0x06", async () => {
  await using gw = await testGateway({
    accounts: [{ ...ACCOUNT, sourceAddrs: ["Acme", "44\\d+"] }],
  });
  const c = await bound(gw.addr.port);
  try {
    assert.equal((await c.submit("x", { source_addr: "Other" })).status, Status.ESME_RINVSRCADR);
    assert.equal((await c.submit("x", { source_addr: "447700" })).status, 0);
    const both = await c.request({
      command: "submit_sm",
      body: { source_addr: "Acme", destination_addr: "1", short_message: new Uint8Array([65]) },
      tlvs: [{ tag: Tag.message_payload, value: new Uint8Array([66]) }],
    });
    assert.equal(both.status, Status.ESME_RINVMSGLEN);
    assert.equal((await c.submit("x", { priority_flag: 4 })).status, Status.ESME_RINVPRTFLG);
    assert.equal((await c.submit("x", { destination_addr: "" })).status, Status.ESME_RINVDSTADR);
  } finally {
    c.close();
  }
});

Deno.test("query_sm reports ENROUTE, then the final state; other accounts get 0x67", async () => {
  await using gw = await testGateway({ simulator: { delayMs: 0 } });
  const c = await bound(gw.addr.port);
  try {
    const id = (await c.submit("q")).body.message_id as string;
    await c.next();
    const q = await c.request({
      command: "query_sm",
      body: { message_id: id, source_addr: "Acme" },
    });
    assert.equal(q.status, 0);
    assert.equal(q.body.message_state, 2);
    assert.match(q.body.final_date as string, /^\d{12}000\+$/);
    const none = await c.request({
      command: "query_sm",
      body: { message_id: "123", source_addr: "Acme" },
    });
    assert.equal(none.status, Status.ESME_RQUERYFAIL);
    const otherSource = await c.request({
      command: "query_sm",
      body: { message_id: id, source_addr: "Other" },
    });
    assert.equal(otherSource.status, Status.ESME_RQUERYFAIL);
  } finally {
    c.close();
  }
});

Deno.test("the server sends enquire_link after silence and closes a session that does not answer", async () => {
  await using gw = await testGateway({ session: { enquireLinkMs: 50, responseTimeoutMs: 100 } });
  const c = await bound(gw.addr.port);
  try {
    const probe = await c.next(2000, "enquire_link").catch(() => null);
    // The test client answers enquire_link itself, so the session stays up.
    assert.equal(probe, null, "answered probes are not queued in the inbox");
    assert.equal((await c.request({ command: "enquire_link" })).status, 0);
    // A raw socket that never answers is closed.
    const mute = await Deno.connect({ hostname: "127.0.0.1", port: gw.addr.port });
    await mute.write(
      encode({
        command: "bind_transceiver",
        seq: 1,
        body: { system_id: ACCOUNT.systemId, password: ACCOUNT.password, interface_version: 0x34 },
      }),
    );
    const buf = new Uint8Array(4096);
    let closed = false;
    for (let i = 0; i < 50 && !closed; i++) closed = (await within(mute.read(buf), 3000)) === null;
    mute.close();
    assert.ok(closed, "server closed the mute session");
  } finally {
    c.close();
  }
});

Deno.test("a connection that never binds is closed after the bind timeout", async () => {
  await using gw = await testGateway({ session: { bindTimeoutMs: 50 } });
  const c = await TestClient.connect(gw.addr.port);
  try {
    await within(c.closed, 2000, "server close");
  } finally {
    c.close();
  }
});

Deno.test("close() sends unbind to bound sessions and waits for unbind_resp", async () => {
  const gw = await testGateway();
  const c = await bound(gw.addr.port);
  await gw.close();
  await within(c.closed, 2000, "server close");
  assert.equal(c.inbox.some((p) => p.command === "unbind"), true);
  c.close();
});

/** A KV whose commits first wait for `gate.promise`: holds requests in flight for a test. */
function gatedKv(kv: Deno.Kv, gate: { promise: Promise<void> }): Deno.Kv {
  return new Proxy(kv, {
    get(target, prop) {
      if (prop !== "atomic") {
        const v = Reflect.get(target, prop, target);
        return typeof v === "function" ? v.bind(target) : v;
      }
      return () => {
        const op = target.atomic();
        return new Proxy(op, {
          get(o, p) {
            if (p === "commit") return async () => (await gate.promise, o.commit());
            const v = Reflect.get(o, p, o);
            return typeof v === "function" ? v.bind(o) : v;
          },
        });
      };
    },
  });
}

Deno.test("requests beyond the window get 0x58 ESME_RTHROTTLED, the rest are accepted", async () => {
  const kv = await Deno.openKv(":memory:");
  const gate = { promise: Promise.resolve() };
  const gw = await testGateway({
    kv: gatedKv(kv, gate),
    accounts: [{ ...ACCOUNT, window: 5 }],
  });
  const c = await bound(gw.addr.port, "transmitter");
  const held = Promise.withResolvers<void>();
  try {
    // Commits now wait, so the first 5 submits stay unanswered whatever the timing.
    gate.promise = held.promise;
    const rs = c.sendBatch(Array.from({ length: 40 }, () => ({
      command: "submit_sm",
      body: { destination_addr: "1", short_message: new Uint8Array([0x41]) },
    })));
    const over = await within(Promise.all(rs.slice(5)));
    assert.deepEqual(new Set(over.map((r) => r.status)), new Set([Status.ESME_RTHROTTLED]));
    held.resolve();
    const first = await within(Promise.all(rs.slice(0, 5)));
    assert.deepEqual(first.map((r) => r.status), [0, 0, 0, 0, 0]);
  } finally {
    held.resolve();
    c.close();
    await gw.close();
    kv.close();
  }
});
