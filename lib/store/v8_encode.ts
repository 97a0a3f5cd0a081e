/** Serializing values in V8's format (lib/store/v8_format.ts), as Deno KV stores them. */
import { SMI_MAX, SMI_MIN, T, V8_WRITE_VERSION, V8CodecError, VIEWS } from "./v8_format.ts";

/** A growable byte buffer. */
class Out {
  buf = new Uint8Array(256);
  n = 0;

  room(k: number) {
    if (this.n + k <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.n + k));
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }
  byte(b: number) {
    this.room(1);
    this.buf[this.n++] = b;
  }
  varint(v: number) {
    this.room(10);
    while (v >= 0x80) {
      this.buf[this.n++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.n++] = v;
  }
  bytes(b: Uint8Array) {
    this.room(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }
  double(v: number) {
    this.room(8);
    new DataView(this.buf.buffer, this.n, 8).setFloat64(0, v, true);
    this.n += 8;
  }
}

/**
 * Serializes `value` as V8 does (what `Deno.openKv` stores for values that are not bytes or u64).
 *
 * @example
 * ```ts
 * import { decodeV8, encodeV8 } from "./v8_codec.ts";
 * console.log(decodeV8(encodeV8({ owner: "a", expiresAt: 5 }))); // { owner: "a", expiresAt: 5 }
 * ```
 */
export function encodeV8(value: unknown): Uint8Array {
  const out = new Out();
  out.byte(T.version);
  out.varint(V8_WRITE_VERSION);
  const ids = new Map<object, number>();
  let next = 0;
  const write = (v: unknown): void => {
    switch (typeof v) {
      case "undefined":
        return out.byte(T.undefined);
      case "boolean":
        return out.byte(v ? T.true : T.false);
      case "number":
        return writeNumber(out, v);
      case "bigint":
        return writeBigInt(out, v);
      case "string":
        return writeString(out, v);
      case "object":
        break;
      default:
        throw new V8CodecError(`cannot serialize a ${typeof v}`);
    }
    if (v === null) return out.byte(T.null);
    const seen = ids.get(v);
    if (seen !== undefined) {
      out.byte(T.ref);
      return out.varint(seen);
    }
    if (ArrayBuffer.isView(v)) {
      // The buffer first (its own id), then the view on it; only the view's octets are kept.
      const sub = VIEWS.find(([, ctor]) => v instanceof ctor)?.[0];
      if (sub === undefined) throw new V8CodecError("cannot serialize this kind of typed array");
      next++;
      ids.set(v, next++);
      out.byte(T.arrayBuffer);
      out.varint(v.byteLength);
      out.bytes(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      out.byte(T.view);
      out.byte(sub);
      out.varint(0);
      out.varint(v.byteLength);
      return out.varint(0); // flags: fixed length, not backed by a resizable buffer
    }
    ids.set(v, next++);
    if (v instanceof ArrayBuffer) {
      out.byte(T.arrayBuffer);
      out.varint(v.byteLength);
      return out.bytes(new Uint8Array(v));
    }
    if (v instanceof Date) {
      out.byte(T.date);
      return out.double(v.getTime());
    }
    if (v instanceof Map) {
      out.byte(T.map);
      for (const [k, x] of v) {
        write(k);
        write(x);
      }
      out.byte(T.endMap);
      return out.varint(v.size * 2);
    }
    if (v instanceof Set) {
      out.byte(T.set);
      for (const x of v) write(x);
      out.byte(T.endSet);
      return out.varint(v.size);
    }
    if (Array.isArray(v)) {
      let dense = true;
      for (let i = 0; i < v.length && dense; i++) dense = i in v;
      if (dense) {
        out.byte(T.dense);
        out.varint(v.length);
        for (const x of v) write(x);
        out.byte(T.endDense);
        out.varint(0);
        return out.varint(v.length);
      }
      out.byte(T.sparse);
      out.varint(v.length);
      let n = 0;
      for (const k of Object.keys(v)) {
        writeKey(k);
        write((v as unknown as Record<string, unknown>)[k]);
        n++;
      }
      out.byte(T.endSparse);
      out.varint(n);
      return out.varint(v.length);
    }
    if (typeof (v as { then?: unknown }).then === "function" || v instanceof RegExp) {
      throw new V8CodecError(`cannot serialize a ${v.constructor?.name ?? "object"}`);
    }
    out.byte(T.object);
    const keys = Object.keys(v);
    for (const k of keys) {
      const x = (v as Record<string, unknown>)[k];
      if (typeof x === "function") throw new V8CodecError(`cannot serialize function ${k}`);
      writeKey(k);
      write(x);
    }
    out.byte(T.endObject);
    out.varint(keys.length);
  };
  const writeKey = (k: string) => {
    const i = Number(k);
    // Array-index keys are numbers in V8's format; the rest are strings.
    if (Number.isInteger(i) && i >= 0 && i < 2 ** 32 - 1 && String(i) === k) writeNumber(out, i);
    else writeString(out, k);
  };
  write(value);
  return out.buf.slice(0, out.n);
}

function writeNumber(out: Out, v: number) {
  if (Number.isInteger(v) && v >= SMI_MIN && v <= SMI_MAX && !Object.is(v, -0)) {
    out.byte(T.int32);
    out.varint(v >= 0 ? v * 2 : -v * 2 - 1); // zigzag
  } else {
    out.byte(T.double);
    out.double(v);
  }
}

function writeBigInt(out: Out, v: bigint) {
  const negative = v < 0n;
  let mag = negative ? -v : v;
  const words: bigint[] = [];
  while (mag > 0n) {
    words.push(mag & 0xffff_ffff_ffff_ffffn);
    mag >>= 64n;
  }
  out.byte(T.bigint);
  out.varint(words.length * 8 * 2 + (negative ? 1 : 0));
  out.room(words.length * 8);
  const dv = new DataView(out.buf.buffer);
  for (const w of words) {
    dv.setBigUint64(out.n, w, true);
    out.n += 8;
  }
}

function writeString(out: Out, s: string) {
  let oneByte = true;
  for (let i = 0; i < s.length && oneByte; i++) oneByte = s.charCodeAt(i) <= 0xff;
  if (oneByte) {
    out.byte(T.oneByte);
    out.varint(s.length);
    out.room(s.length);
    for (let i = 0; i < s.length; i++) out.buf[out.n++] = s.charCodeAt(i);
    return;
  }
  const size = s.length * 2;
  // V8 keeps two-byte string data 2-aligned with a padding tag before the string's tag.
  if ((out.n + 1 + varintSize(size)) & 1) out.byte(T.padding);
  out.byte(T.twoByte);
  out.varint(size);
  out.room(size);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out.buf[out.n++] = c & 0xff;
    out.buf[out.n++] = c >> 8;
  }
}

function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    n++;
  }
  return n;
}
