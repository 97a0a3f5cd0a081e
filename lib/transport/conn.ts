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

/** Options of a {@link Connect}: where to connect and whether to use TLS. */
export interface ConnectOptions {
  /** Host name or address of the peer. */
  hostname: string;
  /** TCP port of the peer. */
  port: number;
  /** Connect with TLS (the peer's certificate is checked against the system roots or `caCerts`). */
  tls?: boolean;
  /** Extra PEM CA certificates to trust (TLS only). */
  caCerts?: string[];
}

/**
 * Opens an outgoing connection (an upstream SMSC for an SMPP route); rejects when the peer
 * cannot be reached. The Deno implementation is `connect` in lib/deno.ts.
 */
export type Connect = (o: ConnectOptions) => Promise<Conn>;
