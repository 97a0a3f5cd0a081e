/**
 * Coalescing writer: PDUs queued while a write is in flight (or in the same turn) leave in one
 * socket write, which matters when a group commit answers hundreds of requests at once.
 */
import { concatBytes } from "./bytes.ts";

/** Writes byte chunks to a stream, batching those that arrive together. */
export class CoalescingWriter {
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #onError: () => void;
  #out: Uint8Array[] = [];
  #writing: Promise<void> | null = null;

  /** `onError` runs once a write fails (the peer is gone); later bytes are dropped. */
  constructor(stream: WritableStream<Uint8Array>, onError: () => void) {
    this.#writer = stream.getWriter();
    this.#writer.closed.catch(() => {});
    this.#onError = onError;
  }

  /** Queues bytes for the next write. */
  send(bytes: Uint8Array) {
    this.#out.push(bytes);
    this.#writing ??= this.#flush();
  }

  /** Resolves once everything queued so far is written (or dropped after an error). */
  async drain(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  async #flush(): Promise<void> {
    // Let responses resolved in the same turn join one write.
    await Promise.resolve();
    try {
      while (this.#out.length > 0) {
        const parts = this.#out;
        this.#out = [];
        await this.#writer.write(parts.length === 1 ? parts[0] : concatBytes(parts));
      }
    } catch {
      this.#out = [];
      this.#onError();
    } finally {
      this.#writing = null;
    }
  }
}
