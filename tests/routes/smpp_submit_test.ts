/** Jobs as submit_sm for the upstream, and what the upstream's answers mean for a job. */
import assert from "node:assert/strict";
import type { Pdu } from "../../lib/smpp/codec.ts";
import { intTlv, Tag } from "../../lib/smpp/tlvs.ts";
import { submitsFor } from "../../lib/routes/smpp/submit.ts";
import { errCode, verdict } from "../../lib/routes/smpp/outcome.ts";
import { Delayed } from "../../lib/core/delayed.ts";
import { Handovers } from "../../lib/routes/smpp/handovers.ts";
import { LinkClosed } from "../../lib/routes/smpp/client.ts";
import { messageRecord } from "../support/records.ts";
import { within } from "../support/wait.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const ucs2 = (s: string) => {
  const out = new Uint8Array(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    [out[2 * i], out[2 * i + 1]] = [s.charCodeAt(i) >> 8, s.charCodeAt(i) & 0xff];
  }
  return out;
};
const sm = (p: { body?: Record<string, unknown> }) => p.body?.short_message as Uint8Array;

Deno.test("smpp submit: a short GSM text is one submit_sm asking for a receipt, addresses kept", () => {
  const [p, ...rest] = submitsFor(messageRecord({ body: enc("Hello") }), 1);
  assert.equal(rest.length, 0);
  assert.equal(p.command, "submit_sm");
  const b = p.body!;
  assert.deepEqual(
    [b.source_addr_ton, b.source_addr_npi, b.source_addr, b.dest_addr_ton, b.dest_addr_npi],
    [5, 0, "Acme", 1, 1],
  );
  assert.deepEqual([b.destination_addr, b.registered_delivery, b.esm_class, b.data_coding], [
    "447700900123",
    1,
    0,
    0,
  ]);
  assert.deepEqual(sm(p), enc("Hello"));
});

Deno.test("smpp submit: text is re-encoded: Latin-1 in GSM when it fits, UCS2 otherwise", () => {
  const [latin] = submitsFor(messageRecord({ dataCoding: 3, body: Uint8Array.of(0xe9, 0x21) }), 1);
  assert.equal(latin.body!.data_coding, 0);
  assert.deepEqual(sm(latin), Uint8Array.of(0x05, 0x21), "é is 0x05 in GSM 03.38");
  const [cyr] = submitsFor(messageRecord({ dataCoding: 8, body: ucs2("Привет") }), 1);
  assert.equal(cyr.body!.data_coding, 8);
  assert.deepEqual(sm(cyr), ucs2("Привет"));
});

Deno.test("smpp submit: a long text goes as UDH parts with one reference", () => {
  const parts = submitsFor(messageRecord({ body: enc("x".repeat(200)) }), 42);
  assert.equal(parts.length, 2);
  parts.forEach((p, i) => {
    assert.equal(p.body!.esm_class, 0x40);
    assert.deepEqual([...sm(p).subarray(0, 6)], [5, 0, 3, 42, 2, i + 1]);
  });
  assert.equal(sm(parts[0]).length - 6 + sm(parts[1]).length - 6, 200);
});

Deno.test("smpp submit: binary data goes as it came; over 254 octets in message_payload", () => {
  const body = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
  const [p] = submitsFor(messageRecord({ dataCoding: 4, body }), 1);
  assert.equal(p.body!.data_coding, 4);
  assert.equal(p.body!.short_message, undefined);
  assert.deepEqual(p.tlvs, [{ tag: Tag.message_payload, value: body }]);
  const udh = Uint8Array.of(5, 0, 3, 9, 2, 1, 0xca, 0xfe);
  const [q] = submitsFor(messageRecord({ dataCoding: 2, esmClass: 0x40, body: udh }), 1);
  assert.deepEqual([q.body!.esm_class, q.body!.data_coding], [0x40, 2]);
  assert.deepEqual(sm(q), udh);
});

Deno.test("smpp submit: one part of a concatenated message keeps its place (UDH or SAR)", () => {
  const udh = Uint8Array.of(5, 0, 3, 7, 3, 2);
  const [p] = submitsFor(
    messageRecord({ esmClass: 0x40, body: Uint8Array.of(...udh, ...enc("part two")) }),
    99,
  );
  assert.equal(p.body!.esm_class, 0x40);
  assert.deepEqual(sm(p), Uint8Array.of(...udh, ...enc("part two")));
  const [q] = submitsFor(
    messageRecord({
      body: enc("sar part"),
      concat: { group: "g", ref: 300, total: 2, seq: 1 },
    }),
    99,
  );
  assert.deepEqual([...sm(q).subarray(0, 7)], [6, 8, 4, 1, 44, 2, 1], "16-bit reference 300");
});

Deno.test("smpp submit: route overrides replace the message's TON/NPI", () => {
  const [p] = submitsFor(messageRecord(), 1, { sourceTon: 1, sourceNpi: 1, destTon: 0 });
  const b = p.body!;
  assert.deepEqual([b.source_addr_ton, b.source_addr_npi, b.dest_addr_ton, b.dest_addr_npi], [
    1,
    1,
    0,
    1,
  ]);
});

const resp = (status: number, id = "") =>
  ({
    status: "fulfilled",
    value: { command: "submit_sm_resp", status, body: { message_id: id } } as Pdu,
  }) as const;

Deno.test("smpp outcome: answers decide hand-over, retry or refusal", () => {
  assert.deepEqual(verdict([resp(0, "a"), resp(0, "b")], true), {
    kind: "handed",
    ids: ["a", "b"],
  });
  assert.equal(verdict([resp(0x58)], true).kind, "temporary");
  assert.equal(verdict([resp(0x14)], true).kind, "temporary");
  assert.equal(verdict([resp(0x08)], true).kind, "temporary");
  const lost = { status: "rejected", reason: new LinkClosed("gone") } as const;
  assert.deepEqual(verdict([resp(0, "a"), lost], true), { kind: "temporary", reason: "gone" });
  assert.equal(verdict([resp(0, "a")], false).kind, "temporary", "not every part was sent");
  assert.deepEqual(verdict([resp(0x58), resp(0x0b)], true), {
    kind: "permanent",
    err: "011",
    reason: "ESME_RINVDSTADR (0x0b)",
  });
  const nack = {
    status: "fulfilled",
    value: { command: "generic_nack", status: 3, body: {} } as Pdu,
  } as const;
  assert.equal(verdict([nack], true).kind, "permanent");
  const tooLong = { status: "rejected", reason: new RangeError("too long") } as const;
  assert.deepEqual(verdict([tooLong], true), {
    kind: "permanent",
    err: "000",
    reason: "RangeError: too long",
  });
  assert.deepEqual([errCode(0x0b), errCode(0x45), errCode(0x400)], ["011", "069", "999"]);
});

Deno.test("smpp delayed: items come due in time order, stop drops them", async () => {
  const got: string[][] = [];
  const { promise, resolve } = Promise.withResolvers<void>();
  const d = new Delayed<string>((items) => {
    got.push(items);
    if (got.flat().length === 3) resolve();
  });
  const now = Date.now();
  d.add("c", now + 30);
  d.add("a", now - 10);
  d.add("b", now + 10);
  await within(promise, 2000, "three due");
  assert.deepEqual(got.flat(), ["a", "b", "c"]);
  d.add("never", Date.now() + 10_000);
  d.stop();
  assert.equal(d.size, 0);
});

Deno.test("smpp handovers: an early receipt waits for its hand-over, unknown ids do not wait", async () => {
  const h = new Handovers();
  assert.equal(await h.waitFor(["x"], 10_000), "unknown");
  h.begin("a");
  const waiting = h.waitFor(["A", "a"], 10_000);
  h.stored("a");
  assert.equal(await waiting, "stored");
  assert.equal(await h.waitFor(["a"], 10_000), "stored", "recently stored");
  h.begin("b");
  assert.equal(await h.waitFor(["b"], 20), "pending");
  const dropped = h.waitFor(["b"], 10_000);
  h.dropped("b");
  assert.equal(await dropped, "unknown");
  h.stop();
});

Deno.test("smpp submit: the kept TLVs go on every part after the route's own, none to a 3.3 upstream", () => {
  const kept = [
    intTlv(Tag.source_port, 8080, 2),
    { tag: 0x1400, value: Uint8Array.of(1, 2, 3) },
  ];
  const [one] = submitsFor(messageRecord({ body: enc("Hello"), tlvs: kept }), 1);
  assert.deepEqual(one.tlvs, kept);
  const parts = submitsFor(messageRecord({ body: enc("x".repeat(200)), tlvs: kept }), 5);
  assert.equal(parts.length, 2);
  for (const p of parts) assert.deepEqual(p.tlvs, kept);
  const body = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
  // Stored apart, so never in `tlvs` from the intake; a stray one still does not go on.
  const stray = [
    { tag: Tag.message_payload, value: Uint8Array.of(1) },
    intTlv(Tag.user_message_reference, 7, 2),
    intTlv(Tag.sar_total_segments, 2),
  ];
  const [bin] = submitsFor(messageRecord({ dataCoding: 4, body, tlvs: [...kept, ...stray] }), 1);
  assert.deepEqual(bin.tlvs, [{ tag: Tag.message_payload, value: body }, ...kept]);
  const [old] = submitsFor(messageRecord({ body: enc("Hello"), tlvs: kept }), 1, {
    interfaceVersion: 0x33,
  });
  assert.equal(old.tlvs, undefined, "a 3.3 upstream gets no TLVs");
  const [plain] = submitsFor(messageRecord({ body: enc("Hello") }), 1, { interfaceVersion: 0x34 });
  assert.equal(plain.tlvs, undefined, "no TLVs: none sent");
});
