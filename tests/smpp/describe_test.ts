import assert from "node:assert/strict";
import { decode, encode } from "../../lib/smpp/codec.ts";
import { describePdu, redactBody } from "../../lib/smpp/describe.ts";
import { intTlv, Tag } from "../../lib/smpp/tlvs.ts";

Deno.test("a described PDU has its password redacted, octets in hex and TLVs by name", () => {
  const bind = decode(encode({
    command: "bind_transceiver",
    seq: 9,
    body: { system_id: "acme", password: "s3cret", interface_version: 0x34 },
  }));
  const d = describePdu(bind);
  assert.deepEqual([d.command, d.seq, d.status], ["bind_transceiver", 9, "ESME_ROK"]);
  assert.equal(d.body.password, "***");
  assert.equal(d.body.system_id, "acme");
  assert.equal(JSON.stringify(d).includes("s3cret"), false);
  const submit = decode(encode({
    command: "submit_sm",
    seq: 1,
    body: { short_message: Uint8Array.of(0x48, 0x69) },
    tlvs: [intTlv(Tag.user_message_reference, 7, 2), { tag: 0x1401, value: Uint8Array.of(1) }],
  }));
  assert.equal(describePdu(submit).body.short_message, "4869");
  assert.deepEqual(describePdu(submit).tlvs, { user_message_reference: "0007", "0x1401": "01" });
  assert.deepEqual(redactBody({ password: "x", a: 1 }), { password: "***", a: 1 });
});
