/**
 * Health check between fuzz batches: the gateway still binds and accepts a submit_sm, and the
 * messages it acknowledged since the last check are in storage (all of them again at the end).
 */
import { encode } from "../../../lib/smpp/codec.ts";
import type { RunSettings } from "./driver.ts";
import { ReplyChecker } from "./oracle.ts";
import { transceiverBind } from "./templates.ts";
import { Wire } from "./wire.ts";

/** Read access to the gateway's stored messages (the gateway's `Store` fits). */
export interface MessageStore {
  /** The stored message, or null. */
  message(id: string): Promise<{ body: Uint8Array } | null>;
}

/**
 * The message_ids the gateway acknowledged with ESME_ROK, with the body when known. Each is
 * looked up in storage at the next health check, and every one again by the final check, so a
 * run's storage checks grow with its messages, not with messages times checks.
 */
export class Acked {
  readonly #all = new Map<string, Uint8Array | null>();
  #unchecked: string[] = [];

  /** Acknowledged messages so far. */
  get size(): number {
    return this.#all.size;
  }

  /** Records an acknowledged id; false when the gateway had already given out that id. */
  add(id: string, body: Uint8Array | null = null): boolean {
    if (this.#all.has(id)) return false;
    this.#all.set(id, body);
    this.#unchecked.push(id);
    return true;
  }

  /** The ids to look up: those added since the last call, or every one when `all`. */
  take(all: boolean): [string, Uint8Array | null][] {
    const ids = all ? [...this.#all.keys()] : this.#unchecked;
    this.#unchecked = [];
    return ids.map((id) => [id, this.#all.get(id)!]);
  }
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
    {
      replies: [],
      mustClose: false,
      mayBeBound: true,
      cleanEnd: true,
      endsBound: true,
      settled: true,
    },
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

/** Looks up `ids` in `store`; returns what is missing or changed. */
async function checkStored(
  store: MessageStore,
  ids: [string, Uint8Array | null][],
): Promise<string[]> {
  const failures: string[] = [];
  // A few lookups at a time: the final check may cover tens of thousands of messages.
  for (let i = 0; i < ids.length; i += 64) {
    const slice = ids.slice(i, i + 64);
    const found = await Promise.all(slice.map(([id]) => store.message(id)));
    slice.forEach(([id, text], j) => {
      const m = found[j];
      if (!m) failures.push(`health: message ${id} acknowledged but missing from storage`);
      else if (text && m.body.join() !== text.join()) {
        failures.push(`health: message ${id} body changed`);
      }
    });
  }
  return failures;
}

/**
 * A fresh session binds, submits, unbinds; then the acknowledged messages not checked yet (all
 * of them when `all`) must be in storage.
 */
export async function healthCheck(
  o: RunSettings & { store?: MessageStore },
  acked: Acked,
  n: number,
  all = false,
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
    if (!acked.add(id, text)) failures.push(`health: message_id ${id} given out twice`);
    const u = await exchange(wire, encode({ command: "unbind", seq: 3 }), 3, 0x80000006, 3000);
    if (u?.status !== 0) failures.push(`health: unbind ${u ? `status ${u.status}` : "unanswered"}`);
  } finally {
    await wire.close();
  }
  if (o.store) failures.push(...await checkStored(o.store, acked.take(all)));
  return failures;
}
