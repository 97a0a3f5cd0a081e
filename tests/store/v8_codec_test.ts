/**
 * The V8 codec Bun uses for Deno KV values, checked against Deno KV itself: it reads what Deno KV
 * wrote, and Deno KV reads what it wrote (rows rewritten in the SQLite file).
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { decodeV8, encodeV8, V8CodecError } from "../../lib/store/v8_codec.ts";

const shared = new Uint8Array([1, 2, 3, 4, 5, 6]);
const cycle: Record<string, unknown> = { name: "loop" };
cycle.self = cycle;

/** What the gateway stores as V8 values, and the rest of what structured clone allows. */
const VALUES: unknown[] = [
  { systemId: "acme", maxSessions: 5, sourceAddrs: [], password: { alg: "x", iterations: 1 } },
  { owner: "3f2a", expiresAt: 1795919297591, node: 0 },
  { app: "smppgw", version: 3 },
  { a: 1, b: "x", c: [1, 2], d: true, e: null, f: undefined, g: 12345678901234, h: 1.5, "0": 5 },
  { body: shared.subarray(2, 4), parts: [null, { id: "7", seq: 2, preview: "é€" }] },
  "héllo",
  "€uro and 😀",
  "",
  0,
  -1,
  2 ** 30,
  -(2 ** 30) - 1,
  2 ** 53 + 2,
  -0,
  NaN,
  Infinity,
  10n,
  -(2n ** 70n),
  0n,
  [1, , 3],
  [],
  new Date(5),
  new Map<unknown, unknown>([[1, "a"], ["b", { c: 2 }]]),
  new Set(["x", 1]),
  [shared, shared],
  { x: { y: [] } },
  cycle,
  new Uint16Array([1, 65535]),
  new Float64Array([1.5]),
  new BigInt64Array([-1n]),
];

function equalish(actual: unknown, expected: unknown, what: string) {
  if (expected === cycle) {
    const o = actual as Record<string, unknown>;
    assert.equal(o.self, o, `${what}: the reference is kept`);
    return;
  }
  assert.deepEqual(actual, expected, what);
}

async function withDenoKv(fn: (path: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await fn(`${dir}/v.kv`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("decodeV8 reads every value as Deno KV stored it", async () => {
  await withDenoKv(async (path) => {
    const kv = await Deno.openKv(path);
    for (let i = 0; i < VALUES.length; i++) await kv.set(["v", i], VALUES[i]);
    kv.close();
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      const rows = db.prepare("SELECT v, v_encoding FROM kv ORDER BY k").all();
      assert.equal(rows.length, VALUES.length);
      // Keys sort ["v", 0], ["v", 1], … in number order.
      rows.forEach((r, i) => {
        assert.equal(r.v_encoding, 1, `value ${i} is V8-encoded`);
        equalish(decodeV8(r.v as Uint8Array), VALUES[i], `value ${i}`);
      });
    } finally {
      db.close();
    }
  });
});

Deno.test("Deno KV reads every value encodeV8 wrote", async () => {
  await withDenoKv(async (path) => {
    let kv = await Deno.openKv(path);
    for (let i = 0; i < VALUES.length; i++) await kv.set(["v", i], `placeholder ${i}`);
    kv.close();
    const db = new DatabaseSync(path);
    try {
      const keys = db.prepare("SELECT k FROM kv ORDER BY k").all();
      const update = db.prepare("UPDATE kv SET v = ? WHERE k = ?");
      keys.forEach((r, i) => update.run(encodeV8(VALUES[i]), r.k as Uint8Array));
    } finally {
      db.close();
    }
    kv = await Deno.openKv(path);
    try {
      for (let i = 0; i < VALUES.length; i++) {
        equalish((await kv.get(["v", i])).value, VALUES[i], `value ${i}`);
      }
    } finally {
      kv.close();
    }
  });
});

Deno.test("encodeV8 and decodeV8 round-trip, and refuse what V8 refuses", () => {
  for (const v of VALUES) equalish(decodeV8(encodeV8(v)), v, String(v));
  const big = "x".repeat(100_000) + "€";
  assert.equal(decodeV8(encodeV8(big)), big);
  assert.throws(() => encodeV8({ f: () => 1 }), V8CodecError);
  assert.throws(() => encodeV8(Symbol("s")), V8CodecError);
  assert.throws(() => decodeV8(new Uint8Array([1, 2])), V8CodecError);
  assert.throws(() => decodeV8(new Uint8Array([0xff, 0x0f, 0x6f])), V8CodecError);
  assert.throws(() => decodeV8(new Uint8Array([0xff, 0x0f, 0x5e, 0x03])), /reference/);
});
