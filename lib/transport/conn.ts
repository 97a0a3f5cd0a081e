/** The transport a session runs on: any duplex byte stream (Deno TCP/TLS, Bun, tests). */

/** A connected byte stream. */
export interface Conn {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  /** The peer's address, e.g. "127.0.0.1". */
  readonly remote: string;
  close(): void;
}

/** A source of connections. `accept()` resolves null once the listener is closed. */
export interface Listener {
  readonly hostname: string;
  readonly port: number;
  accept(): Promise<Conn | null>;
  close(): void;
}
