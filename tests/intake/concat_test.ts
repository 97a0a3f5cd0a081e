import { userText } from "../../lib/text/mod.ts";
import assert from "node:assert/strict";
import { intTlv, Tag, tlvString } from "../../lib/smpp/tlvs.ts";
import { buildUdh, gsmEncode } from "../../lib/text/mod.ts";
import { ACCOUNT, TestClient, testGateway, within } from "../support/client.ts";
import type { Gateway } from "../../lib/gateway.ts";
import { waitUntil } from "../support/wait.ts";
import { withTempKv } from "../support/kv_file.ts";
import { simulatorRoute } from "../../lib/delivery/simulator.ts";

type Kind = 8 | 16 | "sar";
const TEXTS = ["First part, ", "second part, ", "third part."];

async function bound(port: number) {
  const c = await TestClient.connect(port);
  assert.equal((await c.bind(ACCOUNT.systemId, ACCOUNT.password)).status, 0);
  return c;
}

/** Submits part `seq` (1-based) of a 3-part message with reference `ref`. */
async function part(
  c: TestClient,
  kind: Kind,
  ref: number,
  seq: number,
  total = 3,
): Promise<string> {
  const text = gsmEncode(TEXTS[seq - 1])!;
  const udh = kind === "sar" ? new Uint8Array(0) : buildUdh(ref, total, seq, kind);
  const sm = new Uint8Array(udh.length + text.length);
  sm.set(udh);
  sm.set(text, udh.length);
  const r = await c.request({
    command: "submit_sm",
    body: {
      source_addr: "Acme",
      destination_addr: "447700900123",
      esm_class: kind === "sar" ? 0 : 0x40,
      registered_delivery: 1,
      short_message: sm,
    },
    tlvs: kind === "sar"
      ? [
        intTlv(Tag.sar_msg_ref_num, ref, 2),
        intTlv(Tag.sar_total_segments, total),
        intTlv(Tag.sar_segment_seqnum, seq),
      ]
      : [],
  });
  assert.equal(r.status, 0);
  return r.body.message_id as string;
}

async function waitJoined(gw: Gateway, partId: string) {
  let joined: Awaited<ReturnType<Gateway["store"]["joinedOf"]>> = null;
  await waitUntil(
    async () => (joined = await gw.store.joinedOf(partId)) !== null,
    10_000,
    `part ${partId} joined`,
  );
  return joined!;
}

for (const kind of [8, 16, "sar"] as const) {
  Deno.test(`parts by ${kind === "sar" ? "SAR TLVs" : `${kind}-bit UDH`} sent out of order get their own ids and receipts and are joined`, async () => {
    await using gw = await testGateway();
    const c = await bound(gw.addr.port);
    try {
      const ids = new Map<number, string>();
      for (const seq of [3, 1, 2]) ids.set(seq, await part(c, kind, 300, seq));
      const receipted = new Set<string>();
      for (let i = 0; i < 3; i++) {
        receipted.add(tlvString((await c.next()).tlvs, Tag.receipted_message_id)!);
      }
      assert.deepEqual(
        [...receipted].sort(),
        [...ids.values()].sort(),
        "one receipt per part, each with its id",
      );
      const { joined, text } = await waitJoined(gw.gateway, ids.get(2)!);
      assert.equal(joined.complete, true);
      assert.deepEqual(joined.parts.map((p) => p!.id), [ids.get(1), ids.get(2), ids.get(3)]);
      assert.equal(text, TEXTS.join(""));
      const msg = await gw.gateway.store.message(ids.get(3)!);
      assert.deepEqual(msg!.concat && { total: msg!.concat.total, seq: msg!.concat.seq }, {
        total: 3,
        seq: 3,
      });
      assert.equal(userText(msg!).text, TEXTS[2], "a part's own text excludes the UDH");
    } finally {
      c.close();
    }
  });
}

Deno.test("a duplicate part is stored and receipted but joined once", async () => {
  await using gw = await testGateway();
  const c = await bound(gw.addr.port);
  try {
    const first = await part(c, 8, 7, 1);
    const dup = await part(c, 8, 7, 1);
    await part(c, 8, 7, 2);
    await part(c, 8, 7, 3);
    const { joined, text } = await waitJoined(gw.gateway, first);
    assert.equal(joined.parts[0]!.id, first);
    assert.notEqual(dup, first);
    assert.equal(text, TEXTS.join(""));
    for (let i = 0; i < 4; i++) await c.next();
  } finally {
    c.close();
  }
});

Deno.test("a message with a missing part is given up on after the timeout", async () => {
  await using gw = await testGateway({ concatTimeoutMs: 100 });
  const c = await bound(gw.addr.port);
  try {
    const one = await part(c, 16, 40000, 1);
    await part(c, 16, 40000, 3);
    const { joined, text } = await waitJoined(gw.gateway, one);
    assert.equal(joined.complete, false);
    assert.equal(joined.parts[1], null);
    assert.equal(text, null);
  } finally {
    c.close();
  }
});

Deno.test("a route in whole mode gets the joined message once; each part still gets a receipt", async () => {
  await using gw = await testGateway({ simulator: { delayMs: 0, mode: "whole" } });
  const c = await bound(gw.addr.port);
  try {
    const ids = [await part(c, 8, 9, 1), await part(c, 8, 9, 2)];
    await assert.rejects(c.next(200), /no deliver_sm/, "nothing settles before the last part");
    ids.push(await part(c, 8, 9, 3));
    const got = new Set<string>();
    for (let i = 0; i < 3; i++) {
      got.add(tlvString((await c.next()).tlvs, Tag.receipted_message_id)!);
    }
    assert.deepEqual([...got].sort(), ids.sort());
    assert.equal(gw.gateway.counters.settled, 1, "the route settled one joined message");
  } finally {
    c.close();
  }
});

Deno.test("parts keep joining across a restart", async () => {
  await withTempKv(async (path) => {
    let first;
    {
      const gw = await testGateway({ kv: path });
      const c = await bound(gw.addr.port);
      first = await part(c, 8, 77, 1);
      await part(c, 8, 77, 2);
      c.close();
      await gw.close();
    }
    await using gw = await testGateway({ kv: path });
    const c = await bound(gw.addr.port);
    try {
      await part(c, 8, 77, 3);
      const { joined, text } = await within(waitJoined(gw.gateway, first), 5000);
      assert.equal(joined.complete, true);
      assert.equal(text, TEXTS.join(""));
    } finally {
      c.close();
    }
  });
});

async function receiptIds(c: TestClient, n: number): Promise<string[]> {
  const got = new Set<string>();
  for (let i = 0; i < n; i++) {
    got.add(tlvString((await c.next(5000)).tlvs, Tag.receipted_message_id)!);
  }
  return [...got].sort();
}

/** Parts 1 and 2 of 3 (reference `ref`) submitted to a "whole" route; the gateway closed. */
async function waitingParts(path: string, ref: number): Promise<string[]> {
  await using gw = await testGateway({ kv: path, simulator: { delayMs: 0, mode: "whole" } });
  const c = await bound(gw.addr.port);
  try {
    return [await part(c, 8, ref, 1), await part(c, 8, ref, 2)];
  } finally {
    c.close();
  }
}

Deno.test("parts that waited to be joined go on their own once their route sends parts (after a restart)", async () => {
  await withTempKv(async (path) => {
    const ids = await waitingParts(path, 31);
    // The route now sends parts: the third part goes at once, the two that waited once joined.
    await using gw = await testGateway({ kv: path, simulator: { delayMs: 0 } });
    const c = await bound(gw.addr.port);
    try {
      ids.push(await part(c, 8, 31, 3));
      assert.deepEqual(await receiptIds(c, 3), [...ids].sort());
      assert.equal(gw.gateway.counters.settled, 3, "each part settled on its own");
      const { joined } = await waitJoined(gw.gateway, ids[0]);
      assert.equal(joined.released, true);
      assert.deepEqual(await Array.fromAsync(gw.kv.list({ prefix: ["job"] })), []);
    } finally {
      c.close();
    }
  });
});

Deno.test("released parts are stored as jobs: a restart before they are sent sends them", async () => {
  await withTempKv(async (path) => {
    const ids = await waitingParts(path, 32);
    {
      // Parts mode, the third part never comes: given up on after the timeout, the two are
      // released to a route that holds them (a long simulator delay) when the gateway stops.
      const gw = await testGateway({
        kv: path,
        concatTimeoutMs: 100,
        simulator: { delayMs: 60_000 },
      });
      const { joined } = await waitJoined(gw.gateway, ids[0]);
      assert.equal(joined.released, true);
      assert.equal((await Array.fromAsync(gw.kv.list({ prefix: ["job"] }))).length, 2);
      await gw.close();
    }
    await using gw = await testGateway({ kv: path, simulator: { delayMs: 0 } });
    const c = await bound(gw.addr.port);
    try {
      assert.deepEqual(await receiptIds(c, 2), [...ids].sort());
      await waitUntil(() => gw.gateway.counters.settled === 2, 5000, "2 settled");
      await waitUntil(
        async () => (await Array.fromAsync(gw.kv.list({ prefix: ["job"] }))).length === 0,
        5000,
        "released jobs removed",
      );
    } finally {
      c.close();
    }
  });
});

Deno.test("a message some of whose parts went on their own is not sent whole: the rest go on their own too", async () => {
  await withTempKv(async (path) => {
    const ids: string[] = [];
    {
      await using gw = await testGateway({ kv: path, simulator: { delayMs: 0 } });
      const c = await bound(gw.addr.port);
      ids.push(await part(c, 8, 33, 1));
      await receiptIds(c, 1);
      c.close();
    }
    await using gw = await testGateway({ kv: path, simulator: { delayMs: 0, mode: "whole" } });
    const c = await bound(gw.addr.port);
    try {
      ids.push(await part(c, 8, 33, 2), await part(c, 8, 33, 3));
      assert.deepEqual(await receiptIds(c, 2), ids.slice(1).sort());
      assert.equal(gw.gateway.counters.settled, 2, "parts 2 and 3 on their own, part 1 not again");
      assert.equal((await waitJoined(gw.gateway, ids[0])).joined.released, true);
    } finally {
      c.close();
    }
  });
});

Deno.test("a part sent again after its message's parts were released goes on its own too", async () => {
  await withTempKv(async (path) => {
    const ids: string[] = [];
    {
      // Parts mode and a slow route: part 1 goes alone and is still unsettled at the restart.
      await using gw = await testGateway({ kv: path, simulator: { delayMs: 60_000 } });
      const c = await bound(gw.addr.port);
      ids.push(await part(c, 8, 44, 1));
      c.close();
    }
    await using gw = await testGateway({ kv: path, simulator: { delayMs: 0, mode: "whole" } });
    const c = await bound(gw.addr.port);
    try {
      ids.push(await part(c, 8, 44, 2), await part(c, 8, 44, 3));
      assert.equal((await waitJoined(gw.gateway, ids[0])).joined.released, true);
      // The client sends part 3 again (its response was lost).
      ids.push(await part(c, 8, 44, 3));
      assert.deepEqual(await receiptIds(c, 4), [...ids].sort());
    } finally {
      c.close();
    }
  });
});

/** Part `seq` of 2 (SAR, reference `ref`) carrying `n` octets in message_payload. */
async function payloadPart(c: TestClient, ref: number, seq: number, n: number): Promise<string> {
  const r = await c.request({
    command: "submit_sm",
    body: { source_addr: "Acme", destination_addr: "447700900123", registered_delivery: 1 },
    tlvs: [
      { tag: Tag.message_payload, value: new Uint8Array(n).fill(0x41) },
      intTlv(Tag.sar_msg_ref_num, ref, 2),
      intTlv(Tag.sar_total_segments, 2),
      intTlv(Tag.sar_segment_seqnum, seq),
    ],
  });
  assert.equal(r.status, 0);
  return r.body.message_id as string;
}

Deno.test("a released part with a 64 KB body is released (its job is stored without the body)", async () => {
  await withTempKv(async (path) => {
    const ids: string[] = [];
    {
      await using gw = await testGateway({ kv: path, simulator: { delayMs: 0, mode: "whole" } });
      const c = await bound(gw.addr.port);
      ids.push(await payloadPart(c, 55, 1, 65_400));
      c.close();
    }
    await using gw = await testGateway({ kv: path, simulator: { delayMs: 0 } });
    const c = await bound(gw.addr.port);
    try {
      ids.push(await payloadPart(c, 55, 2, 100));
      assert.deepEqual(await receiptIds(c, 2), [...ids].sort());
    } finally {
      c.close();
    }
  });
});

Deno.test("jobs stored for a route removed at a restart go to the route that matches them now", async () => {
  await withTempKv(async (path) => {
    const only = (name: string, o: { delayMs: number; mode?: "whole" }) => ({
      kv: path,
      routes: [{ route: simulatorRoute({ name, ...o }) }],
    });
    // Route "a" joins; held by a long delay, the joined message's job is stored when it stops.
    const whole: string[] = [];
    const released: string[] = [];
    {
      await using gw = await testGateway({ ...only("a", { delayMs: 60_000, mode: "whole" }) });
      const c = await bound(gw.addr.port);
      for (const seq of [1, 2, 3]) whole.push(await part(c, 8, 66, seq));
      released.push(await part(c, 8, 67, 1), await part(c, 8, 67, 2));
      await waitUntil(
        async () => (await gw.gateway.store.joinedOf(whole[0])) !== null,
        5000,
        "joined",
      );
      c.close();
    }
    {
      // "a" sends parts now: message 67's two waiting parts are released (stored as jobs).
      await using gw = await testGateway({
        ...only("a", { delayMs: 60_000 }),
        concatTimeoutMs: 100,
      });
      await waitJoined(gw.gateway, released[0]);
    }
    // "a" is gone; "b" sends parts: the joined job's parts and the released parts go to "b".
    await using gw = await testGateway(only("b", { delayMs: 0 }));
    const c = await bound(gw.addr.port);
    try {
      assert.deepEqual(await receiptIds(c, 5), [...whole, ...released].sort());
      assert.equal((await gw.gateway.store.joinedOf(whole[0]))!.joined.released, true);
      await waitUntil(
        async () => (await Array.fromAsync(gw.kv.list({ prefix: ["job"] }))).length === 0,
        5000,
        "no job left",
      );
    } finally {
      c.close();
    }
  });
});
