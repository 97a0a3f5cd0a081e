import assert from "node:assert/strict";
import { OutstandingRequests } from "../../lib/session/outstanding.ts";
import type { Pdu } from "../../lib/smpp/codec.ts";

Deno.test("OutstandingRequests.answer() matches on sequence number and command", async () => {
  const r = new OutstandingRequests();
  const seq = r.nextSeq();
  const p = r.wait(seq, 1000, 0x00000005); // deliver_sm
  const resp = { command: "deliver_sm_resp" } as unknown as Pdu;
  assert.equal(
    r.answer(seq, () => resp, 0x80000015),
    false,
    "an enquire_link_resp does not answer it",
  );
  assert.equal(
    r.answer(seq + 1, () => resp, 0x80000005),
    false,
    "another sequence number does not",
  );
  assert.equal(r.answer(seq, () => resp, 0x80000005), true);
  assert.equal(await p, resp);
  const q = r.wait(r.nextSeq(), 1000, 0x00000005);
  assert.equal(r.answer(seq + 1, () => resp, 0x80000000), true, "generic_nack answers any request");
  await q;
});
