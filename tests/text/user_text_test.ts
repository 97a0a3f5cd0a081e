import assert from "node:assert/strict";
import {
  buildUdh,
  gsmEncode,
  pack7,
  ucs2Encode,
  udhFillBits,
  userText,
} from "../../lib/text/mod.ts";

Deno.test("userText() decodes the body by its data_coding", () => {
  assert.deepEqual(userText({ body: gsmEncode("héllo")!, esmClass: 0, dataCoding: 0 }), {
    kind: "text",
    text: "héllo",
  });
  assert.equal(userText({ body: ucs2Encode("Привет"), esmClass: 0, dataCoding: 8 }).text, "Привет");
  assert.deepEqual(userText({ body: Uint8Array.of(1, 2), esmClass: 0, dataCoding: 4 }), {
    kind: "binary",
    text: null,
  });
});

Deno.test("userText() leaves out the user data header when UDHI is set", () => {
  const body = Uint8Array.from([...buildUdh(7, 2, 1), ...gsmEncode("part one")!]);
  assert.equal(userText({ body, esmClass: 0x40, dataCoding: 0 }).text, "part one");
});

Deno.test("userText() unpacks packed GSM 7-bit user data", () => {
  const body = pack7(gsmEncode("hello")!);
  assert.equal(userText({ body, esmClass: 0, dataCoding: 0, packed: true }).text, "hello");
});

Deno.test("userText() reads packed GSM after a UDH from its septet boundary (03.40 fill bits)", () => {
  const udh = [0x05, 0x00, 0x03, 1, 2, 1];
  const packed = pack7(gsmEncode("Hello world")!, udhFillBits(udh.length));
  const r = userText({
    body: new Uint8Array([...udh, ...packed]),
    esmClass: 0x40,
    dataCoding: 0,
    packed: true,
  });
  assert.equal(r.text, "Hello world");
});
