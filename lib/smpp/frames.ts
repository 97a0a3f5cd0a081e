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
