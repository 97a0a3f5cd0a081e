/** A raw TCP connection for the fuzzer: writes arbitrary bytes, cuts replies into frames. */

/** Reads whatever the gateway sends and hands out whole frames; every wait is bounded. */
export class Wire {
  #conn: Deno.Conn;
  #buf = new Uint8Array(0);
  #wake: (() => void) | null = null;
  readonly #reading: Promise<void>;
  /** The gateway closed (or reset) the connection. */
  closed = false;
  /** performance.now() of the last octet sent or received. */
  lastActivity = performance.now();

  private constructor(conn: Deno.Conn) {
    this.#conn = conn;
    this.#reading = this.#loop();
  }

  /**
   * Connects to hostname:port. Nagle is off: a case's last write and the probe behind it would
   * otherwise wait for the gateway's delayed ACK (40 ms on Linux) when nothing is answered.
   */
  static async connect(hostname: string, port: number): Promise<Wire> {
    const conn = await Deno.connect({ hostname, port });
    conn.setNoDelay(true);
    return new Wire(conn);
  }

  async #loop() {
    const chunk = new Uint8Array(65536);
    try {
      while (true) {
        const n = await this.#conn.read(chunk);
        if (n === null) break;
        const joined = new Uint8Array(this.#buf.length + n);
        joined.set(this.#buf);
        joined.set(chunk.subarray(0, n), this.#buf.length);
        this.#buf = joined;
        this.lastActivity = performance.now();
        this.#notify();
      }
    } catch { /* reset by the gateway, or closed by us */ }
    this.closed = true;
    this.#notify();
  }

  #notify() {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  /** Octets received but not yet taken as frames. */
  get buffered(): number {
    return this.#buf.length;
  }

  /**
   * Takes the whole frames received so far. A command_length under 16 is returned as a frame of
   * the rest of the buffer, so the checker reports it instead of the reader stalling.
   */
  frames(): Uint8Array[] {
    const out: Uint8Array[] = [];
    let off = 0;
    const view = new DataView(this.#buf.buffer);
    while (this.#buf.length - off >= 4) {
      const len = view.getUint32(off);
      if (len < 16) {
        out.push(this.#buf.slice(off));
        off = this.#buf.length;
        break;
      }
      if (this.#buf.length - off < len) break;
      out.push(this.#buf.slice(off, off + len));
      off += len;
    }
    if (off > 0) this.#buf = this.#buf.slice(off);
    return out;
  }

  /** Resolves on the next data or close, or after `ms`. */
  wait(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#wake = null;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  /** Writes all of `bytes`; false when the gateway has already closed or reset. */
  async write(bytes: Uint8Array): Promise<boolean> {
    try {
      let off = 0;
      while (off < bytes.length) off += await this.#conn.write(bytes.subarray(off));
      this.lastActivity = performance.now();
      return true;
    } catch {
      return false;
    }
  }

  /** Closes the socket and waits for the reader to stop. */
  async close(): Promise<void> {
    try {
      this.#conn.close();
    } catch { /* already closed */ }
    await this.#reading;
  }
}
