import assert from "node:assert/strict";
import { concatBytes } from "../../lib/smpp/bytes.ts";
import { FrameError, readFrameBatches, readFrames, readFramesFrom } from "../../lib/smpp/frames.ts";
import { encode } from "../../lib/smpp/codec.ts";
import { Status } from "../../lib/smpp/status.ts";

async function* chunks(parts: Uint8Array[]) {
  for (const p of parts) yield p;
}

async function collect(parts: Uint8Array[], maxLength?: number): Promise<Uint8Array[]> {
  const out = [];
  for await (const f of readFrames(chunks(parts), { maxLength })) out.push(f.slice());
  return out;
}

const pdus = [
  encode({ command: "enquire_link", seq: 1 }),
  encode({
    command: "submit_sm",
    seq: 2,
    body: { destination_addr: "123", short_message: new Uint8Array(100) },
  }),
  encode({ command: "unbind", seq: 3 }),
];
const stream = concatBytes(pdus);

Deno.test("readFrames() yields whole PDUs when they arrive byte by byte", async () => {
  const got = await collect([...stream].map((b) => new Uint8Array([b])));
  assert.deepEqual(got, pdus);
});

Deno.test("readFrames() splits several PDUs coalesced into one chunk", async () => {
  assert.deepEqual(await collect([stream]), pdus);
});

Deno.test("readFrames() handles every split point of a two-chunk stream", async () => {
  for (let cut = 1; cut < stream.length; cut++) {
    assert.deepEqual(
      await collect([stream.slice(0, cut), stream.slice(cut)]),
      pdus,
      `cut at ${cut}`,
    );
  }
});

Deno.test("readFrames() throws ESME_RINVCMDLEN for command_length below 16", async () => {
  const bad = new Uint8Array([0, 0, 0, 8, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 4]);
  await assert.rejects(
    collect([bad]),
    (e: unknown) => e instanceof FrameError && e.status === Status.ESME_RINVCMDLEN && e.seq === 4,
  );
});

Deno.test("readFrames() throws for command_length over the cap before buffering it", async () => {
  const huge = new Uint8Array([0, 1, 0, 0, 0, 0, 0, 4]);
  await assert.rejects(
    collect([huge], 1000),
    (e: unknown) => e instanceof FrameError && e.seq === 0,
  );
});

Deno.test("readFrames() ends quietly when the stream ends inside a PDU", async () => {
  assert.deepEqual(await collect([stream.slice(0, pdus[0].length + 5)]), [pdus[0]]);
});

/** A `read` that hands out `parts` in order, each over as many reads as the buffer needs. */
function reader(parts: Uint8Array[]): (p: Uint8Array) => Promise<number | null> {
  const queue = parts.map((x) => x.slice());
  return (p) => {
    while (queue.length > 0 && queue[0].length === 0) queue.shift();
    const head = queue[0];
    if (!head) return Promise.resolve(null);
    const n = Math.min(p.length, head.length);
    p.set(head.subarray(0, n));
    queue[0] = head.subarray(n);
    return Promise.resolve(n);
  };
}

async function collectFrom(parts: Uint8Array[], maxLength?: number): Promise<Uint8Array[]> {
  const out = [];
  for await (const f of readFramesFrom(reader(parts), { maxLength })) out.push(f.slice());
  return out;
}

Deno.test("readFramesFrom() yields the same PDUs as readFrames() at every split point", async () => {
  assert.deepEqual(await collectFrom([stream]), pdus);
  assert.deepEqual(await collectFrom([...stream].map((b) => Uint8Array.of(b))), pdus);
  for (let cut = 1; cut < stream.length; cut++) {
    const got = await collectFrom([stream.subarray(0, cut), stream.subarray(cut)]);
    assert.deepEqual(got, pdus, `split at ${cut}`);
  }
});

Deno.test("readFramesFrom() grows its buffer for a 64 KiB PDU and for a stream of many", async () => {
  const big = encode({
    command: "submit_sm",
    seq: 9,
    body: { destination_addr: "1" },
    tlvs: [{ tag: 0x0424, value: new Uint8Array(65535).fill(7) }],
  });
  const many = Array.from({ length: 3000 }, (_, i) => encode({ command: "enquire_link", seq: i }));
  const got = await collectFrom([concatBytes([...pdus, big, ...many])]);
  assert.equal(got.length, pdus.length + 1 + many.length);
  assert.deepEqual(got[pdus.length], big);
  assert.deepEqual(got.at(-1), many.at(-1));
});

Deno.test("readFramesFrom() throws FrameError for command_length over the cap", async () => {
  const bad = Uint8Array.of(0, 1, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 5);
  await assert.rejects(collectFrom([pdus[0], bad], 4096), (e: unknown) => {
    assert.ok(e instanceof FrameError);
    assert.equal(e.status, Status.ESME_RINVCMDLEN);
    assert.equal(e.seq, 5);
    return true;
  });
});

Deno.test("readFrameBatches() yields the whole PDUs of each read together, then a bad length's error", async () => {
  const bad = Uint8Array.of(0, 1, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 5);
  const batches: number[][] = [];
  const reads = reader([
    concatBytes([pdus[0], pdus[1], pdus[2].subarray(0, 4)]),
    pdus[2].subarray(4),
    concatBytes([pdus[0], bad]),
  ]);
  await assert.rejects(async () => {
    for await (const frames of readFrameBatches(reads, { maxLength: 4096 })) {
      batches.push(frames.map((f) => f[15]));
    }
  }, FrameError);
  // Sequence numbers per batch: two whole PDUs, the one completed by the second read, then the
  // PDU before the bad header.
  assert.deepEqual(batches, [[1, 2], [3], [1]]);
});
