/** The transport a session runs on: any duplex byte stream (Deno TCP/TLS, Bun, tests). */

/**
 * A connected byte stream, read and written directly (no web streams: they cost a promise chain
 * per chunk on the hot path).
 */
export interface Conn {
  /** Reads into `p`; resolves the octets read, or null at the end of the stream. */
  read(p: Uint8Array): Promise<number | null>;
  /** Writes from `p`; resolves how many octets were written (maybe fewer than `p.length`). */
  write(p: Uint8Array): Promise<number>;
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
