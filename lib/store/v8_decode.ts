/** Reading values in V8's format (lib/store/v8_format.ts), as Deno KV stores them. */
import { MAX_VERSION, MIN_VERSION, T, V8CodecError, VIEWS } from "./v8_format.ts";

/**
 * Reads V8-serialized bytes (as `Deno.openKv` stores them) back into a value.
 *
 * @example
 * ```ts
 * import { decodeV8 } from "./v8_codec.ts";
 * console.log(decodeV8(new Uint8Array([0xff, 0x0f, 0x22, 0x02, 0x68, 0x69]))); // "hi"
 * ```
 */
export function decodeV8(bytes: Uint8Array): unknown {
  return new Reader(bytes).top();
}

/** Reads one serialized value. */
class Reader {
  #b: Uint8Array;
  #o = 0;
  #version = 0;
  #objects: unknown[] = [];

  constructor(b: Uint8Array) {
    this.#b = b;
  }

  top(): unknown {
    if (this.#byte() !== T.version) throw new V8CodecError("not V8-serialized data (no header)");
    this.#version = this.#varint();
    if (this.#version < MIN_VERSION || this.#version > MAX_VERSION) {
      throw new V8CodecError(`unsupported V8 serialization version ${this.#version}`);
    }
    return this.#value();
  }

  #byte(): number {
    if (this.#o >= this.#b.length) throw new V8CodecError("V8-serialized data ends early");
    return this.#b[this.#o++];
  }

  #peek(): number | undefined {
    while (this.#b[this.#o] === T.padding) this.#o++;
    return this.#b[this.#o];
  }

  #varint(): number {
    let v = 0;
    let scale = 1;
    for (;;) {
      const b = this.#byte();
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 0x80;
    }
  }

  #take(n: number): Uint8Array {
    if (this.#o + n > this.#b.length) throw new V8CodecError("V8-serialized data ends early");
    const s = this.#b.subarray(this.#o, this.#o + n);
    this.#o += n;
    return s;
  }

  #double(): number {
    const s = this.#take(8);
    return new DataView(s.buffer, s.byteOffset, 8).getFloat64(0, true);
  }

  #add<V>(v: V): V {
    this.#objects.push(v);
    return v;
  }

  #value(): unknown {
    const v = this.#inner();
    // A view follows the buffer it is on (even one given by reference).
    if (v instanceof ArrayBuffer && this.#peek() === T.view) {
      this.#o++;
      return this.#view(v);
    }
    return v;
  }

  #inner(): unknown {
    this.#peek();
    const tag = this.#byte();
    switch (tag) {
      case T.verifyCount:
        this.#varint();
        return this.#inner();
      case T.undefined:
        return undefined;
      case T.null:
        return null;
      case T.true:
        return true;
      case T.false:
        return false;
      case T.int32: {
        const z = this.#varint();
        return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      }
      case T.uint32:
        return this.#varint();
      case T.double:
        return this.#double();
      case T.bigint:
        return this.#bigint();
      case T.oneByte:
        return latin1(this.#take(this.#varint()));
      case T.twoByte:
        return utf16(this.#take(this.#varint()));
      case T.utf8:
        return new TextDecoder().decode(this.#take(this.#varint()));
      case T.ref: {
        const id = this.#varint();
        if (id >= this.#objects.length) throw new V8CodecError(`bad object reference ${id}`);
        return this.#objects[id];
      }
      case T.object: {
        const o = this.#add<Record<string, unknown>>({});
        this.#properties(o, T.endObject);
        this.#varint();
        return o;
      }
      case T.dense: {
        const a = this.#add<unknown[]>(new Array(this.#varint()));
        for (let i = 0; i < a.length; i++) {
          if (this.#peek() === T.hole) this.#o++;
          else a[i] = this.#value();
        }
        this.#properties(a as unknown as Record<string, unknown>, T.endDense);
        this.#varint();
        this.#varint();
        return a;
      }
      case T.sparse: {
        const a = this.#add<unknown[]>(new Array(this.#varint()));
        this.#properties(a as unknown as Record<string, unknown>, T.endSparse);
        this.#varint();
        this.#varint();
        return a;
      }
      case T.date:
        return this.#add(new Date(this.#double()));
      case T.map: {
        const m = this.#add(new Map<unknown, unknown>());
        while (this.#peek() !== T.endMap) m.set(this.#value(), this.#value());
        this.#o++;
        this.#varint();
        return m;
      }
      case T.set: {
        const s = this.#add(new Set<unknown>());
        while (this.#peek() !== T.endSet) s.add(this.#value());
        this.#o++;
        this.#varint();
        return s;
      }
      case T.arrayBuffer:
        return this.#add(this.#take(this.#varint()).slice().buffer);
      case T.resizable: {
        const n = this.#varint();
        this.#varint(); // maximum length
        return this.#add(this.#take(n).slice().buffer);
      }
      default:
        throw new V8CodecError(
          `unsupported V8 serialization tag 0x${tag.toString(16)} at ${this.#o - 1}`,
        );
    }
  }

  #properties(o: Record<string, unknown>, end: number) {
    while (this.#peek() !== end) {
      const k = this.#value();
      o[String(k)] = this.#value();
    }
    this.#o++;
  }

  #bigint(): bigint {
    const bits = this.#varint();
    const digits = this.#take(bits >> 1);
    let v = 0n;
    for (let i = digits.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(digits[i]);
    return bits & 1 ? -v : v;
  }

  #view(buffer: ArrayBuffer): ArrayBufferView {
    const sub = this.#byte();
    const offset = this.#varint();
    const length = this.#varint();
    if (this.#version >= 14) this.#varint(); // flags
    const kind = VIEWS.find(([t]) => t === sub);
    if (!kind) throw new V8CodecError(`unsupported typed array tag 0x${sub.toString(16)}`);
    const [, ctor, size] = kind;
    return this.#add(new ctor(buffer, offset, ctor === DataView ? length : length / size));
  }
}

function latin1(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 8192) {
    s += String.fromCharCode(...b.subarray(i, i + 8192));
  }
  return s;
}

function utf16(b: Uint8Array): string {
  const codes = new Uint16Array(b.length >> 1);
  for (let i = 0; i < codes.length; i++) codes[i] = b[2 * i] | (b[2 * i + 1] << 8);
  let s = "";
  for (let i = 0; i < codes.length; i += 8192) {
    s += String.fromCharCode(...codes.subarray(i, i + 8192));
  }
  return s;
}
