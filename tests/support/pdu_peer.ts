/**
 * The test's side of a connection, speaking SMPP PDUs: sends what the test says and hands over
 * what arrives, in order, each wait with a timeout. Works over a `MemoryConn` (the peer end of
 * tests/support/memory_conn.ts); it answers nothing on its own.
 */
import type { MemoryConn } from "./memory_conn.ts";
import { readFrames } from "../../lib/smpp/frames.ts";
import { decode, encode, type Pdu, type PduInit } from "../../lib/smpp/codec.ts";
import { within } from "./wait.ts";

/** An SMPP peer over a `Conn`. */
export class PduPeer {
  readonly #conn: MemoryConn;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #inbox: Pdu[] = [];
  #wake: (() => void) | null = null;
  #ended = false;
  /** Resolves when the other side has closed the connection (or sent an undecodable frame). */
  readonly ended: Promise<void>;
  /** Why reading stopped, when it was not a clean end of stream. */
  error: unknown = null;

  constructor(conn: MemoryConn) {
    this.#conn = conn;
    this.#writer = conn.writable.getWriter();
    this.ended = this.#read();
  }

  async #read(): Promise<void> {
    try {
      for await (const frame of readFrames(this.#conn.readable)) {
        this.#inbox.push(decode(frame));
        this.#notify();
      }
    } catch (e) {
      this.error = e;
    }
    this.#ended = true;
    this.#notify();
  }

  #notify() {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  /** Sends one PDU. */
  async send(init: PduInit): Promise<void> {
    await this.#writer.write(encode(init));
  }

  /** Sends raw bytes. */
  async raw(bytes: Uint8Array): Promise<void> {
    await this.#writer.write(bytes);
  }

  /** PDUs received and not yet taken by {@link next}. */
  get inbox(): readonly Pdu[] {
    return this.#inbox;
  }

  /** The next PDU to arrive (in order); throws if the connection ends or `ms` pass first. */
  async next(ms = 5000, what = "the next PDU"): Promise<Pdu> {
    const deadline = Date.now() + ms;
    // Bounded: every pass either returns, throws, or waits for a new PDU or the end.
    while (true) {
      const p = this.#inbox.shift();
      if (p) return p;
      if (this.#ended) throw new Error(`${what}: connection ended (${String(this.error)})`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${what}: nothing within ${ms} ms`);
      const { promise, resolve } = Promise.withResolvers<void>();
      this.#wake = resolve;
      await within(promise, left, what);
    }
  }

  /** Closes the connection from this side. */
  close(): void {
    this.#conn.close();
  }
}
