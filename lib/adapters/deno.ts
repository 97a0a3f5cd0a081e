/** Deno adapter: TCP/TLS listeners and the KV opener. The only lib/ file that touches `Deno.*`. */
import type { Conn, Listener } from "../conn.ts";

function adapt(conn: Deno.Conn): Conn {
  const remote = conn.remoteAddr as Deno.NetAddr;
  try {
    (conn as Deno.TcpConn).setNoDelay?.(true);
  } catch { /* TLS or closed */ }
  return {
    readable: conn.readable,
    writable: conn.writable,
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
        return adapt(await l.accept());
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

/** Opens Deno KV at `path` (":memory:" for an in-memory store), creating its folder. */
export async function openKv(path: string): Promise<Deno.Kv> {
  if (path !== ":memory:") {
    const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
    if (dir) await Deno.mkdir(dir, { recursive: true });
  }
  return await Deno.openKv(path);
}
