/** Deno adapter: TCP/TLS listeners and the KV opener. The only lib/ file that touches `Deno.*`. */
import type { Conn, Connect, Listener } from "./transport/conn.ts";

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
  if (path !== ":memory:") {
    const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
    if (dir) await Deno.mkdir(dir, { recursive: true });
    await checkKvFile(path);
  }
  return await Deno.openKv(path);
}

/** The tables every Deno KV database has. */
const KV_TABLES = ["kv", "data_version", "migration_state"];

async function checkKvFile(path: string) {
  let size: number;
  try {
    size = (await Deno.stat(path)).size;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  if (size === 0) return;
  const f = await Deno.open(path);
  const head = new Uint8Array(16);
  try {
    await f.read(head);
  } finally {
    f.close();
  }
  if (new TextDecoder().decode(head) !== "SQLite format 3\0") {
    throw new Error(`${path} is not a Deno KV file (not an SQLite database); refusing to use it`);
  }
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(path, { readOnly: true });
  let names: Set<string>;
  try {
    const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    names = new Set(rows.map((r) => String((r as { name: unknown }).name)));
  } finally {
    db.close();
  }
  const missing = KV_TABLES.filter((t) => !names.has(t));
  if (missing.length > 0) {
    throw new Error(
      `${path} is an SQLite database but not a Deno KV file (no table ${
        missing.join(", ")
      }); refusing to use it`,
    );
  }
}

/** An HTTP server serving a web-standard `fetch` handler. */
export interface HttpServer {
  hostname: string;
  port: number;
  /** Stops listening and waits for requests in flight. */
  close(): Promise<void>;
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
