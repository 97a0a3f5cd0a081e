/**
 * The store marker: which program made a KV store, at which schema version. A store made by
 * something else, or by a newer smppgw, is refused before anything is written to it; a store of
 * an older schema is migrated once this process owns it.
 */
import { Keys, type Store } from "./store.ts";

/**
 * The schema this code reads and writes. 1: before markers; 2: numeric route checkpoints;
 * 3: messages, states and receipts as byte layouts (see layouts.ts); 4: message pages and state
 * runs (an older release would not find them); 5: inbound messages in the receipt outbox, message
 * validity, route retry and provider-id records; 6: message records with a second flags octet
 * (public ids, kept TLVs, Latin-1), replaced messages, 3.3 short ids and submit_multi lists. Records of earlier schemas are still read as they
 * are (V8-serialized objects, messages on their own keys), so they are not rewritten.
 */
export const SCHEMA_VERSION = 6;

/** The marker's value. */
export interface SchemaMarker {
  app: "smppgw";
  version: number;
}

/** The store cannot be used: not made by smppgw, or by a newer one. */
export class StoreError extends Error {
  /** A store error with the given message. */
  constructor(message: string) {
    super(message);
    this.name = "StoreError";
  }
}

/** First key parts of a schema-1 store (smppgw before store markers). */
const SCHEMA1_PREFIXES = new Set([
  "account",
  "msg",
  "msgbody",
  "msgtext",
  "state",
  "job",
  "ckpt",
  "dlr",
  "cpart",
  "joined",
  "partof",
  "quota",
  "ids",
  "lease",
]);

/**
 * The schema version of the store behind `kv` (0 for an empty store, 1 for an unmarked smppgw
 * store). Reads only. Throws StoreError for a store this code must not touch.
 */
export async function inspectStore(kv: Deno.Kv): Promise<number> {
  const marker = (await kv.get<SchemaMarker>(Keys.schema())).value;
  if (marker) {
    if (marker.app !== "smppgw" || !Number.isInteger(marker.version)) {
      throw new StoreError(
        `this KV store was not made by smppgw (marker ${JSON.stringify(marker)})`,
      );
    }
    if (marker.version > SCHEMA_VERSION) {
      throw new StoreError(
        `this KV store has schema version ${marker.version}, made by a newer smppgw; ` +
          `this one reads version ${SCHEMA_VERSION}`,
      );
    }
    return marker.version;
  }
  for await (const e of kv.list({ prefix: [] }, { limit: 20 })) {
    if (!SCHEMA1_PREFIXES.has(String(e.key[0]))) {
      throw new StoreError(
        `this KV store was not made by smppgw (it has no smppgw marker and holds key ${
          JSON.stringify(e.key.map(String))
        }); refusing to use it`,
      );
    }
    return 1;
  }
  return 0;
}

/** Brings a store of schema `from` (see {@link inspectStore}) to the current one; fenced. */
export async function migrate(store: Store, from: number): Promise<void> {
  if (from === SCHEMA_VERSION) return;
  if (from === 1) {
    // Route checkpoints were id strings; now they are numbers moved forward with a KV `max`.
    for await (const e of store.kv.list<unknown>({ prefix: Keys.checkpoints() })) {
      if (typeof e.value !== "string") continue;
      // Two steps (a crash between them only costs a full resume scan once).
      await commit(store.atomic().check(e).delete(e.key));
      await commit(store.atomic().max(e.key, e.value === "" ? 0n : BigInt(e.value)));
    }
  }
  const marker: SchemaMarker = { app: "smppgw", version: SCHEMA_VERSION };
  await commit(store.atomic().set(Keys.schema(), marker));
}

async function commit(op: Deno.AtomicOperation) {
  if (!(await op.commit()).ok) {
    throw new StoreError("migrating the KV store failed: another process changed it meanwhile");
  }
}
