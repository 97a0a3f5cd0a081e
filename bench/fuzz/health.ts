/**
 * Health check between fuzz batches: the gateway still binds and accepts a submit_sm, and every
 * message it acknowledged so far is still in storage.
 */
import { encode } from "../../lib/pdu/codec.ts";
import type { RunSettings } from "./driver.ts";
import { ReplyChecker } from "./oracle.ts";
import { transceiverBind } from "./templates.ts";
import { Wire } from "./wire.ts";

/** Read access to the gateway's stored messages (the gateway's `Store` fits). */
export interface MessageStore {
  /** The stored message, or null. */
  message(id: string): Promise<{ body: Uint8Array } | null>;
}

/** Sends one request on `wire` and waits for its response, answering the gateway's requests. */
async function exchange(
  wire: Wire,
  req: Uint8Array,
  seq: number,
  respId: number,
  ms: number,
): Promise<{ status: number; frame: Uint8Array } | null> {
  // Only used to answer the gateway's own requests (receipts, enquire_link).
  const checker = new ReplyChecker(
    { replies: [], mustClose: false, mayBeBound: true, cleanEnd: true },
    1 << 20,
  );
  await wire.write(req);
  const deadline = performance.now() + ms;
  let found: Uint8Array | null = null;
  while (true) {
    for (const f of wire.frames()) {
      const dv = new DataView(f.buffer, f.byteOffset);
      if (dv.getUint32(4) === respId && dv.getUint32(12) === seq) found = f;
      else {
        const answer = checker.frame(f);
        if (answer) await wire.write(answer);
      }
    }
    if (found || wire.closed || performance.now() >= deadline) break;
    await wire.wait(deadline - performance.now());
  }
  return found ? { status: new DataView(found.buffer).getUint32(8), frame: found } : null;
}

/**
 * A fresh session binds, submits, unbinds; then every message acknowledged so far (`stored`:
 * id → body, or null when the body is not known) must still be in storage.
 */
export async function healthCheck(
  o: RunSettings & { store?: MessageStore },
  stored: Map<string, Uint8Array | null>,
  n: number,
): Promise<string[]> {
  const failures: string[] = [];
  const wire = await Wire.connect(o.hostname, o.port);
  try {
    const bind = transceiverBind(o.credentials);
    const b = await exchange(wire, bind, 1, 0x80000009, o.replyTimeoutMs);
    if (b?.status !== 0) return [`health: bind ${b ? `status ${b.status}` : "unanswered"}`];
    const text = new TextEncoder().encode(`fuzz health check ${n}`);
    const submit = encode({
      command: "submit_sm",
      seq: 2,
      body: { source_addr: "Fuzz", destination_addr: "447700900123", short_message: text },
    });
    const s = await exchange(wire, submit, 2, 0x80000004, o.replyTimeoutMs);
    if (s?.status !== 0) return [`health: submit_sm ${s ? `status ${s.status}` : "unanswered"}`];
    const id = new TextDecoder().decode(s.frame.subarray(16, s.frame.length - 1));
    stored.set(id, text);
    const u = await exchange(wire, encode({ command: "unbind", seq: 3 }), 3, 0x80000006, 3000);
    if (u?.status !== 0) failures.push(`health: unbind ${u ? `status ${u.status}` : "unanswered"}`);
  } finally {
    await wire.close();
  }
  if (o.store) {
    for (const [id, text] of stored) {
      const m = await o.store.message(id);
      if (!m) failures.push(`health: message ${id} acknowledged but missing from storage`);
      else if (text && m.body.join() !== text.join()) {
        failures.push(`health: message ${id} body changed`);
      }
    }
  }
  return failures;
}
