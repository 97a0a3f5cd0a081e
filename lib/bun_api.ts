/**
 * The part of Bun's global API that lib/bun.ts uses, as types (Deno type-checks lib/ without
 * Bun's own type package).
 */

/** A connected Bun socket (`Bun.listen` / `Bun.connect`), with per-socket `data`. */
export interface BunSocket<T> {
  data: T;
  readonly remoteAddress: string;
  /** Writes what the kernel takes now: the count (maybe short), or -1 when closed. */
  write(p: Uint8Array): number;
  /** Flushes and closes. */
  end(): void;
  pause(): void;
  resume(): void;
  setNoDelay?(noDelay: boolean): boolean;
}

/** Socket callbacks. */
export interface BunSocketHandler<T> {
  binaryType?: "uint8array";
  open?(s: BunSocket<T>): void;
  data?(s: BunSocket<T>, chunk: Uint8Array): void;
  drain?(s: BunSocket<T>): void;
  end?(s: BunSocket<T>): void;
  close?(s: BunSocket<T>, error?: Error): void;
  error?(s: BunSocket<T>, error: Error): void;
  connectError?(s: BunSocket<T>, error: Error): void;
  /** TLS only: the handshake ended (`authorizationError`: the peer's certificate was refused). */
  handshake?(s: BunSocket<T>, success: boolean, authorizationError: Error | null): void;
}

/** TLS settings of a server or a client. */
export interface BunTls {
  cert?: string;
  key?: string;
  ca?: string[];
  serverName?: string;
}

/** `Bun.listen`'s result. */
export interface BunTcpListener {
  readonly hostname: string;
  readonly port: number;
  stop(closeActiveConnections?: boolean): void;
}

/** `Bun.serve`'s result. */
export interface BunHttpServer {
  readonly hostname?: string;
  readonly port?: number;
  stop(closeActiveConnections?: boolean): Promise<void>;
}

/** `Bun`, the global. */
export interface BunApi {
  readonly version: string;
  readonly revision: string;
  listen<T>(o: {
    hostname: string;
    port: number;
    tls?: BunTls;
    socket: BunSocketHandler<T>;
  }): BunTcpListener;
  connect<T>(o: {
    hostname: string;
    port: number;
    tls?: boolean | BunTls;
    socket: BunSocketHandler<T>;
  }): Promise<BunSocket<T>>;
  serve(o: {
    hostname: string;
    port: number;
    development?: boolean;
    fetch(req: Request): Response | Promise<Response>;
  }): BunHttpServer;
}
