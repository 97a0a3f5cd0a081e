/**
 * The runtime the gateway runs on, picked at the edge: Deno (`lib/deno.ts`) or Bun (`lib/bun.ts`).
 * Everything that touches the outside world (sockets, KV, HTTP, the process) goes through
 * {@link runtime}; the rest of lib/ is runtime-neutral, and `main.ts` and `lib/mod.ts` use only
 * this file.
 */
import type { Connect, Listener } from "./transport/conn.ts";
import type { RuntimeVersion } from "./cli/version.ts";

export type { RuntimeVersion } from "./cli/version.ts";

/** An HTTP server serving a web-standard `fetch` handler. */
export interface HttpServer {
  /** The address actually bound. */
  hostname: string;
  /** The port actually bound. */
  port: number;
  /** Stops listening and waits for requests in flight. */
  close(): Promise<void>;
}

/** Signals a server stops on. */
export type StopSignal = "SIGINT" | "SIGTERM";

/** What the gateway and its command line need from a runtime. */
export interface Runtime {
  /** "deno" or "bun". */
  readonly name: "deno" | "bun";
  /** Versions for `main.ts version`. */
  readonly version: RuntimeVersion;
  /** Listens on TCP (port 0: any free port). */
  listenTcp(hostname: string, port: number): Listener;
  /** Listens on TLS with a PEM certificate chain and key. */
  listenTls(hostname: string, port: number, cert: string, key: string): Listener;
  /** Opens outgoing TCP or TLS connections (upstream SMSCs, `main.ts send`). */
  connect: Connect;
  /**
   * Opens Deno KV at `path` (":memory:" for an in-memory store), creating its folder, refusing a
   * file that is not a Deno KV database. Deno's own on Deno, `npm:@deno/kv` on Bun (same file
   * format).
   */
  openKv(path: string): Promise<Deno.Kv>;
  /** Serves `fetch` over HTTP on `hostname:port` (port 0: any free port). */
  serveHttp(
    hostname: string,
    port: number,
    fetch: (req: Request) => Response | Promise<Response>,
  ): HttpServer;
  /** The soft limit on open files, or null when unknown or unlimited. */
  fdLimit(): number | null;
  /** The command line arguments after the script (or the executable). */
  readonly args: readonly string[];
  /** An environment variable, or undefined when unset. */
  env(name: string): string | undefined;
  /** Ends the process with `code`. */
  exit(code: number): never;
  /** Calls `fn` when the process gets `signal` (instead of being stopped by it). */
  onSignal(signal: StopSignal, fn: () => void): void;
  /** True when stderr is a terminal. */
  readonly stderrIsTerminal: boolean;
  /** Writes all of `bytes` to stderr before returning. */
  writeStderr(bytes: Uint8Array): void;
  /** Reads a text file; rejects with the runtime's error (its message names the problem). */
  readTextFile(path: string): Promise<string>;
  /** Resolves if `path` exists; rejects with the runtime's error otherwise. */
  stat(path: string): Promise<void>;
}

/** True when this process runs on Bun. */
export const onBun: boolean = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

/**
 * The runtime this process runs on.
 *
 * @example
 * ```ts
 * import { runtime } from "./runtime.ts";
 * const l = runtime.listenTcp("127.0.0.1", 0);
 * console.log(`${runtime.name} listening on port ${l.port}`);
 * l.close();
 * ```
 */
export const runtime: Runtime = onBun
  ? (await import("./bun.ts")).bunRuntime
  : (await import("./deno.ts")).denoRuntime;
