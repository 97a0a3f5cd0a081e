import assert from "node:assert/strict";
import { concatBytes } from "../../lib/smpp/bytes.ts";
import { FrameError, readFrames } from "../../lib/smpp/frames.ts";
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
