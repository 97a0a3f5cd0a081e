/**
 * The submit_sm / deliver_sm fast path of decode() against the table-driven decoder: the same PDU
 * for every valid frame, the same SmppError (status and text) for every broken one.
 */
import assert from "node:assert/strict";
import { Rng } from "../support/rng.ts";
import { decode, decodeByTable, encode } from "../../lib/smpp/codec.ts";
import { SmppError } from "../../lib/smpp/errors.ts";
import { Tag } from "../../lib/smpp/tlvs.ts";

type Outcome = { pdu: unknown } | { status: number; message: string };

function outcome(f: (b: Uint8Array) => unknown, frame: Uint8Array): Outcome {
  try {
    return { pdu: f(frame) };
  } catch (e) {
    if (!(e instanceof SmppError)) throw e;
    return { status: e.status, message: e.message };
  }
}

function text(rng: Rng, max: number): string {
  let s = "";
  const n = rng.int(0, max);
  for (let i = 0; i < n; i++) s += String.fromCharCode(rng.int(0x20, 0xff));
  return s;
}

function time(rng: Rng): string {
  return rng.pick(["", "000001000000000R", "261129120000000+", text(rng, 20)]);
}

/** A submit_sm or deliver_sm, its fields sometimes past their limits. */
function randomFrame(rng: Rng): Uint8Array {
  const tlvs = [];
  for (let i = rng.int(0, 3); i > 0; i--) {
    const tag = rng.pick([
      Tag.user_message_reference,
      Tag.message_payload,
      0x1234,
      Tag.sar_msg_ref_num,
    ]);
    tlvs.push({ tag, value: new Uint8Array(rng.int(0, 4)).map(() => rng.int(0, 255)) });
  }
  return encode({
    command: rng.pick(["submit_sm", "deliver_sm"]),
    seq: rng.u32(),
    body: {
      service_type: text(rng, 7),
      source_addr_ton: rng.int(0, 255),
      source_addr_npi: rng.int(0, 255),
      source_addr: text(rng, 22),
      dest_addr_ton: rng.int(0, 255),
      dest_addr_npi: rng.int(0, 255),
      destination_addr: text(rng, 22),
      esm_class: rng.int(0, 255),
      protocol_id: rng.int(0, 255),
      priority_flag: rng.int(0, 255),
      schedule_delivery_time: time(rng),
      validity_period: time(rng),
      registered_delivery: rng.int(0, 255),
      replace_if_present_flag: rng.int(0, 255),
      data_coding: rng.int(0, 255),
      sm_default_msg_id: rng.int(0, 255),
      short_message: new Uint8Array(rng.int(0, 160)).map(() => rng.int(0, 255)),
    },
    tlvs,
  });
}

/** Breaks a frame: cut short (command_length kept or fixed), octets changed, length changed. */
function broken(rng: Rng, frame: Uint8Array): Uint8Array {
  const b = frame.slice();
  switch (rng.int(0, 3)) {
    case 0: {
      const cut = b.subarray(0, rng.int(16, b.length));
      if (rng.chance(0.5)) new DataView(cut.buffer).setUint32(0, cut.length);
      return cut;
    }
    case 1:
      for (let i = rng.int(1, 4); i > 0; i--) b[rng.int(16, b.length - 1)] = rng.int(0, 255);
      return b;
    case 2:
      new DataView(b.buffer).setUint32(0, rng.int(0, b.length + 8));
      return b;
    default:
      b[rng.int(16, b.length - 1)] = 0;
      return b;
  }
}

Deno.test("decode() reads submit_sm and deliver_sm as the command table does", () => {
  const rng = new Rng(0x5b3);
  for (let i = 0; i < 3000; i++) {
    const frame = randomFrame(rng);
    assert.deepEqual(outcome(decode, frame), outcome(decodeByTable, frame), `case ${i}`);
  }
});

Deno.test("decode() refuses broken submit_sm with the table decoder's status and reason", () => {
  const rng = new Rng(0x9e1);
  let refused = 0;
  for (let i = 0; i < 5000; i++) {
    const frame = broken(rng, randomFrame(rng));
    const fast = outcome(decode, frame);
    assert.deepEqual(fast, outcome(decodeByTable, frame), `case ${i}`);
    if ("status" in fast) refused++;
  }
  // The mutations reach the error paths, not only the happy one.
  assert.ok(refused > 1000, `${refused} refused`);
});
