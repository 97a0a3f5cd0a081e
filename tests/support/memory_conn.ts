/**
 * An in-memory connection for unit tests: two {@link MemoryConn} ends joined back to back, each a
 * lib/transport/conn.ts `Conn`, so a session (or anything else that takes a `Conn`) runs without
 * TCP. Bytes written to one end are read from the other, in order, as written.
 */
import type { Conn } from "../../lib/transport/conn.ts";

/** A write to an end that has been closed (by either side), like a reset socket. */
export class MemoryConnClosed extends Error {
  constructor() {
    super("memory connection closed");
    this.name = "MemoryConnClosed";
  }
}

/** One direction: what is written to `writable` is read from `readable`. Unbounded. */
class Pipe {
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #ended = false;
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;

  constructor() {
    this.readable = new ReadableStream<Uint8Array>({
      start: (c) => {
        this.#controller = c;
      },
      cancel: () => {
        this.#ended = true;
      },
    });
    this.writable = new WritableStream<Uint8Array>({
      write: (chunk) => {
        if (this.#ended) throw new MemoryConnClosed();
        // A copy: the writer may reuse its buffer once the write resolved.
        this.#controller.enqueue(chunk.slice());
      },
      close: () => this.end(),
    });
  }

  /** Ends the direction: the reader gets what is queued, then the end; later writes fail. */
  end() {
    if (this.#ended) return;
    this.#ended = true;
    this.#controller.close();
  }
}

/** One end of an in-memory connection. */
export class MemoryConn implements Conn {
  readonly #in: Pipe;
  readonly #out: Pipe;
  readonly #closed = Promise.withResolvers<void>();
  #isClosed = false;
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  /** Read from the other end and not yet handed out by `read()`. */
  #left: Uint8Array = new Uint8Array(0);

  constructor(incoming: Pipe, outgoing: Pipe, readonly remote: string) {
    this.#in = incoming;
    this.#out = outgoing;
  }

  /** Bytes from the other end. */
  get readable(): ReadableStream<Uint8Array> {
    return this.#in.readable;
  }

  /** Bytes to the other end. */
  get writable(): WritableStream<Uint8Array> {
    return this.#out.writable;
  }

  /** Conn.read: the next bytes from the other end, or null at its end. */
  async read(p: Uint8Array): Promise<number | null> {
    if (this.#left.length === 0) {
      this.#reader ??= this.#in.readable.getReader();
      const r = await this.#reader.read();
      if (r.done) return null;
      this.#left = r.value;
    }
    const n = Math.min(p.length, this.#left.length);
    p.set(this.#left.subarray(0, n));
    this.#left = this.#left.subarray(n);
    return n;
  }

  /** Conn.write: every byte of `p` to the other end (fails once either end is closed). */
  async write(p: Uint8Array): Promise<number> {
    this.#writer ??= this.#out.writable.getWriter();
    await this.#writer.write(p);
    return p.length;
  }

  /** Resolves once this end has been closed. */
  get closed(): Promise<void> {
    return this.#closed.promise;
  }

  /** Whether this end has been closed. */
  get isClosed(): boolean {
    return this.#isClosed;
  }

  /**
   * Closes both directions, like a socket: the other end reads what was written, then the end;
   * writes from either end fail from now on. Closing twice changes nothing.
   */
  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#out.end();
    this.#in.end();
    this.#closed.resolve();
  }
}

/**
 * Two joined ends: `conn` for the code under test (its `remote` is `remote`), `peer` for the test
 * to play the other side.
 */
export function memoryConnPair(remote = "127.0.0.1"): { conn: MemoryConn; peer: MemoryConn } {
  const toConn = new Pipe();
  const toPeer = new Pipe();
  return {
    conn: new MemoryConn(toConn, toPeer, remote),
    peer: new MemoryConn(toPeer, toConn, "gateway"),
  };
}
