/** The HTTP route's templates: placeholder values of a job, filling params, provider-id paths. */
import assert from "node:assert/strict";
import { atPath, fillParams, placeholderValues } from "../../lib/routes/http/template.ts";
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
