/**
 * Bun adapter: TCP/TLS through `Bun.listen`/`Bun.connect` (callback sockets turned into pull
 * {@link Conn}s by lib/transport/pushed.ts), HTTP through `Bun.serve`, Deno KV through
 * `npm:@deno/kv` (the same SQLite file format; V8-serialized values through lib/store/v8_codec.ts,
 * as Bun's `node:v8` writes JavaScriptCore's format), and the process through `node:process`.
 * With lib/deno.ts, the only lib/ file that touches the runtime (`Bun.*`).
 */
import { readFileSync, writeSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import process from "node:process";
import { rootCertificates } from "node:tls";
import { openKv as openNpmKv } from "@deno/kv";
import type { BunApi, BunSocket, BunSocketHandler } from "./bun_api.ts";
import type { HttpServer, Runtime } from "./runtime.ts";
import type { Conn, Connect, Listener } from "./transport/conn.ts";
import { PushedConn } from "./transport/pushed.ts";
import { PushedListener } from "./transport/pushed_listener.ts";
import { prepareKvFile } from "./store/kv_file.ts";
import { decodeV8, encodeV8 } from "./store/v8_codec.ts";

const Bun = (globalThis as unknown as { Bun: BunApi }).Bun;

type Slot = { conn?: PushedConn };

/**
 * The socket callbacks that feed each socket's {@link PushedConn}. Bun takes no output before a
 * TLS handshake ends (write returns 0): the end of the handshake counts as a drain, so a first
 * write waits for it; a client whose peer's certificate is refused fails.
 */
function handlers(onOpen: (conn: PushedConn) => void, client = false): BunSocketHandler<Slot> {
  return {
    binaryType: "uint8array",
    open(s) {
      s.setNoDelay?.(true);
      const conn = new PushedConn(s, s.remoteAddress);
      s.data = { conn };
      onOpen(conn);
    },
    data: (s, chunk) => s.data.conn?.push(chunk),
    drain: (s) => s.data.conn?.drained(),
    end: (s) => s.data.conn?.end(),
    close(s, error) {
      if (error) s.data.conn?.fail(error);
      else s.data.conn?.end();
    },
    error: (s, error) => s.data.conn?.fail(error),
    handshake(s, _success, authorizationError) {
      // A server asks for no client certificate: only a client checks its peer.
      if (client && authorizationError) {
        s.data.conn?.fail(new Error(`TLS: ${authorizationError.message}`));
        s.end();
      } else s.data.conn?.drained();
    },
  };
}

/** Runs `bind`; a failure names the address, and says so plainly when it is in use. */
function listening<T>(hostname: string, port: number, bind: () => T): T {
  try {
    return bind();
  } catch (e) {
    const inUse = (e as { code?: string }).code === "EADDRINUSE";
    throw new Error(
      `${hostname}:${port}: ${inUse ? "address already in use" : (e as Error).message}`,
      { cause: e },
    );
  }
}

function listen(hostname: string, port: number, tls?: { cert: string; key: string }): Listener {
  // Connections arrive from the event loop, after the listener below exists; held just in case.
  const early: { listener?: PushedListener; pending: Conn[] } = { pending: [] };
  const server = listening(hostname, port, () =>
    Bun.listen<Slot>({
      hostname,
      port,
      tls,
      socket: handlers((c) => early.listener ? early.listener.offer(c) : early.pending.push(c)),
    }));
  const listener = new PushedListener(server.hostname, server.port, () => server.stop(false));
  early.listener = listener;
  for (const c of early.pending) listener.offer(c);
  return listener;
}

/** Listens on TCP. */
export function listenTcp(hostname: string, port: number): Listener {
  return listen(hostname, port);
}

/** Listens on TLS with a PEM certificate chain and key. */
export function listenTls(hostname: string, port: number, cert: string, key: string): Listener {
  return listen(hostname, port, { cert, key });
}

/**
 * Connects over TCP or TLS (trusting `caCerts` as well as the system roots).
 *
 * @example
 * ```ts
 * import { connect } from "./bun.ts";
 * const conn = await connect({ hostname: "127.0.0.1", port: 2775 });
 * conn.close();
 * ```
 */
export const connect: Connect = async (o) => {
  const tls = !o.tls
    ? undefined
    : o.caCerts?.length
    ? { ca: [...rootCertificates, ...o.caCerts], serverName: o.hostname }
    : { serverName: o.hostname };
  const socket: BunSocket<Slot> = await Bun.connect<Slot>({
    hostname: o.hostname,
    port: o.port,
    tls,
    socket: handlers(() => {}, true),
  });
  if (socket.data?.conn) return socket.data.conn;
  const conn = new PushedConn(socket, o.hostname);
  socket.data = { conn };
  return conn;
};

/**
 * Opens Deno KV at `path` through `npm:@deno/kv` (":memory:" for an in-memory store), creating
 * its folder and refusing a file that is not a Deno KV database.
 */
export async function openKv(path: string): Promise<Deno.Kv> {
  await prepareKvFile(path);
  const kv = await openNpmKv(path, { encodeV8, decodeV8 });
  return kv as unknown as Deno.Kv;
}

/** Serves `fetch` over HTTP on `hostname:port` (port 0: any free port). */
export function serveHttp(
  hostname: string,
  port: number,
  fetch: (req: Request) => Response | Promise<Response>,
): HttpServer {
  const s = listening(
    hostname,
    port,
    () => Bun.serve({ hostname, port, development: false, fetch }),
  );
  return { hostname: s.hostname ?? hostname, port: s.port ?? port, close: () => s.stop() };
}

/** The soft limit on open files from /proc/self/limits; null when unknown or unlimited. */
export function fdLimit(): number | null {
  let text: string;
  try {
    text = readFileSync("/proc/self/limits", "utf8");
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ENOENT" || code === "EACCES" || code === "EPERM") return null;
    throw e;
  }
  const soft = text.match(/^Max open files\s+(\d+)\s/m)?.[1];
  return soft === undefined ? null : Number(soft);
}

/**
 * Bun as a {@link Runtime}.
 *
 * @example
 * ```ts
 * import { bunRuntime } from "./bun.ts";
 * console.log(bunRuntime.version.name, bunRuntime.args);
 * ```
 */
export const bunRuntime: Runtime = {
  name: "bun",
  version: {
    name: "bun",
    version: Bun.version,
    engine: `javascriptcore, revision ${Bun.revision.slice(0, 9)}`,
  },
  listenTcp,
  listenTls,
  connect,
  openKv,
  serveHttp,
  fdLimit,
  // argv: the runtime (or the compiled executable), the script, then the arguments.
  args: process.argv.slice(2),
  env: (name) => process.env[name],
  exit: (code) => process.exit(code),
  onSignal: (signal, fn) => process.on(signal, fn),
  stderrIsTerminal: process.stderr.isTTY === true,
  writeStderr(bytes) {
    while (bytes.length > 0) bytes = bytes.subarray(writeSync(2, bytes));
  },
  readTextFile: (path) => readFile(path, "utf8"),
  stat: async (path) => {
    await stat(path);
  },
};
