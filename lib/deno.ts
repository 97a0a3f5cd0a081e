/**
 * Deno adapter: TCP/TLS listeners, the KV opener, HTTP and the process, as {@link denoRuntime}.
 * With lib/bun.ts, the only lib/ file that touches the runtime (`Deno.*`).
 */
import type { Conn, Connect, Listener } from "./transport/conn.ts";
import type { HttpServer, Runtime } from "./runtime.ts";
import { prepareKvFile } from "./store/kv_file.ts";

export type { HttpServer } from "./runtime.ts";

/** A Deno TCP or TLS connection as a {@link Conn} (Nagle off on TCP). */
export function denoConn(conn: Deno.Conn): Conn {
  const remote = conn.remoteAddr as Deno.NetAddr;
  try {
    (conn as Deno.TcpConn).setNoDelay?.(true);
  } catch { /* TLS or closed */ }
  return {
    read: (p) => conn.read(p),
    write: (p) => conn.write(p),
    remote: remote.hostname,
    close: () => conn.close(),
  };
}

function wrap(l: Deno.Listener): Listener {
  const addr = l.addr as Deno.NetAddr;
  let closed = false;
  return {
    hostname: addr.hostname,
    port: addr.port,
    async accept() {
      if (closed) return null;
      try {
        return denoConn(await l.accept());
      } catch (e) {
        // A closed listener ends the loop; anything else (e.g. ENOTCONN from a reset) is passing.
        if (
          closed || e instanceof Deno.errors.BadResource || e instanceof Deno.errors.Interrupted
        ) return null;
        throw e;
      }
    },
    close() {
      closed = true;
      l.close();
    },
  };
}

/** Listens on TCP. */
export function listenTcp(hostname: string, port: number): Listener {
  return wrap(Deno.listen({ hostname, port, transport: "tcp" }));
}

/** Listens on TLS with a PEM certificate chain and key. */
export function listenTls(hostname: string, port: number, cert: string, key: string): Listener {
  return wrap(Deno.listenTls({ hostname, port, cert, key }));
}

/**
 * The process's soft limit on open files (`ulimit -n`), read from /proc/self/limits; null when
 * unknown (not Linux, or no read permission) or unlimited.
 */
export function fdLimit(): number | null {
  // Without read permission, say unknown rather than prompt for it.
  const path = "/proc/self/limits";
  if (Deno.permissions.querySync({ name: "read", path }).state !== "granted") return null;
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (e) {
    if (
      e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotCapable ||
      e instanceof Deno.errors.PermissionDenied
    ) return null;
    throw e;
  }
  const soft = text.match(/^Max open files\s+(\d+)\s/m)?.[1];
  return soft === undefined ? null : Number(soft);
}

/**
 * Opens Deno KV at `path` (":memory:" for an in-memory store), creating its folder. An existing
 * file that is not a Deno KV database (another SQLite database, or not SQLite at all) is refused
 * before Deno KV would add its tables to it.
 */
export async function openKv(path: string): Promise<Deno.Kv> {
  await prepareKvFile(path);
  return await Deno.openKv(path);
}

/** Serves `fetch` over HTTP on `hostname:port` (port 0: any free port). */
export function serveHttp(
  hostname: string,
  port: number,
  fetch: (req: Request) => Response | Promise<Response>,
): HttpServer {
  const s = Deno.serve({ hostname, port, onListen() {} }, fetch);
  return { hostname: s.addr.hostname, port: s.addr.port, close: () => s.shutdown() };
}

/**
 * Connects to `hostname:port` over TCP (Nagle off) or, with `tls`, TLS (trusting `caCerts` as
 * well as the system roots): the {@link Connect} for upstream routes.
 *
 * @example
 * ```ts
 * import { connect } from "./deno.ts";
 * const conn = await connect({ hostname: "127.0.0.1", port: 2775 });
 * conn.close();
 * ```
 */
export const connect: Connect = async (o) => {
  if (o.tls) {
    return denoConn(
      await Deno.connectTls({ hostname: o.hostname, port: o.port, caCerts: o.caCerts }),
    );
  }
  return denoConn(await Deno.connect({ hostname: o.hostname, port: o.port, transport: "tcp" }));
};

/**
 * Deno as a {@link Runtime}.
 *
 * @example
 * ```ts
 * import { denoRuntime } from "./deno.ts";
 * console.log(denoRuntime.version.name, denoRuntime.args);
 * ```
 */
export const denoRuntime: Runtime = {
  name: "deno",
  version: {
    name: "deno",
    version: Deno.version.deno,
    engine: `v8 ${Deno.version.v8}, typescript ${Deno.version.typescript}`,
  },
  listenTcp,
  listenTls,
  connect,
  openKv,
  serveHttp,
  fdLimit,
  args: Deno.args,
  env: (name) => Deno.env.get(name),
  exit: (code) => Deno.exit(code),
  onSignal: (signal, fn) => Deno.addSignalListener(signal, fn),
  stderrIsTerminal: Deno.stderr.isTerminal(),
  writeStderr(bytes) {
    while (bytes.length > 0) bytes = bytes.subarray(Deno.stderr.writeSync(bytes));
  },
  readTextFile: (path) => Deno.readTextFile(path),
  stat: async (path) => {
    await Deno.stat(path);
  },
};
