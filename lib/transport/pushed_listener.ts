/**
 * A {@link Listener} fed by a runtime whose server hands over each new connection through a
 * callback (Bun's `open`): connections wait in order until `accept()` takes them.
 */
import type { Conn, Listener } from "./conn.ts";

/** A callback-fed listener. */
export class PushedListener implements Listener {
  readonly hostname: string;
  readonly port: number;
  readonly #stop: () => void;
  readonly #ready: Conn[] = [];
  readonly #waiting: ((c: Conn | null) => void)[] = [];
  #closed = false;

  /** `stop` stops the runtime's server from accepting (open connections stay). */
  constructor(hostname: string, port: number, stop: () => void) {
    this.hostname = hostname;
    this.port = port;
    this.#stop = stop;
  }

  /** A new connection; closed at once when the listener is closed. */
  offer(conn: Conn) {
    if (this.#closed) return conn.close();
    const w = this.#waiting.shift();
    if (w) w(conn);
    else this.#ready.push(conn);
  }

  accept(): Promise<Conn | null> {
    if (this.#ready.length > 0) return Promise.resolve(this.#ready.shift()!);
    if (this.#closed) return Promise.resolve(null);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  close() {
    if (this.#closed) return;
    this.#closed = true;
    this.#stop();
    for (const c of this.#ready.splice(0)) c.close();
    for (const w of this.#waiting.splice(0)) w(null);
  }
}
