import assert from "node:assert/strict";
import { Status } from "../../lib/smpp/status.ts";
import { Tag } from "../../lib/smpp/tlvs.ts";
import {
  GSM_BASIC,
  GSM_ESC,
  GSM_EXTENSION,
  gsmDecode,
  gsmEncode,
  pack7,
  ucs2Encode,
  userText,
} from "../../lib/text/mod.ts";
import { ACCOUNT, TestClient, testGateway } from "../support/client.ts";

const TEXT_FIELD = / text:(.*)$/;

async function bound(port: number, systemId = ACCOUNT.systemId, password = ACCOUNT.password) {
  const c = await TestClient.connect(port);
  assert.equal((await c.bind(systemId, password)).status, 0);
  return c;
}

function submitBytes(
  c: TestClient,
  dcs: number,
  bytes: Uint8Array,
  extra: Record<string, unknown> = {},
) {
  return c.request({
    command: "submit_sm",
    body: {
      source_addr: "Acme",
      destination_addr: "447700900123",
      registered_delivery: 1,
      data_coding: dcs,
      short_message: bytes,
      ...extra,
    },
  });
}

async function receiptTextOf(c: TestClient): Promise<string> {
  const d = await c.next();
  assert.equal(d.body.data_coding, 0, "receipts are always data_coding 0");
  const bytes = d.body.short_message as Uint8Array;
  assert.ok(bytes.every((b) => b < 0x80), "receipt bytes stay 7-bit");
  return gsmDecode(bytes).match(TEXT_FIELD)![1];
}

Deno.test("every coding is stored decoded and its receipt carries the first 20 characters", async () => {
  await using gw = await testGateway();
  const c = await bound(gw.addr.port);
  try {
    const cases: [number, Uint8Array, string, string][] = [
      [
        0,
        gsmEncode("Hello @ £5 {ok} €uro, more text")!,
        "Hello @ £5 {ok} €uro, more text",
        "Hello @ £5 {ok} €uro",
      ],
      [
        1,
        new TextEncoder().encode("plain ASCII text that is long"),
        "plain ASCII text that is long",
        "plain ASCII text tha",
      ],
      [3, Uint8Array.from("Café Ñandú", (ch) => ch.charCodeAt(0)), "Café Ñandú", "Café Ñand?"],
      [8, ucs2Encode("Hi 😀 Привет"), "Hi 😀 Привет", "Hi ? ??????"],
      [4, new Uint8Array([0xde, 0xad, 0xbe, 0xef]), "", ""],
    ];
    for (const [dcs, bytes, stored, field] of cases) {
      const r = await submitBytes(c, dcs, bytes);
      assert.equal(r.status, 0, `dcs ${dcs}`);
      const msg = await gw.gateway.store.message(r.body.message_id as string);
      assert.equal(userText(msg!).text ?? "", stored, `stored text for dcs ${dcs}`);
      assert.deepEqual(msg!.body, bytes);
      assert.equal(await receiptTextOf(c), field, `receipt text: for dcs ${dcs}`);
    }
  } finally {
    c.close();
  }
});

Deno.test("bytes invalid for their data_coding get 0x01 ESME_RINVMSGLEN", async () => {
  await using gw = await testGateway();
  const c = await bound(gw.addr.port);
  try {
    const bad: [number, number[]][] = [[8, [0x00, 0x41, 0x00]], [0, [0x41, 0x1b]], [0, [
      0x41,
      0x80,
    ]], [1, [0x41, 0xff]]];
    for (const [dcs, bytes] of bad) {
      assert.equal(
        (await submitBytes(c, dcs, new Uint8Array(bytes))).status,
        Status.ESME_RINVMSGLEN,
        `dcs ${dcs} ${bytes}`,
      );
    }
    assert.equal(
      (await submitBytes(c, 0xc7, new Uint8Array([1, 2, 3]))).status,
      0,
      "unknown codings are kept as bytes",
    );
  } finally {
    c.close();
  }
});

Deno.test("an account with gsmPacked decodes packed septets", async () => {
  await using gw = await testGateway({
    accounts: [{ systemId: "packed", password: "pw", gsmPacked: true }],
  });
  const c = await bound(gw.addr.port, "packed", "pw");
  try {
    const r = await submitBytes(c, 0, pack7(gsmEncode("hello")!));
    assert.equal(r.status, 0);
    assert.equal(
      userText((await gw.gateway.store.message(r.body.message_id as string))!).text,
      "hello",
    );
    assert.equal(await receiptTextOf(c), "hello");
  } finally {
    c.close();
  }
});

Deno.test("a 64 KiB message_payload is accepted and stored intact", async () => {
  await using gw = await testGateway();
  const c = await bound(gw.addr.port);
  try {
    const text = "0123456789".repeat(6553) + "abcde";
    const bytes = new TextEncoder().encode(text);
    assert.equal(bytes.length, 65535);
    const r = await c.request({
      command: "submit_sm",
      body: { source_addr: "Acme", destination_addr: "1", data_coding: 1, registered_delivery: 1 },
      tlvs: [{ tag: Tag.message_payload, value: bytes }],
    });
    assert.equal(r.status, 0);
    const msg = await gw.gateway.store.message(r.body.message_id as string);
    assert.equal(userText(msg!).text, text);
    assert.deepEqual(msg!.body, bytes);
    assert.equal(msg!.parts, Math.ceil(65535 / 134));
    assert.equal(await receiptTextOf(c), "01234567890123456789");
    const ucs = ucs2Encode("ж".repeat(32000));
    const r2 = await c.request({
      command: "submit_sm",
      body: { source_addr: "Acme", destination_addr: "1", data_coding: 8 },
      tlvs: [{ tag: Tag.message_payload, value: ucs }],
    });
    assert.equal(r2.status, 0);
    assert.equal(
      userText((await gw.gateway.store.message(r2.body.message_id as string))!).text,
      "ж".repeat(32000),
    );
  } finally {
    c.close();
  }
});

Deno.test("gsmDecode() reads random septets as the tables say, escapes and long texts included", () => {
  // The reference: the tables read one septet at a time, a string built by concatenation.
  const reference = (septets: Uint8Array) => {
    let out = "";
    for (let i = 0; i < septets.length; i++) {
      const s = septets[i];
      if (s !== GSM_ESC) out += GSM_BASIC[s];
      else {
        const code = septets[++i];
        out += GSM_EXTENSION[code] ?? (code === GSM_ESC ? " " : GSM_BASIC[code]);
      }
    }
    return out;
  };
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  for (const length of [0, 1, 2, 20, 160, 5000, 9000]) {
    for (let round = 0; round < 20; round++) {
      const septets = Uint8Array.from({ length }, () => next() % 128);
      if (length > 0 && septets[length - 1] === GSM_ESC) septets[length - 1] = 0x41;
      // An ESC just before the last septet makes the last one its code: still valid.
      assert.equal(gsmDecode(septets), reference(septets), `length ${length} round ${round}`);
    }
  }
});
