/**
 * Coalescing writer: PDUs queued while a write is in flight (or in the same turn) leave in one
 * socket write, which matters when a group commit answers hundreds of requests at once.
 *
 * It also keeps the session's memory bounded: it counts the bytes not yet written, tells the
 * reader to pause above a bound ({@link CoalescingWriter.ready}), and measures how long output
 * has waited without a write completing ({@link CoalescingWriter.stalledMs}), so a peer that does
 * not read can be cut off.
 */
import { SESSION_DEFAULTS } from "../core/defaults.ts";
import { concatBytes } from "../smpp/bytes.ts";

/** Most bytes handed to the stream in one write; a stall is "no write of this size in N ms". */
export const WRITE_CHUNK = 64 * 1024;

/**
 * Queued parts are merged once this many pile up: a small Uint8Array costs some 300 bytes of
 * engine overhead, so 1 MiB of 16-byte responses kept apart would take 20 MB.
 */
export const MERGE_PARTS = 256;

/** Default bound on unsent output per connection. */
export const MAX_OUTPUT_BYTES = SESSION_DEFAULTS.maxOutputBytes;

/** Options of a {@link CoalescingWriter}. */
export interface WriterOptions {
  /** `ready()` holds the reader while this many bytes or more are unsent; it resumes at half. */
  maxBytes?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/** Writes byte chunks to a connection, batching those that arrive together. */
export class CoalescingWriter {
  readonly #write: (p: Uint8Array) => Promise<number>;
  readonly #onError: () => void;
  readonly #max: number;
  readonly #now: () => number;
  #out: Uint8Array[] = [];
  /** How many parts at the end of `#out` have not been merged yet. */
  #loose = 0;
  /** Bytes queued or in the write in flight. */
  #pending = 0;
  #writing: Promise<void> | null = null;
  /** When output last made progress (a write completed, or output started waiting). */
  #progressAt = 0;
  /** Set once the writer failed or was dropped: later bytes are discarded. */
  #dead = false;
  /** Woken when unsent output falls to half the bound, or the writer dies. */
  #readyWaiters: (() => void)[] = [];
  /** Woken when nothing is unsent any more, or the writer dies. */
  #drainWaiters: (() => void)[] = [];
  /** Set while the session handles the PDUs of one read: their output leaves together. */
  #corked = false;

  /**
   * Writes with `write` (which may write part of what it is given); `onError` runs once a write
   * fails (the peer is gone), and later bytes are dropped.
   */
  constructor(
    write: (p: Uint8Array) => Promise<number>,
    onError: () => void,
    opts: WriterOptions = {},
  ) {
    this.#write = write;
    this.#onError = onError;
    this.#max = opts.maxBytes ?? MAX_OUTPUT_BYTES;
    this.#now = opts.now ?? Date.now;
  }

  /** Bytes queued and not yet written. */
  get pending(): number {
    return this.#pending;
  }

  /** Queues bytes for the next write; dropped once the writer has failed or been dropped. */
  send(bytes: Uint8Array) {
    if (this.#dead) return;
    if (this.#pending === 0) this.#progressAt = this.#now();
    this.#out.push(bytes);
    if (++this.#loose >= MERGE_PARTS) {
      this.#out.push(concatBytes(this.#out.splice(this.#out.length - this.#loose)));
      this.#loose = 0;
    }
    this.#pending += bytes.length;
    if (!this.#corked) this.#writing ??= this.#flush();
  }

  /** Holds output back (it is queued) until {@link uncork}: the PDUs of one read answer together. */
  cork() {
    this.#corked = true;
  }

  /** Lets held output go in one write. */
  uncork() {
    if (!this.#corked) return;
    this.#corked = false;
    if (this.#out.length > 0) this.#writing ??= this.#flush();
  }

  /**
   * null while the reader may go on; otherwise (unsent output at or over the bound) a promise
   * that resolves once it has fallen to half the bound, or the writer died.
   */
  ready(): Promise<void> | null {
    if (this.#dead || this.#pending < this.#max) return null;
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#readyWaiters.push(resolve);
    return promise;
  }

  /** How long unsent output has waited without a write completing (0 when nothing is unsent). */
  stalledMs(now = this.#now()): number {
    return this.#pending === 0 || this.#dead ? 0 : now - this.#progressAt;
  }

  /** Resolves once everything queued so far is written (or dropped after an error or `drop()`). */
  drain(): Promise<void> {
    if (this.#pending === 0 || this.#dead) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#drainWaiters.push(resolve);
    return promise;
  }

  /**
   * Discards unsent bytes and every later one, releasing their memory, and wakes all waiters.
   * A write in flight stays pending until the stream is closed underneath (conn.close()).
   */
  drop() {
    if (this.#dead) return;
    this.#dead = true;
    this.#corked = false;
    this.#out = [];
    this.#loose = 0;
    this.#pending = 0;
    this.#wake();
  }

  #wake() {
    if (this.#dead || this.#pending <= this.#max / 2) {
      for (const w of this.#readyWaiters.splice(0)) w();
    }
    if (this.#dead || this.#pending === 0) {
      for (const w of this.#drainWaiters.splice(0)) w();
    }
  }

  /** Takes up to WRITE_CHUNK bytes off the queue (at least one part, whatever its size). */
  #take(): Uint8Array {
    let n = 0;
    let k = 0;
    while (k < this.#out.length && (k === 0 || n + this.#out[k].length <= WRITE_CHUNK)) {
      n += this.#out[k].length;
      k++;
    }
    const parts = this.#out.splice(0, k);
    this.#loose = Math.min(this.#loose, this.#out.length);
    return parts.length === 1 ? parts[0] : concatBytes(parts);
  }

  async #flush(): Promise<void> {
    // Let responses resolved in the same turn join one write.
    await Promise.resolve();
    try {
      while (this.#out.length > 0 && !this.#dead) {
        const bytes = this.#take();
        for (let off = 0; off < bytes.length && !this.#dead;) {
          off += await this.#write(bytes.subarray(off));
        }
        if (this.#dead) break;
        this.#pending -= bytes.length;
        this.#progressAt = this.#now();
        this.#wake();
      }
    } catch {
      if (!this.#dead) {
        this.drop();
        this.#onError();
      }
    } finally {
      this.#writing = null;
    }
  }
}
