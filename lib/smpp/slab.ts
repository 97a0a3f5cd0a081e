/**
 * Octets for PDUs on their way out: small ones are cut from a shared 64 KiB block instead of
 * each getting its own buffer (a typed array of its own costs ~0.6 µs to allocate here, a view of
 * a block ~0.05 µs). A region is handed out once and never reused, so it is zero-filled like a
 * new array; a block is freed when the last PDU cut from it is. Only for PDUs that are written
 * and dropped: one kept for long would keep its whole block alive.
 *
 * ```ts
 * import { outgoingBytes } from "./slab.ts";
 * const b = outgoingBytes(16);
 * console.log(b.length, b[0]); // 16 0
 * ```
 */

const BLOCK = 64 * 1024;
/** Larger PDUs get their own buffer. */
const SMALL = 1024;

let block = new Uint8Array(BLOCK);
let used = 0;

/** `size` zeroed octets for an outgoing PDU. */
export function outgoingBytes(size: number): Uint8Array {
  if (size > SMALL) return new Uint8Array(size);
  if (used + size > BLOCK) {
    block = new Uint8Array(BLOCK);
    used = 0;
  }
  const b = block.subarray(used, used + size);
  used += size;
  return b;
}
