/**
 * Intake unit tests without TCP or sessions: real store, committer, ids, admission and joiner on
 * :memory: KV, a fake route recording its jobs, and PDUs that went through the codec.
 */
import { ShortIds } from "../../lib/intake/short_ids.ts";
import { LatestByAddress } from "../../lib/intake/latest.ts";
import { storedMessages } from "../support/records.ts";
import { userText } from "../../lib/text/mod.ts";
import assert from "node:assert/strict";
import { Admission } from "../../lib/accounts/admission.ts";
import { newCounters } from "../../lib/core/counters.ts";
import { IdGenerator } from "../../lib/intake/ids.ts";
import { Intake, type JobSink } from "../../lib/intake/intake.ts";
import { Joiner } from "../../lib/intake/joiner.ts";
import { PendingIds } from "../../lib/intake/pending.ts";
import { decode, encode, type FieldValue, type Pdu } from "../../lib/smpp/codec.ts";
import { Status } from "../../lib/smpp/status.ts";
import { GroupCommitter } from "../../lib/store/committer.ts";
import type { AccountRecord, JobRecord, JoinedRecord } from "../../lib/store/records.ts";
import { Store } from "../../lib/store/store.ts";
import { buildUdh } from "../../lib/text/mod.ts";
import { waitUntil } from "../support/wait.ts";

const ACCOUNT: AccountRecord = { systemId: "acme", maxSessions: 1, sourceAddrs: ["Acme"] };

/** A route that records the jobs it is given. */
class FakeSink implements JobSink {
  readonly name = "fake";
  readonly jobs: JobRecord[] = [];
  constructor(readonly mode?: "parts" | "whole") {}
  enqueue(job: JobRecord): void {
    this.jobs.push(job);
  }
}

/** A submit_sm as a session hands it over: encoded and decoded again. */
function submitSm(body: Record<string, FieldValue> = {}): Pdu<"submit_sm"> {
  const pdu = decode(encode({
    command: "submit_sm",
    seq: 1,
    body: {
      source_addr: "Acme",
      destination_addr: "447700900123",
      registered_delivery: 1,
      short_message: new TextEncoder().encode("hello"),
      ...body,
    },
  }));
  assert.equal(pdu.command, "submit_sm");
  return pdu as Pdu<"submit_sm">;
}

/** Part `seq` of a 2-part message with an 8-bit concatenation UDH. */
function partSm(seq: number): Pdu<"submit_sm"> {
  const text = new TextEncoder().encode(seq === 1 ? "Hello " : "world");
  const udh = buildUdh(42, 2, seq, 8);
  const sm = new Uint8Array(udh.length + text.length);
  sm.set(udh);
  sm.set(text, udh.length);
  return submitSm({ esm_class: 0x40, short_message: sm });
}

/** An intake over a fresh :memory: KV; disposing stops the joiner and closes the KV. */
async function intakeWith(mode?: "parts" | "whole") {
  const kv = await Deno.openKv(":memory:");
  const store = new Store(kv);
  const counters = newCounters();
  const committer = new GroupCommitter(kv, { counters });
  const joined: JoinedRecord[] = [];
  const joiner = new Joiner(store, committer, {
    timeoutMs: 60_000,
    counters,
    onJoined: (j) => void joined.push(j),
  });
  const route = new FakeSink(mode);
  const pending = new PendingIds();
  const state = { lost: false };
  const intake = new Intake({
    store,
    committer,
    ids: new IdGenerator(),
    pending,
    admission: new Admission(store),
    joiner,
    route: () => route,
    cancel: () => Promise.resolve(0),
    replace: () => Promise.resolve(false),
    shortIds: new ShortIds(0),
    latest: new LatestByAddress(),
    schedule: (r, job) => r.enqueue(job),
    counters,
    concatTimeoutMs: 60_000,
    lost: () => state.lost,
  });
  return {
    kv,
    store,
    intake,
    route,
    pending,
    counters,
    joined,
    state,
    async messagesInKv(): Promise<number> {
      return (await storedMessages(kv)).size;
    },
    async [Symbol.asyncDispose]() {
      joiner.stop();
      await committer.flush();
      kv.close();
    },
  };
}

Deno.test("Intake stores a valid submit_sm before answering it and hands it to the route", async () => {
  await using t = await intakeWith();
  const reply = await t.intake.request(ACCOUNT, submitSm());
  assert.equal(reply.status, Status.ESME_ROK);
  const id = reply.body?.message_id as string;
  assert.match(id, /^\d{19}$/);
  // Read straight after the answer: "acknowledged" means "stored".
  const stored = await t.store.message(id);
  assert.equal(stored && userText(stored).text, "hello");
  assert.equal(stored?.route, "fake");
  assert.equal(stored?.account, "acme");
  assert.deepEqual(t.route.jobs.map((j) => j.id), [id]);
  assert.equal(t.pending.size, 1, "unsettled until the route settles it");
  assert.equal(t.counters.submitted, 1);
  assert.equal(t.counters.submittedParts, 1);
});

for (
  const [what, body, status] of [
    ["priority_flag 4", { priority_flag: 4 }, Status.ESME_RINVPRTFLG],
    ["an empty destination_addr", { destination_addr: "" }, Status.ESME_RINVDSTADR],
    ["a source_addr the account may not use", { source_addr: "Other" }, Status.ESME_RINVSRCADR],
  ] as const
) {
  Deno.test(`Intake answers a submit_sm with ${what} with its status and stores nothing`, async () => {
    await using t = await intakeWith();
    const reply = await t.intake.request(ACCOUNT, submitSm(body));
    assert.equal(reply.status, status);
    assert.equal(await t.messagesInKv(), 0);
    assert.deepEqual(t.route.jobs, []);
    assert.equal(t.pending.size, 0, "the id it took is released");
    assert.equal(t.counters.submitRejected, 1);
    assert.equal(t.counters.submitted, 0);
  });
}

Deno.test("Intake answers ESME_RTHROTTLED over the daily quota and stores nothing more", async () => {
  await using t = await intakeWith();
  const limited = { ...ACCOUNT, dailyQuota: 1 };
  assert.equal((await t.intake.request(limited, submitSm())).status, Status.ESME_ROK);
  assert.equal((await t.intake.request(limited, submitSm())).status, Status.ESME_RTHROTTLED);
  assert.equal(await t.messagesInKv(), 1);
  assert.equal(t.route.jobs.length, 1);
});

Deno.test("Intake does not hand parts to a whole-message route: they go to the joiner only", async () => {
  await using t = await intakeWith("whole");
  const ids: string[] = [];
  for (const seq of [1, 2]) {
    const reply = await t.intake.request(ACCOUNT, partSm(seq));
    assert.equal(reply.status, Status.ESME_ROK);
    ids.push(reply.body?.message_id as string);
  }
  assert.deepEqual(t.route.jobs, [], "no part reaches the route directly");
  assert.equal(t.pending.size, 0, "a part waiting for its join is no route work yet");
  for (const id of ids) assert.equal((await t.store.message(id))?.joinLater, true);
  await waitUntil(() => t.joined.length === 1, 10_000, "the parts joined");
  assert.equal(t.joined[0].complete, true);
  assert.deepEqual(t.joined[0].parts.map((p) => p?.id), ids);
  assert.equal((await t.store.joinedOf(ids[0]))?.text, "Hello world");
});

Deno.test("Intake hands each part to a parts route and still joins them", async () => {
  await using t = await intakeWith("parts");
  const ids: string[] = [];
  for (const seq of [2, 1]) {
    ids.push((await t.intake.request(ACCOUNT, partSm(seq))).body?.message_id as string);
  }
  assert.deepEqual(t.route.jobs.map((j) => j.id), ids);
  assert.ok(t.route.jobs.every((j) => !j.joinLater));
  await waitUntil(() => t.joined.length === 1, 10_000, "the parts joined");
});

Deno.test("Intake answers ESME_RSYSERR (0x08) and stores nothing once the store is lost", async () => {
  await using t = await intakeWith();
  t.state.lost = true;
  const reply = await t.intake.request(ACCOUNT, submitSm());
  assert.equal(reply.status, 0x08);
  assert.equal(reply.status, Status.ESME_RSYSERR);
  assert.equal(await t.messagesInKv(), 0);
  assert.deepEqual(t.route.jobs, []);
  assert.equal(t.pending.size, 0);
  assert.equal(t.counters.submitted, 0);
});
