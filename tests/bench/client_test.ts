/** The load generator's connection (bench/client.ts) against a scripted server over real TCP. */
import assert from "node:assert/strict";
import { LoadConn, type Shared } from "../../bench/client.ts";
import { concatBytes } from "../../lib/smpp/bytes.ts";
import { encode, peekHeader } from "../../lib/smpp/codec.ts";
import { CommandId } from "../../lib/smpp/commands.ts";
import { readFramesFrom } from "../../lib/smpp/frames.ts";
import { Tag } from "../../lib/smpp/tlvs.ts";
import { within } from "../support/wait.ts";

function receipt(seq: number, id: string): Uint8Array {
  return encode({
    command: "deliver_sm",
    seq,
    body: { source_addr: "a", destination_addr: "b", esm_class: 4 },
    tlvs: [{ tag: Tag.receipted_message_id, value: new TextEncoder().encode(`${id}\0`) }],
  });
}

Deno.test("LoadConn answers every deliver_sm of a read before the unbind_resp that followed them", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const seen: string[] = [];
  const server = (async () => {
    using conn = await listener.accept();
    for await (const f of readFramesFrom((p) => conn.read(p))) {
      const h = peekHeader(f);
      seen.push(`${h.commandId.toString(16)}#${h.seq}`);
      if (h.commandId === CommandId.bind_transceiver) {
        await conn.write(
          encode({ command: "bind_transceiver_resp", seq: h.seq, body: { system_id: "x" } }),
        );
      } else if (h.commandId === CommandId.submit_sm) {
        await conn.write(
          encode({ command: "submit_sm_resp", seq: h.seq, body: { message_id: "m" } }),
        );
        // Three receipts and the server's unbind in one write: one read on the client.
        const rest = [100, 101, 102].map((seq) => receipt(seq, `r${seq}`));
        await conn.write(concatBytes([...rest, encode({ command: "unbind", seq: 999 })]));
      } else if (h.commandId === CommandId.unbind_resp) return;
    }
  })();
  const shared: Shared = {
    receipts: 0,
    ids: new Set(),
    lastReceiptAt: 0,
    trackLatency: false,
    submittedAt: new Map(),
    receivedAt: new Map(),
    receiptLatencies: [],
  };
  const c = await LoadConn.connect({
    port: (listener.addr as Deno.NetAddr).port,
    systemId: "s",
    password: "p",
    window: 1,
    count: 1,
    registeredDelivery: 1,
    shared,
  });
  try {
    assert.equal(await c.bind(), 0);
    c.start();
    await within(c.done, 5000, "submit_sm_resp");
    await within(server, 5000, "unbind_resp");
  } finally {
    c.close();
  }
  assert.deepEqual(seen.slice(2), ["80000005#100", "80000005#101", "80000005#102", "80000006#999"]);
  assert.deepEqual([...shared.ids], ["r100", "r101", "r102"]);
});
