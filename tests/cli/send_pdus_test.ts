import assert from "node:assert/strict";
import { submitPdus } from "../../lib/cli/send_pdus.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import { decode, encode } from "../../lib/smpp/codec.ts";
import { concatInfo, parseUdh } from "../../lib/text/concat.ts";
import { decodeText } from "../../lib/text/coding.ts";

function decoded(pdus: ReturnType<typeof submitPdus>) {
  return pdus.map((p, i) => {
    const pdu = decode(encode({ ...p, seq: i + 1 }));
    assert.equal(pdu.command, "submit_sm");
    return pdu as Extract<typeof pdu, { command: "submit_sm" }>;
  });
}

Deno.test("a short text is one submit_sm in GSM 7-bit, a receipt asked only with dlr", () => {
  const [p] = decoded(
    submitPdus({ to: "+447700900123", from: "Acme", text: "Hi €", dlr: true }, 1),
  );
  assert.equal(p.body.data_coding, 0);
  assert.equal(p.body.esm_class, 0);
  assert.equal(p.body.registered_delivery, 1);
  assert.equal(decodeText(p.body.short_message, 0).text, "Hi €");
  assert.deepEqual([p.body.destination_addr, p.body.dest_addr_ton, p.body.dest_addr_npi], [
    "447700900123",
    1,
    1,
  ]);
  assert.deepEqual([p.body.source_addr, p.body.source_addr_ton, p.body.source_addr_npi], [
    "Acme",
    5,
    0,
  ]);
  const [q] = decoded(submitPdus({ to: "1", from: "", text: "x", dlr: false }, 1));
  assert.equal(q.body.registered_delivery, 0);
  assert.deepEqual([q.body.source_addr_ton, q.body.source_addr_npi], [0, 0]);
});

Deno.test("a long text is cut into parts with one concatenation reference and UDH", () => {
  const text = "0123456789".repeat(40); // 400 GSM characters: 3 parts of at most 153
  const pdus = decoded(submitPdus({ to: "1", from: "", text, dlr: false }, 200));
  assert.equal(pdus.length, 3);
  let joined = "";
  for (const [i, p] of pdus.entries()) {
    assert.equal(p.body.esm_class, 0x40);
    const c = concatInfo(p.body.esm_class, p.body.short_message, p.tlvs)!;
    assert.deepEqual([c.ref, c.total, c.seq], [200, 3, i + 1]);
    joined += decodeText(parseUdh(p.body.short_message).payload, 0).text;
  }
  assert.equal(joined, text);
});

Deno.test("the coding asked for is used, and a text it cannot hold is refused", () => {
  const ucs2 = decoded(
    submitPdus({ to: "1", from: "", text: "Hi", coding: "ucs2", dlr: false }, 1),
  );
  assert.equal(ucs2[0].body.data_coding, 8);
  const latin = decoded(
    submitPdus({ to: "1", from: "", text: "é", coding: "latin1", dlr: false }, 1),
  );
  assert.deepEqual([latin[0].body.data_coding, [...latin[0].body.short_message]], [3, [0xe9]]);
  assert.equal(
    decoded(submitPdus({ to: "1", from: "", text: "✓", dlr: false }, 1))[0].body.data_coding,
    8,
  );
  assert.throws(
    () => submitPdus({ to: "1", from: "", text: "✓", coding: "gsm", dlr: false }, 1),
    UsageError,
  );
  assert.throws(
    () => submitPdus({ to: "1", from: "", text: "x".repeat(40_000), dlr: false }, 1),
    /at most 255/,
  );
}); // deno-fmt-ignore
