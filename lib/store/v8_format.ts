/**
 * V8's value serialization format (v8/src/objects/value-serializer.cc): its tags, typed array
 * kinds and versions, shared by lib/store/v8_encode.ts and lib/store/v8_decode.ts.
 */

/** A value that V8's serializer would refuse, or bytes that are not V8-serialized data. */
export class V8CodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "V8CodecError";
  }
}

/** The format version written (read: 13 to 16). */
export const V8_WRITE_VERSION = 15;
/** The oldest format version read. */
export const MIN_VERSION = 13;
/** The newest format version read (what Deno 2 writes). */
export const MAX_VERSION = 16;

/** Tags, as char codes. */
export const T = {
  version: 0xff,
  padding: 0x00,
  verifyCount: 0x3f, // '?'
  hole: 0x2d, // '-'
  undefined: 0x5f, // '_'
  null: 0x30, // '0'
  true: 0x54, // 'T'
  false: 0x46, // 'F'
  int32: 0x49, // 'I'
  uint32: 0x55, // 'U'
  double: 0x4e, // 'N'
  bigint: 0x5a, // 'Z'
  utf8: 0x53, // 'S'
  oneByte: 0x22, // '"'
  twoByte: 0x63, // 'c'
  ref: 0x5e, // '^'
  object: 0x6f, // 'o'
  endObject: 0x7b, // '{'
  sparse: 0x61, // 'a'
  endSparse: 0x40, // '@'
  dense: 0x41, // 'A'
  endDense: 0x24, // '$'
  date: 0x44, // 'D'
  map: 0x3b, // ';'
  endMap: 0x3a, // ':'
  set: 0x27, // "'"
  endSet: 0x2c, // ','
  arrayBuffer: 0x42, // 'B'
  resizable: 0x7e, // '~'
  view: 0x56, // 'V'
} as const;

/** A typed array (or DataView) constructor. */
export type ViewCtor = new (buffer: ArrayBuffer, offset: number, length: number) => ArrayBufferView;

/** Typed array subtags and constructors (DataView is '?'). */
export const VIEWS: [number, ViewCtor, number][] = [
  [0x62, Int8Array, 1], // 'b'
  [0x42, Uint8Array, 1], // 'B'
  [0x43, Uint8ClampedArray, 1], // 'C'
  [0x77, Int16Array, 2], // 'w'
  [0x57, Uint16Array, 2], // 'W'
  [0x64, Int32Array, 4], // 'd'
  [0x44, Uint32Array, 4], // 'D'
  [0x66, Float32Array, 4], // 'f'
  [0x46, Float64Array, 8], // 'F'
  [0x71, BigInt64Array as unknown as ViewCtor, 8], // 'q'
  [0x51, BigUint64Array as unknown as ViewCtor, 8], // 'Q'
  [0x3f, DataView, 1], // '?'
];

/** Integers V8 writes as small integers ('I'); others are doubles ('N'). */
export const SMI_MIN = -(2 ** 30);
/** See {@link SMI_MIN}. */
export const SMI_MAX = 2 ** 30 - 1;
