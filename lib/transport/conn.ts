/** The transport a session runs on: any duplex byte stream (Deno TCP/TLS, Bun, tests). */

/** A connected byte stream. */
export interface Conn {
  /** Bytes from the peer. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the peer. */
  readonly writable: WritableStream<Uint8Array>;
  /** The peer's address, e.g. "127.0.0.1". */
  readonly remote: string;
  /** Closes the connection. */
  close(): void;
}

/** A source of connections. `accept()` resolves null once the listener is closed. */
export interface Listener {
  /** The address actually bound. */
  readonly hostname: string;
  /** The port actually bound (useful after asking for port 0). */
  readonly port: number;
  /** The next connection, or null once the listener is closed. */
  accept(): Promise<Conn | null>;
  /** Stops listening; pending and later `accept()` calls resolve null. */
  close(): void;
}
