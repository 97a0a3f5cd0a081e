/** The HTTP route's templates: placeholder values of a job, filling params, provider-id paths. */
import assert from "node:assert/strict";
import {
  atPath,
  fillParams,
  placeholderValues,
  templateProblems,
} from "../../lib/routes/http/template.ts";
import { intTlv, stringTlv, Tag } from "../../lib/smpp/tlvs.ts";
import { messageRecord } from "../support/records.ts";

Deno.test("placeholderValues() gives every placeholder of a text message", () => {
  const v = placeholderValues(messageRecord({ id: "99", esmClass: 3, parts: 2 }));
  assert.deepEqual(v, {
    id: "99",
    dest: "447700900123",
    source: "Acme",
    text: "Hello from the smppgw load generator",
    hex: Array.from(new TextEncoder().encode(v.text), (b) => b.toString(16).padStart(2, "0"))
      .join(""),
    dataCoding: "0",
    parts: "2",
    account: "acme",
    esmClass: "3",
    tlvs: "{}",
  });
});

Deno.test("placeholderValues() decodes UCS2 and leaves {text} empty for binary data", () => {
  const ucs2 = Uint8Array.of(0x00, 0xfc, 0x00, 0x62, 0x00, 0x65, 0x00, 0x72);
  assert.equal(placeholderValues(messageRecord({ body: ucs2, dataCoding: 8 })).text, "über");
  const bin = placeholderValues(
    messageRecord({ body: Uint8Array.of(0, 0xff, 0x10), dataCoding: 4 }),
  );
  assert.equal(bin.text, "");
  assert.equal(bin.hex, "00ff10");
  assert.equal(bin.dataCoding, "4");
});

Deno.test("placeholderValues() reads the text after a user data header", () => {
  const udh = [0x05, 0x00, 0x03, 0x2a, 0x02, 0x01];
  const body = Uint8Array.of(...udh, ...new TextEncoder().encode("part one"));
  const v = placeholderValues(messageRecord({ body, esmClass: 0x40, parts: 2 }));
  assert.equal(v.text, "part one");
  assert.ok(v.hex.startsWith("0500032a0201"), "{hex} is the user data as submitted");
});

Deno.test("fillParams() replaces placeholders, also mixed with text", () => {
  const values = { dest: "447700900123", id: "7", text: "a {dest} b" };
  assert.deepEqual(
    fillParams(
      { to: "+{dest}", ref: "id-{id}-{id}", t: "{text}", fixed: "K", odd: "{nope}" },
      values,
    ),
    { to: "+447700900123", ref: "id-7-7", t: "a {dest} b", fixed: "K", odd: "{nope}" },
    "a value is not filled again; unknown placeholders stay",
  );
  assert.deepEqual(fillParams({}, values), {});
});

Deno.test("atPath() reads a dotted path of a JSON reply as a string", () => {
  const reply = { messageId: "M1", data: { id: 42, list: [{ id: "L0" }] }, empty: "", nil: null };
  assert.equal(atPath(reply, "messageId"), "M1");
  assert.equal(atPath(reply, "data.id"), "42");
  assert.equal(atPath(reply, "data.list.0.id"), "L0");
  assert.equal(atPath(reply, "data.missing"), undefined);
  assert.equal(atPath(reply, "nil.id"), undefined);
  assert.equal(atPath(reply, "empty"), undefined);
  assert.equal(atPath(reply, "data"), undefined, "an object is no id");
  assert.equal(atPath("text", "messageId"), undefined);
  assert.equal(atPath(null, "messageId"), undefined);
});

Deno.test("placeholderValues() renders each TLV type: integers in decimal, cstr without its NUL, bytes and unknown tags in hex", () => {
  const job = messageRecord({
    tlvs: [
      intTlv(Tag.privacy_indicator, 3, 1), // u8
      intTlv(Tag.source_port, 65535, 2), // u16
      intTlv(Tag.qos_time_to_live, 0xfffffffe, 4), // u32
      stringTlv(Tag.receipted_message_id, "AB-1"), // cstr
      { tag: Tag.additional_status_info_text, value: Uint8Array.of(0x6f, 0x6b) }, // cstr, no NUL
      { tag: Tag.callback_num, value: Uint8Array.of(0x00, 0x0a, 0xff) }, // bytes
      { tag: 0x1400, value: Uint8Array.of(0xde, 0xad) }, // unknown
      { tag: 0x1400, value: Uint8Array.of(0xbe, 0xef) }, // a repeat: the first one counts
      { tag: Tag.dest_subaddress, value: new Uint8Array(0) }, // empty bytes
    ],
  });
  const v = placeholderValues(job);
  const fill = (t: string) => fillParams({ t }, v).t;
  assert.equal(fill("{tlv.privacy_indicator}"), "3");
  assert.equal(fill("{tlv.source_port}"), "65535");
  assert.equal(fill("{tlv.qos_time_to_live}"), "4294967294");
  assert.equal(fill("{tlv.receipted_message_id}"), "AB-1");
  assert.equal(fill("{tlv.additional_status_info_text}"), "ok");
  assert.equal(fill("{tlv.callback_num}"), "000aff");
  assert.equal(fill("{tlv.0x1400}"), "dead");
  assert.equal(fill("{tlv.dest_subaddress}"), "");
  assert.equal(fill("{tlv.0x20A}/{tlv.0x020a}"), "65535/65535", "a tag in any hex spelling");
  assert.equal(fill("<{tlv.destination_port}>"), "<>", "a TLV the message lacks is empty");
  assert.equal(fill("{tlv.nosuch} {other.x}"), "{tlv.nosuch} {other.x}", "unknown stays");
  assert.deepEqual(JSON.parse(fill("{tlvs}")), {
    privacy_indicator: "3",
    source_port: "65535",
    qos_time_to_live: "4294967294",
    receipted_message_id: "AB-1",
    additional_status_info_text: "ok",
    callback_num: "000aff",
    "0x1400": "dead",
    dest_subaddress: "",
  });
  assert.equal(placeholderValues(messageRecord()).tlvs, "{}", "no TLVs: an empty object");
});

Deno.test("templateProblems() names {tlv.…} placeholders of no TLV or of one routes never get", () => {
  assert.deepEqual(templateProblems("{tlv.source_port} {tlv.0x1400} {tlvs} {nope}"), []);
  const [unknown] = templateProblems("x{tlv.nosuch}");
  assert.match(unknown, /^\{tlv\.nosuch\} names no TLV/);
  assert.equal(templateProblems("{tlv.0x12345} {tlv.} {tlv.a-b}").length, 3);
  for (const name of ["message_payload", "sar_msg_ref_num", "user_message_reference", "0x0424"]) {
    assert.match(templateProblems(`{tlv.${name}}`)[0], /is not passed to routes/, name);
  }
});
