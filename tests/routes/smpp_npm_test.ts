/**
 * The SMPP route against an SMSC we did not write: a node-smpp (npm:smpp) server scripted per
 * test: its ids, its receipt format, its error answers, its own requests.
 */
import assert from "node:assert/strict";
import smpp from "smpp";
import { connect } from "../../lib/deno.ts";
import type { Route, RouteHost } from "../../lib/delivery/route.ts";
import { parseSmppRoute } from "../../lib/routes/smpp/config.ts";
import { smppRoute } from "../../lib/routes/smpp/route.ts";
import type { JobRecord } from "../../lib/store/records.ts";
import { messageRecord } from "../support/records.ts";
import { fakeHost } from "../support/route_host.ts";
import { waitUntil, within } from "../support/wait.ts";

/** The node-smpp shapes used here (the package ships no types). */
interface NpmPdu {
  command: string;
  command_status: number;
  response(fields?: Record<string, unknown>): unknown;
  [field: string]: unknown;
}
interface NpmSession {
  on(event: string, fn: (pdu: NpmPdu) => void): void;
  send(pdu: unknown): boolean;
  deliver_sm(fields: Record<string, unknown>, cb: (resp: NpmPdu) => void): void;
  enquire_link(cb: (resp: NpmPdu) => void): void;
  unbind(cb: (resp: NpmPdu) => void): void;
  destroy(): void;
}
interface NpmServer {
  sessions: NpmSession[];
  listen(port: number, host: string, cb: () => void): void;
  address(): { port: number };
  close(cb: () => void): void;
}
const createServer =
  (smpp as unknown as { createServer: (l: (s: NpmSession) => void) => NpmServer }).createServer;

/** How the scripted SMSC behaves; change fields between steps. */
interface Script {
  /** Status of each next submit_sm ("silent": no answer); 0 once used up. */
  answers: (number | "silent")[];
  /** The message_id of the n-th accepted submit_sm. */
  idOf: (n: number) => string;
  /** The id as written in the receipt text. */
  receiptId: (id: string) => string;
  /** Add the receipted_message_id TLV to receipts. */
  tlv: boolean;
  /** Send receipts at all. */
  receipts: boolean;
  /** Answer enquire_link. */
  answerEnquire: boolean;
}

/** A node-smpp SMSC on 127.0.0.1, port 0. */
async function smsc(over: Partial<Script> = {}) {
  const script: Script = {
    answers: [],
    idOf: (n) => String(1_000_000 + n),
    receiptId: (id) => id,
    tlv: false,
    receipts: true,
    answerEnquire: true,
    ...over,
  };
  const binds: { command: string; session: NpmSession }[] = [];
  const submits: { at: number; command: string; pdu: NpmPdu }[] = [];
  let enquires = 0;
  let unbinds = 0;
  let accepted = 0;
  const resends = new Set<ReturnType<typeof setTimeout>>();
  /** Sends a receipt; an error answer sends it again 100 ms later (up to 10 times). */
  const receipt = (rx: NpmSession, fields: Record<string, unknown>, tries = 1) =>
    rx.deliver_sm({ ...fields }, (resp) => {
      receiptAnswers.push(resp.command_status);
      if (resp.command_status === 0 || tries >= 10) return;
      const t = setTimeout(() => {
        resends.delete(t);
        receipt(rx, fields, tries + 1);
      }, 100);
      resends.add(t);
    });
  const receiptAnswers: number[] = [];
  const server = createServer((session) => {
    const bind = (pdu: NpmPdu) => {
      binds.push({ command: pdu.command, session });
      session.send(pdu.response({ system_id: "npm" }));
    };
    for (const b of ["bind_transceiver", "bind_transmitter", "bind_receiver"]) session.on(b, bind);
    session.on("enquire_link", (pdu) => {
      enquires++;
      if (script.answerEnquire) session.send(pdu.response());
    });
    session.on("unbind", (pdu) => {
      unbinds++;
      session.send(pdu.response());
    });
    session.on("submit_sm", (pdu) => {
      submits.push({ at: Date.now(), command: pdu.command, pdu });
      const answer = script.answers.shift() ?? 0;
      if (answer === "silent") return;
      if (answer !== 0) return void session.send(pdu.response({ command_status: answer }));
      const id = script.idOf(++accepted);
      session.send(pdu.response({ message_id: id }));
      if (!script.receipts) return;
      const rx = binds.findLast((b) => b.command !== "bind_transmitter")?.session ?? session;
      const rid = script.receiptId(id);
      receipt(rx, {
        source_addr: pdu.destination_addr,
        destination_addr: pdu.source_addr,
        esm_class: 0x04,
        data_coding: 0,
        short_message: `id:${rid} sub:001 dlvrd:001 submit date:2601010000 ` +
          `done date:2601010000 stat:DELIVRD err:000 text:hello`,
        ...(script.tlv ? { receipted_message_id: id, message_state: 2 } : {}),
      });
    });
    session.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: server.address().port,
    script,
    binds,
    submits,
    get enquires() {
      return enquires;
    },
    get unbinds() {
      return unbinds;
    },
    /** The status the route answered a deliver_sm with. */
    deliver(fields: Record<string, unknown>): Promise<number> {
      const { promise, resolve } = Promise.withResolvers<number>();
      binds[binds.length - 1].session.deliver_sm(fields, (r) => resolve(r.command_status));
      return within(promise, 5000, "deliver_sm_resp");
    },
    /** The upstream's own request, answered or not within `ms`. */
    request(kind: "enquire_link" | "unbind", ms = 5000): Promise<NpmPdu> {
      const { promise, resolve } = Promise.withResolvers<NpmPdu>();
      binds[binds.length - 1].session[kind](resolve);
      return within(promise, ms, kind);
    },
    /** The status of every deliver_sm_resp to a receipt, in order. */
    receiptAnswers,
    async close() {
      for (const t of resends) clearTimeout(t);
      for (const s of [...server.sessions]) s.destroy();
      await within(new Promise<void>((resolve) => server.close(() => resolve())), 2000, "close");
    },
  };
}

function route(port: number, over: Record<string, unknown> = {}): Route {
  const c = parseSmppRoute({
    name: "up",
    host: "127.0.0.1",
    port,
    systemId: "gw",
    password: "pw",
    reconnectMaxMs: 500,
    responseTimeoutMs: 1000,
    enquireLinkMs: 0,
    retry: { baseMs: 50, maxMs: 100, maxAttempts: 3 },
    ...over,
  }, "routes[0]");
  return smppRoute(c, { connect });
}

function job(id: string, over: Partial<JobRecord> = {}): JobRecord {
  return { ...messageRecord({ id, route: "up", dest: { ton: 1, npi: 1, addr: "336" } }), ...over };
}

async function* jobs(...list: JobRecord[]): AsyncGenerator<JobRecord> {
  yield* list;
}

/** Runs `body` with a started route and its SMSC, then stops both. */
async function withRoute(
  script: Partial<Script>,
  over: Record<string, unknown>,
  body: (
    ctx: { up: Awaited<ReturnType<typeof smsc>>; r: Route; host: ReturnType<typeof fakeHost> },
  ) => Promise<void>,
  resume: JobRecord[] = [],
  host = fakeHost(),
) {
  const up = await smsc(script);
  const r = route(up.port, over);
  try {
    await r.start(host, jobs(...resume));
    await body({ up, r, host });
  } finally {
    await r.stop();
    await up.close();
  }
}

Deno.test("smpp route (npm smsc): a receipt with the id in hex settles the message handed over in decimal", async () => {
  await withRoute({ receiptId: (id) => BigInt(id).toString(16).toUpperCase() }, {}, async (t) => {
    t.r.enqueue(job("m1"));
    await within(t.host.settledCount(1), 5000, "settled");
    assert.deepEqual(t.host.handed.map((h) => h.providerId), ["1000001"]);
    assert.equal(t.host.settled[0].stat, "DELIVRD");
    assert.equal(t.host.receipts[0].providerId, "F4241", "offered as written first");
  });
});

Deno.test("smpp route (npm smsc): a receipt with the id in decimal settles the message handed over in hex", async () => {
  const idOf = (n: number) => (0x1a2b + n).toString(16);
  const receiptId = (id: string) => BigInt(`0x${id}`).toString();
  await withRoute({ idOf, receiptId }, {}, async (t) => {
    t.r.enqueue(job("m1"));
    await within(t.host.settledCount(1), 5000, "settled");
    assert.deepEqual(t.host.handed.map((h) => h.providerId), ["1a2c"]);
  });
});

Deno.test("smpp route (npm smsc): receipted_message_id wins over the text's id", async () => {
  await withRoute({ tlv: true, receiptId: () => "garbage" }, {}, async (t) => {
    t.r.enqueue(job("m1"));
    await within(t.host.settledCount(1), 5000, "settled");
    assert.deepEqual(t.host.receipts.map((x) => x.providerId), ["1000001"]);
  });
});

Deno.test("smpp route (npm smsc): ESME_RTHROTTLED is retried, then the message is handed over", async () => {
  await withRoute({ answers: [0x58] }, {}, async (t) => {
    t.r.enqueue(job("m1"));
    await within(t.host.settledCount(1), 5000, "settled");
    assert.equal(t.host.retries.length, 1);
    assert.equal(t.host.retries[0].attempts, 1);
    assert.ok(t.host.retries[0].nextAt > t.up.submits[0].at, "nextAt in the future");
    assert.equal(t.up.submits.length, 2);
    assert.ok(t.up.submits[1].at >= t.host.retries[0].nextAt - 5, "sent again at nextAt");
    assert.equal(t.host.settled[0].stat, "DELIVRD");
  });
});

Deno.test("smpp route (npm smsc): an unanswered submit_sm is retried after the response timeout", async () => {
  await withRoute({ answers: ["silent"] }, { responseTimeoutMs: 200 }, async (t) => {
    t.r.enqueue(job("m1"));
    await within(t.host.settledCount(1), 5000, "settled");
    assert.equal(t.host.retries.length, 1);
    assert.equal(t.up.submits.length, 2);
  });
});

Deno.test("smpp route (npm smsc): temporary failures past maxAttempts end UNDELIV 000", async () => {
  await withRoute({ answers: [0x14, 0x58, 0x08] }, {}, async (t) => {
    t.r.enqueue(job("m1"));
    await within(t.host.settledCount(1), 5000, "settled");
    assert.deepEqual(t.host.retries.map((x) => x.attempts), [1, 2]);
    assert.equal(t.up.submits.length, 3);
    assert.deepEqual([t.host.settled[0].stat, t.host.settled[0].err], ["UNDELIV", "000"]);
  });
});

Deno.test("smpp route (npm smsc): ESME_RINVDSTADR settles UNDELIV 011 without a retry", async () => {
  await withRoute({ answers: [0x0b] }, {}, async (t) => {
    t.r.enqueue(job("m1"));
    await within(t.host.settledCount(1), 5000, "settled");
    assert.deepEqual([t.host.settled[0].stat, t.host.settled[0].err], ["UNDELIV", "011"]);
    assert.equal(t.host.retries.length, 0);
    assert.equal(t.host.handed.length, 0);
  });
});

Deno.test("smpp route (npm smsc): a plain deliver_sm is an inbound message; without a rule it gets 0x65", async () => {
  await withRoute({}, {}, async (t) => {
    await waitUntil(() => t.up.binds.length === 1, 5000, "bound");
    const fields = { source_addr: "33611", destination_addr: "1234", data_coding: 0 };
    assert.equal(await t.up.deliver({ ...fields, short_message: "hi there" }), 0);
    assert.equal(t.host.inbounds.length, 1);
    const m = t.host.inbounds[0];
    assert.deepEqual([m.source, m.dest, m.dataCoding, m.esmClass], ["33611", "1234", 0, 0]);
    assert.equal(new TextDecoder().decode(m.body), "hi there");
    t.host.inboundRule = () => false;
    assert.equal(await t.up.deliver({ ...fields, short_message: "nobody" }), 0x65);
    assert.equal(t.host.inbounds.length, 1);
  });
});

Deno.test("smpp route (npm smsc): split bind submits on a transmitter and takes receipts on a receiver", async () => {
  await withRoute({}, { bind: "split" }, async (t) => {
    await waitUntil(() => t.up.binds.length === 2, 5000, "two binds");
    t.r.enqueue(job("m1"));
    await within(t.host.settledCount(1), 5000, "settled");
    assert.deepEqual(t.up.binds.map((b) => b.command).sort(), [
      "bind_receiver",
      "bind_transmitter",
    ]);
  });
});

Deno.test("smpp route (npm smsc): idle links get enquire_link; an unanswered one drops the link and the route binds again", async () => {
  await withRoute({}, { enquireLinkMs: 100, responseTimeoutMs: 300 }, async (t) => {
    await waitUntil(() => t.up.enquires >= 2, 5000, "enquire_link sent while idle");
    const resp = await t.up.request("enquire_link");
    assert.equal(resp.command, "enquire_link_resp");
    t.up.script.answerEnquire = false;
    await waitUntil(() => t.up.binds.length >= 2, 5000, "bound again after the silent link");
    t.up.script.answerEnquire = true;
    t.r.enqueue(job("m1"));
    await within(t.host.settledCount(1), 5000, "settled on the new link");
  });
});

Deno.test("smpp route (npm smsc): the upstream's unbind is answered and the route binds again", async () => {
  await withRoute({}, {}, async (t) => {
    await waitUntil(() => t.up.binds.length === 1, 5000, "bound");
    const resp = await t.up.request("unbind");
    assert.equal(resp.command, "unbind_resp");
    await waitUntil(() => t.up.binds.length === 2, 5000, "bound again");
    t.r.enqueue(job("m1"));
    await within(t.host.settledCount(1), 5000, "settled");
  });
});

Deno.test("smpp route (npm smsc): resumed jobs go at once, one with nextAt waits until then", async () => {
  const nextAt = Date.now() + 400;
  const resume = [job("due"), job("later", { attempts: 2, nextAt })];
  await withRoute({}, {}, async (t) => {
    await within(t.host.settledCount(2), 5000, "both settled");
    assert.equal(t.up.submits.length, 2);
    assert.ok(t.up.submits[1].at >= nextAt, "the retried job waited for its nextAt");
    assert.equal(t.host.settled[0].job.id, "due");
  }, resume);
});

Deno.test("smpp route (npm smsc): a failing hand-over is stored on a later try, its receipt waits for it", async () => {
  const host = fakeHost();
  const handedOver = host.handedOver.bind(host);
  let failures = 0;
  const flaky: RouteHost = Object.assign(host, {
    handedOver: (j: JobRecord, id: string) =>
      failures++ === 0 ? Promise.reject(new Error("KV is down")) : handedOver(j, id),
  });
  await withRoute(
    {},
    {},
    async (t) => {
      t.r.enqueue(job("m1"));
      await within(t.host.settledCount(1), 5000, "settled");
      assert.equal(failures, 2);
      assert.equal(t.host.handed.length, 1);
      await waitUntil(() => t.up.receiptAnswers.at(-1) === 0, 5000, "the receipt acknowledged");
    },
    [],
    flaky as ReturnType<typeof fakeHost>,
  );
});

Deno.test("smpp route (npm smsc): stop unbinds and closes; the route sends nothing afterwards", async () => {
  const up = await smsc();
  const host = fakeHost();
  const r = route(up.port);
  try {
    await r.start(host, jobs());
    r.enqueue(job("m1"));
    await within(host.settledCount(1), 5000, "settled");
    await r.stop();
    assert.equal(up.unbinds, 1);
    r.enqueue(job("m2"));
    assert.equal(up.submits.length, 1);
  } finally {
    await r.stop();
    await up.close();
  }
});
