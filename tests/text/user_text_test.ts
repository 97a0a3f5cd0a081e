import assert from "node:assert/strict";
import { Rng } from "../support/rng.ts";
import { SmppError } from "../../lib/smpp/errors.ts";
import {
  buildUdh,
  checkUserText,
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

Deno.test("checkUserText() refuses exactly what userText() refuses, with the same reason", () => {
  const rng = new Rng(0x7e7);
  let refused = 0;
  for (let i = 0; i < 4000; i++) {
    const esmClass = rng.pick([0, 0x40]);
    const text = new Uint8Array(rng.int(0, 40)).map(() =>
      rng.chance(0.95) ? rng.int(0, 0x7f) : rng.int(0, 255)
    );
    // With UDHI, mostly a well-formed concatenation header first.
    const udh = esmClass && rng.chance(0.8) ? [5, 0, 3, 1, 2, 1] : [];
    const m = {
      body: Uint8Array.from([...udh, ...text]),
      esmClass,
      dataCoding: rng.pick([0, 1, 3, 4, 8, 0xf0, 0xf4, 0x11, 0x33]),
      packed: rng.chance(0.2),
      latin1: rng.chance(0.2),
    };
    const reason = (f: () => unknown) => {
      try {
        f();
        return "ok";
      } catch (e) {
        return e instanceof SmppError ? `${e.status} ${e.message}` : `other ${e}`;
      }
    };
    const want = reason(() => userText(m));
    assert.equal(reason(() => checkUserText(m)), want, `case ${i}`);
    if (want !== "ok") refused++;
  }
  assert.ok(refused > 200, `${refused} refused`);
});
