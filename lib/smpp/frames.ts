/** Frame reader: turns a byte stream into whole SMPP PDUs whatever the TCP chunking. */
import { concatBytes } from "./bytes.ts";
import { SmppError } from "./errors.ts";
import { Status } from "./status.ts";

/** Default cap on command_length: a full 64 KiB message_payload plus header and mandatory fields. */
export const MAX_PDU_LENGTH = 65536 + 512;

/** The stream cannot be framed any more (bad command_length); answer generic_nack and close. */
export class FrameError extends SmppError {
  /** sequence_number of the offending header, or 0 when it could not be read. */
  readonly seq: number;
  constructor(message: string, seq = 0) {
    super(Status.ESME_RINVCMDLEN, message);
    this.name = "FrameError";
    this.seq = seq;
  }
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/** Options for {@link readFrames}. */
export interface FrameOptions {
  /** Largest command_length accepted. */
  maxLength?: number;
  /** Called after every chunk with the octets of an incomplete PDU still buffered (0 = none). */
  onPartial?: (bytes: number) => void;
  /** readFramesFrom: called once every whole PDU read so far was handled, before reading more. */
  onIdle?: () => void;
}

/**
 * Yields each whole PDU (header included) read from `chunks`. Throws FrameError on a
 * command_length below 16 or above the cap; ends when the stream ends (a partial PDU is dropped).
 */
export async function* readFrames(
  chunks: AsyncIterable<Uint8Array>,
  opts: FrameOptions = {},
): AsyncGenerator<Uint8Array> {
  const max = opts.maxLength ?? MAX_PDU_LENGTH;
  let buf: Uint8Array = new Uint8Array(0);
  for await (const chunk of chunks) {
    buf = buf.length === 0 ? chunk : concatBytes([buf, chunk]);
    let off = 0;
    while (buf.length - off >= 4) {
      const len = u32(buf, off);
      if (len < 16 || len > max) {
        const seq = buf.length - off >= 16 ? u32(buf, off + 12) : 0;
        throw new FrameError(`command_length ${len} outside 16..${max}`, seq);
      }
      if (buf.length - off < len) break;
      yield buf.subarray(off, off + len);
      off += len;
    }
    buf = off === buf.length ? new Uint8Array(0) : buf.slice(off);
    opts.onPartial?.(buf.length);
  }
}

/** Octets of the first read buffer of {@link readFramesFrom}; it grows while reads fill it. */
const FIRST_BUFFER = 16 * 1024;
/** The read buffer grows to at most this (or to one whole PDU, when that is larger). */
const MAX_BUFFER = 128 * 1024;

/**
 * Yields each whole PDU (header included) read by `read` into one reused buffer: a yielded frame
 * is a view that stays valid only until the next one is asked for (decode copies what it keeps).
 * Throws FrameError like {@link readFrames}; ends when `read` returns null.
 */
export async function* readFramesFrom(
  read: (p: Uint8Array) => Promise<number | null>,
  opts: FrameOptions = {},
): AsyncGenerator<Uint8Array> {
  for await (const frames of readFrameBatches(read, opts)) yield* frames;
}

/**
 * {@link readFramesFrom} a read at a time: yields the whole PDUs of each read together (never an
 * empty batch), so a session handles them in one synchronous loop instead of one async step per
 * PDU. The frames are views valid until the next batch is asked for. A bad command_length throws
 * FrameError once the PDUs before it have been yielded.
 */
export async function* readFrameBatches(
  read: (p: Uint8Array) => Promise<number | null>,
  opts: FrameOptions = {},
): AsyncGenerator<Uint8Array[]> {
  const max = opts.maxLength ?? MAX_PDU_LENGTH;
  let buf = new Uint8Array(FIRST_BUFFER);
  let start = 0;
  let end = 0;
  while (true) {
    opts.onIdle?.();
    const n = await read(buf.subarray(end));
    if (n === null) return;
    end += n;
    const filled = end === buf.length;
    let need = 0;
    let bad: FrameError | null = null;
    const batch: Uint8Array[] = [];
    while (end - start >= 4) {
      const len = u32(buf, start);
      if (len < 16 || len > max) {
        const seq = end - start >= 16 ? u32(buf, start + 12) : 0;
        bad = new FrameError(`command_length ${len} outside 16..${max}`, seq);
        break;
      }
      if (end - start < len) {
        need = len;
        break;
      }
      batch.push(buf.subarray(start, start + len));
      start += len;
    }
    if (batch.length > 0) yield batch;
    if (bad) throw bad;
    // Keep the incomplete PDU at the front, in a buffer big enough for it and the next read.
    const rest = end - start;
    const size = Math.max(need, filled ? Math.min(buf.length * 2, MAX_BUFFER) : 0, buf.length);
    if (size > buf.length) {
      const next = new Uint8Array(size);
      next.set(buf.subarray(start, end));
      buf = next;
    } else if (start > 0) buf.copyWithin(0, start, end);
    start = 0;
    end = rest;
    opts.onPartial?.(rest);
  }
}
