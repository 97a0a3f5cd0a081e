/**
 * replace_sm and replace_if_present_flag end to end: a message not yet handed to its route gets
 * new content under the same id; the route sends only the new one; otherwise 0x13.
 */
import assert from "node:assert/strict";
import { ACCOUNT, TestClient, testGateway } from "../support/client.ts";
import { Status } from "../../lib/smpp/status.ts";
import { manualRoute } from "../support/manual_route.ts";
import { startProvider } from "../support/provider.ts";
import { providerRoute } from "../support/http_route.ts";
import { waitUntil } from "../support/wait.ts";

const text = (p: { body: Record<string, unknown> }) =>
  new TextDecoder().decode(p.body.short_message as Uint8Array);
const bytes = (s: string) => new TextEncoder().encode(s);
const IN_2S = "000000000002000R";

/** A replace_sm of `id` with `short` (other fields as given). */
function replace(c: TestClient, id: string, short = "x", extra: Record<string, unknown> = {}) {
  return c.request({
    command: "replace_sm",
    body: {
      message_id: id,
      source_addr: "Acme",
      registered_delivery: 1,
      short_message: bytes(short),
      ...extra,
    },
  });
}

Deno.test("replace_sm gives a waiting message new text: its receipt and query show the new one", async () => {
  await using gw = await testGateway({ simulator: { delayMs: 800 } });
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password);
    const id = (await c.submit("the old text")).body.message_id as string;
    assert.equal((await replace(c, id, "the new text")).status, 0);
    const r = text(await c.next(5000));
    assert.match(r, new RegExp(`^id:${id} .*stat:DELIVRD.*text:the new text$`));
    assert.equal((await gw.gateway.store.message(id))?.preview, "the new text");
    // Final now: too late to replace.
    assert.equal((await replace(c, id, "later")).status, Status.ESME_RREPLACEFAIL);
    assert.equal(c.inbox.length, 0, "one receipt only");
  } finally {
    c.close();
  }
});

Deno.test("the HTTP provider gets only the replaced text of a scheduled message, after a restart too", async () => {
  await using provider = startProvider(() => Response.json({ messageId: "P" }));
  const dir = await Deno.makeTempDir();
  const kv = `${dir}/gw.kv`;
  const routes = () => [providerRoute(provider)];
  try {
    let id: string;
    {
      await using gw = await testGateway({ kv, routes: routes() });
      const c = await TestClient.connect(gw.addr.port);
      await c.bind(ACCOUNT.systemId, ACCOUNT.password);
      id =
        (await c.submit("first draft", { schedule_delivery_time: IN_2S, registered_delivery: 0 }))
          .body.message_id as string;
      const r = await replace(c, id, "final text", { registered_delivery: 0 });
      assert.equal(r.status, 0);
      c.close();
    }
    await using gw = await testGateway({ kv, routes: routes() });
    await provider.waitRequests(1);
    assert.equal(provider.requests.length, 1);
    assert.equal(JSON.parse(provider.requests[0].body).text, "final text");
    assert.equal((await gw.gateway.store.message(id))?.body.length, "final text".length);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("replace_sm is refused for unknown, foreign-source, taken and handed-over messages, and checks times like a submit", async () => {
  const route = manualRoute("hold");
  await using gw = await testGateway({ routes: [{ route }], cannedMessages: { "1": "canned" } });
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password);
    const a = (await c.submit("one")).body.message_id as string;
    const b = (await c.submit("two")).body.message_id as string;
    const d = (await c.submit("three")).body.message_id as string;
    await route.waitJobs(3);
    assert.equal((await replace(c, "1234")).status, Status.ESME_RREPLACEFAIL);
    assert.equal(
      (await replace(c, a, "x", { source_addr: "Other" })).status,
      Status.ESME_RREPLACEFAIL,
    );
    for (
      const [extra, status] of [
        [{ schedule_delivery_time: "ABCDEFGHIJKLMNOP" }, Status.ESME_RINVSCHED],
        [{ validity_period: "200101000000000+" }, Status.ESME_RINVEXPIRY],
        [{ sm_default_msg_id: 9, short_message: new Uint8Array(0) }, Status.ESME_RINVDFTMSGID],
        [{ short_message: new Uint8Array([0x80]) }, Status.ESME_RINVMSGLEN],
      ] as const
    ) {
      assert.equal((await replace(c, a, "x", extra)).status, status, JSON.stringify(extra));
    }
    // A route taking a message (about to send it) makes it unchangeable: replace 0x13, cancel 0x11.
    assert.equal(route.host().take(route.jobs[0]), true);
    assert.equal((await replace(c, a, "too late")).status, Status.ESME_RREPLACEFAIL);
    const cancel = await c.request({
      command: "cancel_sm",
      body: { message_id: a, source_addr: "Acme" },
    });
    assert.equal(cancel.status, Status.ESME_RCANCELFAIL);
    // Handed over: too late as well.
    await route.host().handedOver(route.jobs[1], "P-2");
    assert.equal((await replace(c, b, "too late")).status, Status.ESME_RREPLACEFAIL);
    // A canned message replaces the text; the copy the route holds is stale, the new job is not.
    assert.equal(
      (await replace(c, d, "", { sm_default_msg_id: 1, short_message: new Uint8Array(0) })).status,
      0,
    );
    await route.waitJobs(4);
    const host = route.host();
    assert.equal(host.isOpen(route.jobs[2]), false, "the old copy is not sent");
    assert.equal(host.isOpen(route.jobs[3]), true);
    assert.equal(route.jobs[3].id, d);
    assert.equal(new TextDecoder().decode(route.jobs[3].body), "canned");
    await host.settle([{ job: route.jobs[2], stat: "DELIVRD", err: "000" }]);
    assert.equal(await gw.gateway.store.state(d), null, "a stale copy settles nothing");
    await host.settle([{ job: route.jobs[3], stat: "DELIVRD", err: "000" }]);
    assert.match(text(await c.next()), new RegExp(`^id:${d} .*stat:DELIVRD.*text:canned$`));
  } finally {
    c.close();
  }
});

Deno.test("replace_if_present_flag 1 replaces the pending message between the same addresses", async () => {
  const route = manualRoute("hold");
  await using gw = await testGateway({ routes: [{ route }] });
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password);
    const first = (await c.submit("reminder at 9", { schedule_delivery_time: IN_2S })).body
      .message_id as string;
    const again = await c.submit("reminder at 10", { replace_if_present_flag: 1 });
    assert.equal(again.status, 0);
    assert.equal(again.body.message_id, first, "the pending message was replaced");
    const other = await c.submit("to someone else", {
      replace_if_present_flag: 1,
      destination_addr: "447700900999",
    });
    assert.notEqual(other.body.message_id, first, "nothing pending there: a new message");
    const m = await gw.gateway.store.message(first);
    assert.equal(new TextDecoder().decode(m!.body), "reminder at 10");
    assert.equal(m!.scheduleAt, undefined, "the new submission's schedule (none)");
    await route.waitJobs(2);
    const job = route.jobs.find((j) => j.id === first)!;
    assert.equal(new TextDecoder().decode(job.body), "reminder at 10");
    // Once handed over, a flag-1 submission is a new message.
    await route.host().handedOver(job, "P-1");
    const later = await c.submit("reminder at 11", { replace_if_present_flag: 1 });
    assert.notEqual(later.body.message_id, first);
    assert.equal(
      (await c.submit("x", { replace_if_present_flag: 2 })).status,
      Status.ESME_RINVREPFLAG,
    );
  } finally {
    c.close();
  }
});

/**
 * A gateway whose HTTP route's provider answers 503 once, then OK, retried after `retryMs`; `run`
 * gets a bound client and ends with that message (its id) replaced by "new": the provider's
 * last request and the receipt carry "new".
 */
async function replacedAroundARetry(
  retryMs: number,
  run: (c: TestClient, gw: Awaited<ReturnType<typeof testGateway>>) => Promise<string>,
) {
  await using provider = startProvider((_r, n) =>
    n === 1 ? new Response("busy", { status: 503 }) : Response.json({ messageId: "P" })
  );
  await using gw = await testGateway({
    routes: [
      providerRoute(provider, { retry: { baseMs: retryMs, maxMs: retryMs, maxAttempts: 5 } }),
    ],
  });
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password);
    const id = await run(c, gw);
    await provider.waitRequests(2);
    assert.equal(JSON.parse(provider.requests[1].body).text, "new");
    assert.match(text(await c.next()), new RegExp(`^id:${id} .*stat:ACCEPTD.*text:new$`));
    return provider.requests.map((r) => JSON.parse(r.body).text);
  } finally {
    c.close();
  }
}

Deno.test("a replaced message its provider refuses once is retried, with the new text", async () => {
  const texts = await replacedAroundARetry(50, async (c) => {
    const id = (await c.submit("old", { schedule_delivery_time: "000000000001000R" })).body
      .message_id as string;
    assert.equal((await replace(c, id, "new")).status, 0);
    return id;
  });
  assert.deepEqual(texts, ["new", "new"]);
});

Deno.test("replace_sm counts against the daily quota like a submission", async () => {
  const route = manualRoute("hold");
  await using gw = await testGateway({
    routes: [{ route }],
    accounts: [{ ...ACCOUNT, dailyQuota: 2 }],
  });
  const c = await TestClient.connect(gw.addr.port);
  try {
    await c.bind(ACCOUNT.systemId, ACCOUNT.password);
    const id = (await c.submit("one")).body.message_id as string;
    assert.equal((await replace(c, id, "two")).status, 0);
    assert.equal((await replace(c, id, "three")).status, Status.ESME_RTHROTTLED);
  } finally {
    c.close();
  }
});

Deno.test("a message replaced while it waits for a retry is sent again with the new text", async () => {
  const texts = await replacedAroundARetry(300, async (c, gw) => {
    const id = (await c.submit("old")).body.message_id as string;
    await waitUntil(async () => (await gw.gateway.store.routeJob(id)) !== null, 5000, "retry");
    assert.equal((await replace(c, id, "new")).status, 0);
    return id;
  });
  assert.deepEqual(texts, ["old", "new"]);
});
