/**
 * V8's value serialization format (the one `Deno.openKv` stores every value in that is not a
 * `Uint8Array` or a `KvU64`), in plain TypeScript: what `npm:@deno/kv` needs as `encodeV8` and
 * `decodeV8` on Bun, whose `node:v8` writes JavaScriptCore's format instead, so that a KV file is
 * shared between Deno and Bun. It covers what structured clone stores: primitives, bigints,
 * strings, plain objects, arrays (dense and sparse), Date, Map, Set, ArrayBuffer and typed arrays,
 * with shared references. Written as format version 15 (every V8 since 2021 reads it); versions 13
 * to 16 are read.
 */

export { V8_WRITE_VERSION, V8CodecError } from "./v8_format.ts";
export { encodeV8 } from "./v8_encode.ts";
export { decodeV8 } from "./v8_decode.ts";
