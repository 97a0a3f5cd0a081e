/**
 * Message pages: the messages accepted in one atomic write are stored together, a few hundred
 * per KV entry, instead of one entry each (a KV entry costs some 6 µs of CPU to write here,
 * whatever its size). A page's key is its first message id and it holds consecutive ids only
 * (ids are handed out in the order messages are written), so pages never overlap and a message
 * is found by reading the page with the greatest first id at or below its own.
 *
 * A page's value: a format octet, its last id, the count, then each message's id and record
 * (see layouts.ts writeMessage).
 */
import { ByteReader, ByteWriter, RecordError } from "./byte_io.ts";
import { messageSize, writeMessage } from "./layouts.ts";
import type { KeyedMutation } from "./mutation.ts";
import type { MessageRecord } from "./records.ts";

/** An accepted message's id and its stored record. */
export interface StoredMessage {
  id: string;
  /** The record (see layouts.ts encodeMessage). */
  value: Uint8Array;
}

/** Octets of records in one page at most (a KV value holds 64 KiB; one record at most ~61 KB). */
export const MESSAGE_PAGE_BYTES = 60_000;

const FORMAT = 1;

/** The key of a message stored on its own (ids went back; releases before message pages). */
export function messageKey(id: string): Deno.KvKey {
  return ["msg", id];
}

/** Orders message ids: by length, then as strings (for ids of one length, numeric order). */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The key of the page starting at message `first`. */
export function messagePageKey(first: string): Deno.KvKey {
  return ["mpage", first];
}

/**
 * Stores messages (in id order, consecutive ids) in as few pages as their size allows, each
 * record written straight into its page.
 */
export function messagePageOps(messages: readonly MessageRecord[]): KeyedMutation[] {
  const ops: KeyedMutation[] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < messages.length; i++) {
    const size = messageSize(messages[i]) + messages[i].id.length + 8;
    if (i > start && bytes + size > MESSAGE_PAGE_BYTES) {
      ops.push(pageOp(messages.slice(start, i)));
      start = i;
      bytes = 0;
    }
    bytes += size;
  }
  if (start < messages.length) ops.push(pageOp(messages.slice(start)));
  return ops;
}

function pageOp(messages: readonly MessageRecord[]): KeyedMutation {
  let size = 32;
  for (const m of messages) size += messageSize(m) + 3 * m.id.length + 6;
  const w = new ByteWriter(size).u8(FORMAT).str(messages[messages.length - 1].id)
    .u16(messages.length);
  for (const m of messages) w.str(m.id).nested((w) => writeMessage(w, m));
  return { type: "set", key: messagePageKey(messages[0].id), value: w.done() };
}

/** A page's messages (their records copied out of the page). */
export function decodeMessagePage(v: Uint8Array): { last: string; messages: StoredMessage[] } {
  const r = new ByteReader(v);
  const f = r.u8();
  if (f !== FORMAT) throw new RecordError(`message page has unknown format ${f}`);
  const last = r.str();
  const n = r.u16();
  const messages: StoredMessage[] = [];
  for (let i = 0; i < n; i++) messages.push({ id: r.str(), value: r.bytes() });
  return { last, messages };
}

/**
 * The record of message `id` in a page, or null (the page is read up to it, nothing else is
 * copied): finding one message costs a walk over the ids before it.
 */
export function findInMessagePage(v: Uint8Array, id: string): Uint8Array | null {
  const r = new ByteReader(v);
  const f = r.u8();
  if (f !== FORMAT) throw new RecordError(`message page has unknown format ${f}`);
  if (id > r.str()) return null;
  const n = r.u16();
  for (let i = 0; i < n; i++) {
    if (r.str() === id) return r.bytes();
    r.skipBytes();
  }
  return null;
}
