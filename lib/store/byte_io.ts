/**
 * Sequential writer and reader for the store's byte layouts: fixed-width big-endian numbers,
 * strings as a 16-bit length and UTF-8, byte arrays as a 32-bit length and the octets.
 *
 * ```ts
 * const w = new ByteWriter(16);
 * w.u8(1).str("acme").f64(1700000000000);
 * const r = new ByteReader(w.done());
 * console.log(r.u8(), r.str(), r.f64()); // 1 "acme" 1700000000000
 * ```
 */

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

/** The stored bytes do not hold what their layout says (truncated or corrupted). */
export class RecordError extends Error {
  /** A record error with the given message. */
  constructor(message: string) {
    super(message);
    this.name = "RecordError";
  }
}

/** Where floats are converted to big-endian octets (one shared scratch, no DataView per record). */
const SCRATCH = new DataView(new ArrayBuffer(8));
const SCRATCH_BYTES = new Uint8Array(SCRATCH.buffer);

/** Appends fields to a growing byte array. */
export class ByteWriter {
  #buf: Uint8Array;
  #o = 0;

  /** A writer whose first buffer holds `size` octets (it grows when needed). */
  constructor(size: number) {
    this.#buf = new Uint8Array(size);
  }

  #room(n: number) {
    if (this.#o + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#o + n));
    // The whole buffer: str() may have written past #o already.
    next.set(this.#buf);
    this.#buf = next;
  }

  /** One octet. */
  u8(v: number): this {
    this.#room(1);
    this.#buf[this.#o++] = v;
    return this;
  }

  /** An unsigned 16-bit number. */
  u16(v: number): this {
    this.#room(2);
    this.#buf[this.#o++] = v >>> 8;
    this.#buf[this.#o++] = v;
    return this;
  }

  /** A 64-bit float (times in ms since the epoch). */
  f64(v: number): this {
    this.#room(8);
    SCRATCH.setFloat64(0, v);
    this.#buf.set(SCRATCH_BYTES, this.#o);
    this.#o += 8;
    return this;
  }

  /** A string: 16-bit length, then UTF-8 (ASCII written directly). */
  str(s: string): this {
    this.#room(2 + s.length);
    let o = this.#o + 2;
    let i = 0;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      this.#buf[o++] = c;
    }
    if (i < s.length) {
      const rest = utf8.encode(s.slice(i));
      this.#room(2 + i + rest.length);
      this.#buf.set(rest, this.#o + 2 + i);
      o = this.#o + 2 + i + rest.length;
    }
    const n = o - this.#o - 2;
    if (n > 0xffff) throw new RangeError(`string of ${n} octets is too long for a record`);
    this.#buf[this.#o] = n >>> 8;
    this.#buf[this.#o + 1] = n;
    this.#o = o;
    return this;
  }

  /** A byte array: 32-bit length, then the octets. */
  bytes(b: Uint8Array): this {
    this.#room(4 + b.length);
    const n = b.length;
    this.#buf[this.#o] = n >>> 24;
    this.#buf[this.#o + 1] = n >>> 16;
    this.#buf[this.#o + 2] = n >>> 8;
    this.#buf[this.#o + 3] = n;
    this.#buf.set(b, this.#o + 4);
    this.#o += 4 + b.length;
    return this;
  }

  /**
   * Writes what `write` appends to this writer as a byte array (32-bit length first), without
   * building it apart first.
   */
  nested(write: (w: this) => void): this {
    this.#room(4);
    const at = this.#o;
    this.#o += 4;
    write(this);
    const n = this.#o - at - 4;
    this.#buf[at] = n >>> 24;
    this.#buf[at + 1] = n >>> 16;
    this.#buf[at + 2] = n >>> 8;
    this.#buf[at + 3] = n;
    return this;
  }

  /** The bytes written (a view of the buffer: no copy). */
  done(): Uint8Array {
    return this.#buf.subarray(0, this.#o);
  }
}

/** Reads fields in the order a {@link ByteWriter} wrote them; throws RecordError past the end. */
export class ByteReader {
  readonly #buf: Uint8Array;
  readonly #view: DataView;
  #o = 0;

  /** A reader over `buf`. */
  constructor(buf: Uint8Array) {
    this.#buf = buf;
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  #need(n: number) {
    if (this.#o + n > this.#buf.length) {
      throw new RecordError(`record truncated at octet ${this.#o} (needs ${n} more)`);
    }
  }

  /** One octet. */
  u8(): number {
    this.#need(1);
    return this.#buf[this.#o++];
  }

  /** An unsigned 16-bit number. */
  u16(): number {
    this.#need(2);
    const v = this.#view.getUint16(this.#o);
    this.#o += 2;
    return v;
  }

  /** A 64-bit float. */
  f64(): number {
    this.#need(8);
    const v = this.#view.getFloat64(this.#o);
    this.#o += 8;
    return v;
  }

  /** A string written by {@link ByteWriter.str}. */
  str(): string {
    const n = this.u16();
    this.#need(n);
    const start = this.#o;
    this.#o += n;
    let ascii = n <= 64;
    for (let i = start; ascii && i < this.#o; i++) {
      if (this.#buf[i] >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (!ascii) return utf8Decoder.decode(this.#buf.subarray(start, this.#o));
    return String.fromCharCode.apply(
      null,
      this.#buf.subarray(start, this.#o) as unknown as number[],
    );
  }

  /** Skips a byte array written by {@link ByteWriter.bytes}. */
  skipBytes(): void {
    this.#need(4);
    const n = this.#view.getUint32(this.#o);
    this.#need(4 + n);
    this.#o += 4 + n;
  }

  /** A byte array written by {@link ByteWriter.bytes} (a copy, independent of the record). */
  bytes(): Uint8Array {
    this.#need(4);
    const n = this.#view.getUint32(this.#o);
    this.#need(4 + n);
    const out = this.#buf.slice(this.#o + 4, this.#o + 4 + n);
    this.#o += 4 + n;
    return out;
  }
}
