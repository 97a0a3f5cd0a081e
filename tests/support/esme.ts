/**
 * An ESME we did not write: the npm `smpp` package (farhadi/node-smpp 0.5.1) wrapped in promise
 * helpers, for interoperability tests against the gateway over real TCP.
 */
import assert from "node:assert/strict";
import smpp from "smpp";
import { ACCOUNT, within } from "./client.ts";

/** The parts of a node-smpp PDU the tests read (fields are flattened onto the object). */
export interface SmppPdu {
  command: string;
  command_status: number;
  sequence_number: number;
  [field: string]: unknown;
  response(options?: Record<string, unknown>): SmppPdu;
}

/** The parts of a node-smpp Session the tests use. */
export interface SmppSession {
  on(event: string, listener: (...args: never[]) => void): void;
  send(pdu: SmppPdu, onResponse?: (pdu: SmppPdu) => void): boolean;
  destroy(): void;
}

const Smpp = smpp as unknown as {
  connect(options: { host: string; port: number }): SmppSession;
  PDU: new (command: string, options?: Record<string, unknown>) => SmppPdu;
};

/** A node-smpp session with promise helpers; collects every deliver_sm and answers it. */
export class Esme {
  readonly session: SmppSession;
  /** Resolves when the socket has closed (either side). */
  readonly closed: Promise<void>;
  readonly #connected: Promise<void>;
  /** deliver_sm PDUs received, in order. */
  readonly delivered: SmppPdu[] = [];
  /** The command_status this side answered each deliver_sm with, parallel to `delivered`. */
  readonly answered: number[] = [];
  readonly errors: unknown[] = [];
  /** The next `count` deliver_sm are answered with `status` (header-only), then with 0 again. */
  failNext = { count: 0, status: 0 };
  isClosed = false;
  #waiters: (() => void)[] = [];

  private constructor(port: number) {
    this.session = Smpp.connect({ host: "127.0.0.1", port });
    const connected = Promise.withResolvers<void>();
    const closed = Promise.withResolvers<void>();
    this.#connected = connected.promise;
    this.closed = closed.promise;
    const s = this.session;
    s.on("connect", () => connected.resolve());
    s.on("error", (e: unknown) => {
      this.errors.push(e);
      connected.reject(e);
    });
    s.on("close", () => {
      this.isClosed = true;
      closed.resolve();
      this.#wake();
    });
    s.on("deliver_sm", (pdu: SmppPdu) => {
      const status = this.failNext.count > 0 ? this.failNext.status : 0;
      if (status !== 0) this.failNext.count--;
      s.send(pdu.response(status === 0 ? {} : { command_status: status }));
      this.delivered.push(pdu);
      this.answered.push(status);
      this.#wake();
    });
    // Answer the gateway's own requests so that shutdown does not wait for unbind_resp.
    s.on("enquire_link", (pdu: SmppPdu) => s.send(pdu.response()));
    s.on("unbind", (pdu: SmppPdu) => s.send(pdu.response()));
  }

  /** Connects to the gateway on 127.0.0.1:port. */
  static async connect(port: number): Promise<Esme> {
    const e = new Esme(port);
    try {
      await within(e.#connected, 5000, "connect");
    } catch (err) {
      await e.close();
      throw err;
    }
    return e;
  }

  /** Connects and binds; asserts the bind succeeded. */
  static async bound(
    port: number,
    type: "transmitter" | "receiver" | "transceiver" = "transceiver",
  ): Promise<Esme> {
    const e = await Esme.connect(port);
    try {
      const r = await e.bind(type);
      assert.equal(r.command, `bind_${type}_resp`);
      assert.equal(r.command_status, 0, `bind_${type} status`);
    } catch (err) {
      await e.close();
      throw err;
    }
    return e;
  }

  #wake() {
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Sends a request built by node-smpp and resolves its response. */
  request(command: string, options: Record<string, unknown> = {}, ms = 5000): Promise<SmppPdu> {
    const { promise, resolve } = Promise.withResolvers<SmppPdu>();
    if (!this.session.send(new Smpp.PDU(command, options), resolve)) {
      return Promise.reject(new Error(`${command}: socket not writable`));
    }
    return within(promise, ms, `${command} response`);
  }

  bind(
    type: "transmitter" | "receiver" | "transceiver" = "transceiver",
    systemId = ACCOUNT.systemId,
    password = ACCOUNT.password,
  ): Promise<SmppPdu> {
    return this.request(`bind_${type}`, { system_id: systemId, password });
  }

  submit(destination: string, text: string, options: Record<string, unknown> = {}) {
    return this.request("submit_sm", {
      source_addr: "Acme",
      destination_addr: destination,
      registered_delivery: 1,
      short_message: text,
      ...options,
    });
  }

  /** Waits until `cond()` holds, re-checking on every deliver_sm and on close. */
  async until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!cond()) {
      if (this.isClosed) throw new Error(`${what}: connection closed`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${what} timed out after ${ms} ms`);
      const { promise, resolve } = Promise.withResolvers<void>();
      this.#waiters.push(resolve);
      await within(promise, left, what);
    }
  }

  /** Destroys the socket and waits for its 'close' event. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.session.destroy();
    await within(this.closed, 2000, "client close");
  }
}

/** The text of a receipt deliver_sm (node-smpp decodes short_message to `{ message }`). */
export function receiptText(pdu: SmppPdu): string {
  const sm = pdu.short_message as { message: string | Uint8Array };
  return typeof sm.message === "string" ? sm.message : new TextDecoder().decode(sm.message);
}
