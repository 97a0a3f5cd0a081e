/** Stored records for tests, with plain defaults; pass the fields a test is about. */
import { decodeMessage } from "../../lib/store/layouts.ts";
import { decodeMessagePage } from "../../lib/store/pages.ts";
import type { MessageRecord, ReceiptRecord } from "../../lib/store/records.ts";

/** When this module was loaded: the default submit time of {@link messageRecord}. */
const LOADED_AT = Date.now();

/** A stored message of account "acme", accepted now (a 36-character text asking for a receipt). */
export function messageRecord(over: Partial<MessageRecord> = {}): MessageRecord {
  return {
    id: "1764370000123000001",
    account: "acme",
    route: "simulator",
    serviceType: "",
    source: { ton: 5, npi: 0, addr: "Acme" },
    dest: { ton: 1, npi: 1, addr: "447700900123" },
    esmClass: 0,
    protocolId: 0,
    priority: 0,
    registeredDelivery: 1,
    dataCoding: 0,
    body: new TextEncoder().encode("Hello from the smppgw load generator"),
    parts: 1,
    preview: "Hello from the smppg",
    // Recent: a job of a route is EXPIRED once its validity (72 h by default) has passed. One
    // value for the whole test run, so two records built alike are equal.
    submitAt: LOADED_AT,
    ...over,
  };
}

/** A queued DELIVRD receipt for account "acme" (addresses swapped from {@link messageRecord}). */
export function receiptRecord(over: Partial<ReceiptRecord> = {}): ReceiptRecord {
  return {
    messageId: "1764370000123000001",
    account: "acme",
    source: { ton: 1, npi: 1, addr: "447700900123" },
    dest: { ton: 5, npi: 0, addr: "Acme" },
    submitAt: 1_764_370_000_123,
    doneAt: 1_764_370_001_623,
    stat: "DELIVRD",
    err: "000",
    preview: "Hello from the smppg",
    attempts: 0,
    createdAt: 1_764_370_001_623,
    ...over,
  };
}

/** Every message stored in `kv` (in message pages or on its own keys), by id, in id order. */
export async function storedMessages(kv: Deno.Kv): Promise<Map<string, MessageRecord>> {
  const out = new Map<string, MessageRecord>();
  for await (const e of kv.list({ prefix: ["msg"] })) {
    out.set(String(e.key[1]), decodeMessage(String(e.key[1]), e.value).message);
  }
  for await (const e of kv.list<Uint8Array>({ prefix: ["mpage"] })) {
    for (const m of decodeMessagePage(e.value).messages) {
      out.set(m.id, decodeMessage(m.id, m.value).message);
    }
  }
  return out;
}
