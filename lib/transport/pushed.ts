/**
 * A {@link Conn} over a socket that pushes what it reads (callbacks, as Bun's sockets do) and
 * writes without blocking (returning how much it took): the adapter feeds `push`, `end`, `fail`
 * and `drained` from the socket's callbacks; the session pulls with `read` and `write` as from a
 * Deno connection. Reading stops (`pause`) while more than `highWater` octets wait unread, so a
 * session that stops reading gives its peer TCP backpressure as it does on Deno.
 */
import type { Conn } from "./conn.ts";

/** The socket operations a {@link PushedConn} needs. */
export interface PushSocket {
  /** Writes what it can now; the count taken (maybe 0), or -1 when the socket is closed. */
  write(p: Uint8Array): number;
  /** Closes the socket (the adapter then calls `end`). */
  end(): void;
  /** Stops reading from the kernel. */
  pause(): void;
  /** Resumes reading. */
  resume(): void;
}

/** A write on a connection that is closed or was reset. */
export class ConnClosedError extends Error {
  constructor(message = "connection closed") {
    super(message);
    this.name = "ConnClosedError";
  }
}

/** Unread octets at which reading pauses (it resumes once they are all read). */
export const PUSH_HIGH_WATER = 1 << 20;

/** A pushed socket as a pull {@link Conn}. */
export class PushedConn implements Conn {
  readonly remote: string;
  readonly #socket: PushSocket;
  readonly #highWater: number;
  readonly #chunks: Uint8Array[] = [];
  #buffered = 0;
  #paused = false;
  #ended = false;
  #closed = false;
  #error: Error | undefined;
  #reader: PromiseWithResolvers<number | null> & { p: Uint8Array } | undefined;
  #writer: PromiseWithResolvers<void> | undefined;

  constructor(socket: PushSocket, remote: string, highWater = PUSH_HIGH_WATER) {
    this.#socket = socket;
    this.remote = remote;
    this.#highWater = highWater;
  }

  /** Octets read from the socket. */
  push(chunk: Uint8Array) {
    if (this.#ended || chunk.length === 0) return;
    const r = this.#reader;
    if (r) {
      this.#reader = undefined;
      const n = Math.min(chunk.length, r.p.length);
      r.p.set(chunk.subarray(0, n));
      if (n < chunk.length) this.#queue(chunk.subarray(n));
      r.resolve(n);
      return;
    }
    this.#queue(chunk);
  }

  #queue(chunk: Uint8Array) {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    if (!this.#paused && this.#buffered > this.#highWater) {
      this.#paused = true;
      this.#socket.pause();
    }
  }

  /** The socket can take more output. */
  drained() {
    const w = this.#writer;
    this.#writer = undefined;
    w?.resolve();
  }

  /** The peer closed, or the socket is gone: reads end after what is buffered. */
  end() {
    this.#ended = true;
    this.#wake();
  }

  /** The socket failed: reads and writes reject with `e` (after what is buffered). */
  fail(e: Error) {
    this.#error ??= e;
    this.#ended = true;
    this.#wake();
  }

  #wake() {
    const r = this.#reader;
    this.#reader = undefined;
    if (r) {
      if (this.#error && !this.#closed) r.reject(this.#error);
      else r.resolve(null);
    }
    const w = this.#writer;
    this.#writer = undefined;
    w?.reject(this.#error ?? new ConnClosedError());
  }

  read(p: Uint8Array): Promise<number | null> {
    if (this.#chunks.length > 0) return Promise.resolve(this.#take(p));
    if (this.#closed) return Promise.resolve(null);
    if (this.#error) return Promise.reject(this.#error);
    if (this.#ended) return Promise.resolve(null);
    if (this.#reader) return Promise.reject(new Error("a read is already pending"));
    if (this.#paused) this.#resume();
    this.#reader = { ...Promise.withResolvers<number | null>(), p };
    return this.#reader.promise;
  }

  #take(p: Uint8Array): number {
    let n = 0;
    while (n < p.length && this.#chunks.length > 0) {
      const c = this.#chunks[0];
      const k = Math.min(c.length, p.length - n);
      p.set(c.subarray(0, k), n);
      n += k;
      if (k === c.length) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(k);
    }
    this.#buffered -= n;
    if (this.#paused && this.#buffered === 0) this.#resume();
    return n;
  }

  #resume() {
    this.#paused = false;
    if (!this.#ended) this.#socket.resume();
  }

  async write(p: Uint8Array): Promise<number> {
    for (;;) {
      if (this.#closed || this.#ended) throw this.#error ?? new ConnClosedError();
      const n = this.#socket.write(p);
      if (n > 0) return n;
      if (n < 0) throw this.#error ?? new ConnClosedError();
      this.#writer ??= Promise.withResolvers<void>();
      await this.#writer.promise;
    }
  }

  close() {
    if (this.#closed) return;
    this.#closed = true;
    this.#ended = true;
    this.#chunks.length = 0;
    this.#buffered = 0;
    this.#wake();
    this.#socket.end();
  }
}
