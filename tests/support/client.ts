/** A small SMPP test client over real TCP built on the gateway's own codec (tests only). */
import { concatBytes } from "../../lib/smpp/bytes.ts";
import { readFrames } from "../../lib/smpp/frames.ts";
import { decode, encode, type Pdu, type PduInit } from "../../lib/smpp/codec.ts";
import { startGateway, type StartOptions } from "../../lib/mod.ts";
import { within } from "./wait.ts";

/** Re-exported so tests that use the client need one import. */
export { within };

/** A connected test ESME. */
export class TestClient {
  #seq = 0;
  #waiting = new Map<number, (p: Pdu) => void>();
  #inbox: Pdu[] = [];
  #inboxWaiters: (() => void)[] = [];
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  /** Resolves when the server closes the connection. */
  readonly closed: Promise<void>;
  /** When false, deliver_sm is not answered automatically. */
  autoAck: number | false = 0;

  private constructor(readonly conn: Deno.Conn) {
    this.#writer = conn.writable.getWriter();
    this.closed = this.#read();
  }

  /** Connects to 127.0.0.1:port. */
  static async connect(port: number): Promise<TestClient> {
    return new TestClient(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  async #read() {
    try {
      for await (const frame of readFrames(this.conn.readable)) {
        const p = decode(frame);
        const w = this.#waiting.get(p.seq);
        if (p.commandId >= 0x80000000 && w) {
          this.#waiting.delete(p.seq);
          w(p);
          continue;
        }
        if (p.command === "enquire_link") {
          await this.raw(encode({ command: "enquire_link_resp", seq: p.seq }));
          continue;
        }
        if (p.command === "unbind") {
          await this.raw(encode({ command: "unbind_resp", seq: p.seq }));
        }
        if (p.command === "deliver_sm" && this.autoAck !== false) {
          await this.raw(encode({ command: "deliver_sm_resp", seq: p.seq, status: this.autoAck }));
        }
        this.#inbox.push(p);
        for (const w of this.#inboxWaiters.splice(0)) w();
      }
    } catch { /* connection reset */ }
    for (const w of this.#inboxWaiters.splice(0)) w();
  }

  /** Writes raw bytes. */
  async raw(bytes: Uint8Array) {
    await this.#writer.write(bytes);
  }

  /** Sends a request and waits for its response. */
  async request(init: Omit<PduInit, "seq">, ms = 5000): Promise<Pdu> {
    const seq = ++this.#seq;
    const { promise, resolve } = Promise.withResolvers<Pdu>();
    this.#waiting.set(seq, resolve);
    await this.raw(encode({ ...init, seq }));
    return await within(promise, ms, `${init.command} response`);
  }

  /** Sends a request without waiting; returns its sequence number and the response promise. */
  send(init: Omit<PduInit, "seq">): Promise<Pdu> {
    const seq = ++this.#seq;
    const { promise, resolve } = Promise.withResolvers<Pdu>();
    this.#waiting.set(seq, resolve);
    this.raw(encode({ ...init, seq })).catch(() => {});
    return promise;
  }

  /** Sends several requests in one write; returns each one's response promise. */
  sendBatch(inits: Omit<PduInit, "seq">[]): Promise<Pdu>[] {
    const frames = inits.map((init) => {
      const seq = ++this.#seq;
      const { promise, resolve } = Promise.withResolvers<Pdu>();
      this.#waiting.set(seq, resolve);
      return { bytes: encode({ ...init, seq }), promise };
    });
    this.raw(concatBytes(frames.map((f) => f.bytes))).catch(() => {});
    return frames.map((f) => f.promise);
  }

  /** Waits for the next unsolicited PDU from the server (e.g. deliver_sm). */
  async next(ms = 5000, command = "deliver_sm"): Promise<Pdu> {
    const deadline = Date.now() + ms;
    while (true) {
      const i = this.#inbox.findIndex((p) => p.command === command);
      if (i >= 0) return this.#inbox.splice(i, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${command} within ${ms} ms`);
      const { promise, resolve } = Promise.withResolvers<void>();
      this.#inboxWaiters.push(resolve);
      await within(Promise.race([promise, this.closed]), left, `waiting for ${command}`).catch(
        () => {},
      );
    }
  }

  /** Unsolicited PDUs received so far and not taken by `next()`. */
  get inbox(): readonly Pdu[] {
    return this.#inbox;
  }

  /** Binds (as SMPP 3.4 unless `version` says otherwise); resolves the bind response. */
  bind(
    systemId: string,
    password: string,
    type: "transmitter" | "receiver" | "transceiver" = "transceiver",
    version = 0x34,
  ) {
    return this.request({
      command: `bind_${type}`,
      body: { system_id: systemId, password, interface_version: version },
    });
  }

  /** Submits a text message (ASCII, data_coding 0). */
  submit(text: string, extra: Record<string, unknown> = {}) {
    return this.request({
      command: "submit_sm",
      body: {
        source_addr: "Acme",
        destination_addr: "447700900123",
        registered_delivery: 1,
        short_message: new TextEncoder().encode(text),
        ...extra,
      } as PduInit["body"],
    });
  }

  /** Closes the socket. */
  close() {
    try {
      this.conn.close();
    } catch { /* already closed */ }
  }
}

/** Test account credentials. */
export const ACCOUNT = { systemId: "test", password: "secret" };

/** Starts a gateway on 127.0.0.1 port 0 with the test account and a fast simulator. */
export function testGateway(o: StartOptions = {}) {
  return startGateway({
    port: 0,
    kv: ":memory:",
    accounts: [{ ...ACCOUNT }],
    simulator: { delayMs: 20 },
    receiptRetryMs: 50,
    unbindWaitMs: 500,
    // Tests bind wrongly on purpose; the lockout has its own test.
    bindLockout: { maxFailures: 1000, windowMs: 60_000, lockoutMs: 60_000 },
    ...o,
  });
}
