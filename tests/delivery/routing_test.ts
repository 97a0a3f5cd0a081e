/** Routing end to end: the first matching route takes a message; none → 0x0B, nothing stored. */
import assert from "node:assert/strict";
import { ACCOUNT, TestClient, testGateway, within } from "../support/client.ts";
import { simulatorRoute } from "../../lib/delivery/simulator.ts";
import { Router } from "../../lib/delivery/router.ts";
import { Status } from "../../lib/smpp/status.ts";
import { storedMessages } from "../support/records.ts";
import { manualRoute } from "../support/manual_route.ts";
import { Tag, tlvInt } from "../../lib/smpp/tlvs.ts";

const text = (p: { body: Record<string, unknown> }) =>
  new TextDecoder().decode(p.body.short_message as Uint8Array);

Deno.test("Router.pick() takes the first match by destination and account", () => {
  const uk = simulatorRoute({ name: "uk" });
  const acme = simulatorRoute({ name: "acme" });
  const rest = simulatorRoute({ name: "rest" });
  const r = new Router([
    { route: uk, match: { dest: "^44" } },
    { route: acme, match: { accounts: ["acme"] } },
    { route: rest, match: { dest: "^3[34]" } },
  ]);
  assert.equal(r.pick("bob", "447700900123"), uk);
  assert.equal(r.pick("acme", "447700900123"), uk);
  assert.equal(r.pick("acme", "15551234"), acme);
  assert.equal(r.pick("bob", "33612345678"), rest);
  assert.equal(r.pick("bob", "15551234"), null);
  assert.throws(() => new Router([{ route: uk }, { route: uk }]), /two routes are named "uk"/);
});

Deno.test("a message goes to the first route whose match fits, and its receipt says so", async () => {
  await using gw = await testGateway({
    routes: [
      { route: simulatorRoute({ name: "uk", delayMs: 0 }), match: { dest: "^44" } },
      {
        route: simulatorRoute({
          name: "rest",
          delayMs: 0,
          rules: [{ prefix: "", stat: "UNDELIV", err: "9" }],
        }),
      },
    ],
  });
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password);
    const uk = await c.submit("to the uk");
    const fr = await c.submit("to france", { destination_addr: "33612345678" });
    assert.equal(uk.status, 0);
    assert.equal(fr.status, 0);
    const store = gw.gateway.store;
    assert.equal((await store.message(uk.body.message_id as string))?.route, "uk");
    assert.equal((await store.message(fr.body.message_id as string))?.route, "rest");
    const receipts = [await c.next(), await c.next()].map(text).sort();
    assert.match(
      receipts.find((r) => r.includes(fr.body.message_id as string))!,
      /stat:UNDELIV err:009/,
    );
    assert.match(receipts.find((r) => r.includes(uk.body.message_id as string))!, /stat:DELIVRD/);
  } finally {
    c.close();
  }
});

Deno.test("a message no route takes gets 0x0B and nothing is stored", async () => {
  await using gw = await testGateway({
    accounts: [{ ...ACCOUNT }, { systemId: "bob", password: "secret" }],
    routes: [{
      route: simulatorRoute({ name: "mine" }),
      match: { dest: "^44", accounts: ["test"] },
    }],
  });
  const a = await TestClient.connect(gw.addr.port);
  const b = await TestClient.connect(gw.addr.port);
  try {
    await a.bind(ACCOUNT.systemId, ACCOUNT.password);
    await b.bind("bob", "secret");
    assert.equal(
      (await a.submit("to nowhere", { destination_addr: "33612345678" })).status,
      Status.ESME_RINVDSTADR,
    );
    assert.equal((await b.submit("not bob's route")).status, Status.ESME_RINVDSTADR);
    assert.equal((await storedMessages(gw.kv)).size, 0);
    assert.equal((await a.submit("fine")).status, 0);
    assert.equal((await storedMessages(gw.kv)).size, 1);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("handedOver() makes a message ENROUTE; its receipt by provider id settles it once", async () => {
  const route = manualRoute("provider");
  await using gw = await testGateway({ routes: [{ route }] });
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password);
    const id = (await c.submit("hello provider")).body.message_id as string;
    await within(route.waitJobs(1), 5000, "the job");
    const host = route.host();
    await host.handedOver(route.jobs[0], "P-1");
    const q = await c.request({
      command: "query_sm",
      body: { message_id: id, source_addr: "Acme" },
    });
    assert.equal(q.body.message_state, 1);
    assert.equal(q.body.final_date, "");
    assert.equal(
      await host.receipt({ providerId: "P-404", stat: "DELIVRD", err: "000" }),
      "unknown",
    );
    assert.equal(await host.receipt({ providerId: "P-1", stat: "DELIVRD", err: "000" }), "settled");
    assert.match(text(await c.next()), new RegExp(`^id:${id} .*stat:DELIVRD`));
    assert.equal(await host.receipt({ providerId: "P-1", stat: "UNDELIV", err: "001" }), "repeat");
    assert.equal(await host.receipt({ id, stat: "UNDELIV", err: "001" }), "repeat");
    const q2 = await c.request({
      command: "query_sm",
      body: { message_id: id, source_addr: "Acme" },
    });
    assert.equal(q2.body.message_state, 2);
  } finally {
    c.close();
  }
});

Deno.test("a receipt that comes before the hand-over is stored keeps its final state", async () => {
  const route = manualRoute("fast");
  await using gw = await testGateway({ routes: [{ route }] });
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password);
    const id = (await c.submit("quick")).body.message_id as string;
    await within(route.waitJobs(1), 5000, "the job");
    const host = route.host();
    // The provider's callback (by our id) wins the race against the hand-over write.
    assert.equal(await host.receipt({ id, stat: "DELIVRD", err: "000" }), "settled");
    await host.handedOver(route.jobs[0], "late");
    const state = await gw.gateway.store.state(id);
    assert.equal(state?.state, 2);
    assert.match(text(await c.next()), /stat:DELIVRD/);
  } finally {
    c.close();
  }
});

Deno.test("after a restart, retried jobs resume with their attempts and handed-over ones do not resume", async () => {
  const dir = await Deno.makeTempDir();
  const kv = `${dir}/gw.kv`;
  try {
    const ids: string[] = [];
    {
      const route = manualRoute("p");
      await using gw = await testGateway({ kv, routes: [{ route }] });
      const c = await TestClient.connect(gw.addr.port);
      await c.bind(ACCOUNT.systemId, ACCOUNT.password);
      for (const t of ["retry me", "handed over", "untouched"]) {
        ids.push((await c.submit(t)).body.message_id as string);
      }
      await within(route.waitJobs(3), 5000, "the jobs");
      await route.host().retry(route.jobs[0], 2, 1234);
      await route.host().handedOver(route.jobs[1], "X");
      c.close();
    }
    const route = manualRoute("p");
    await using gw = await testGateway({ kv, routes: [{ route }] });
    await within(route.waitJobs(2), 5000, "resumed jobs");
    assert.deepEqual(route.jobs.map((j) => j.id), [ids[0], ids[2]]);
    assert.equal(route.jobs[0].attempts, 2);
    assert.equal(route.jobs[0].nextAt, 1234);
    assert.equal(route.jobs[1].attempts, undefined);
    // Settling removes the retry record.
    await route.host().settle([{ job: route.jobs[0], stat: "UNDELIV", err: "000" }]);
    assert.equal(await gw.gateway.store.routeJob(ids[0]), null);
    // The handed-over message still takes its receipt after the restart.
    assert.equal(
      await route.host().receipt({ providerId: "X", stat: "EXPIRED", err: "000" }),
      "settled",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a message whose route left the config goes to the route that matches it now", async () => {
  const dir = await Deno.makeTempDir();
  const kv = `${dir}/gw.kv`;
  try {
    let id: string;
    {
      const old = manualRoute("old");
      await using gw = await testGateway({ kv, routes: [{ route: old }] });
      const c = await TestClient.connect(gw.addr.port);
      await c.bind(ACCOUNT.systemId, ACCOUNT.password);
      id = (await c.submit("moved")).body.message_id as string;
      await within(old.waitJobs(1), 5000, "the job");
      c.close();
    }
    const now = manualRoute("new");
    await using gw = await testGateway({
      kv,
      routes: [{ route: manualRoute("other"), match: { dest: "^1" } }, { route: now }],
    });
    await within(now.waitJobs(1), 5000, "the resumed job");
    assert.equal(now.jobs[0].id, id);
    // The new route hands it over and takes its receipt, though the record names the old route.
    await now.host().handedOver(now.jobs[0], "NEW-1");
    assert.equal(
      await now.host().receipt({ providerId: "NEW-1", stat: "DELIVRD", err: "000" }),
      "settled",
    );
    assert.equal((await gw.gateway.store.state(id))?.state, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a handed-over message whose validity ends without a receipt becomes EXPIRED", async () => {
  const route = manualRoute("slow");
  await using gw = await testGateway({ routes: [{ route }], expirySweepMs: 50 });
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password);
    const id = (await c.submit("never answered", { validity_period: "000000000001000R" })).body
      .message_id as string;
    await within(route.waitJobs(1), 5000, "the job");
    await route.host().handedOver(route.jobs[0], "SLOW-1");
    assert.match(text(await c.next(5000)), new RegExp(`^id:${id} .*stat:EXPIRED`));
    // A receipt that comes afterwards is a repeat.
    assert.equal(
      await route.host().receipt({ providerId: "SLOW-1", stat: "DELIVRD", err: "000" }),
      "repeat",
    );
    assert.deepEqual(await Array.fromAsync(gw.kv.list({ prefix: ["enroute"] })), []);
  } finally {
    c.close();
  }
});

Deno.test("registered_delivery 0x10: an intermediate notification (esm_class 0x20) at hand-over, then the receipt", async () => {
  const route = manualRoute("notify");
  await using gw = await testGateway({ routes: [{ route }] });
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password);
    const id = (await c.submit("tell me", { registered_delivery: 0x11 })).body.message_id as string;
    await within(route.waitJobs(1), 5000, "the job");
    await route.host().handedOver(route.jobs[0], "N-1");
    const first = await c.next();
    assert.equal(first.body.esm_class, 0x20);
    assert.match(text(first), new RegExp(`^id:${id} .*stat:ACCEPTD`));
    assert.equal(tlvInt(first.tlvs, Tag.message_state), 1);
    await route.host().receipt({ providerId: "N-1", stat: "DELIVRD", err: "000" });
    const last = await c.next();
    assert.equal(last.body.esm_class, 0x04);
    assert.match(text(last), new RegExp(`^id:${id} .*stat:DELIVRD`));
  } finally {
    c.close();
  }
});
