/**
 * One ESME link to an upstream SMSC: a connection bound as transmitter, receiver or
 * transceiver. It matches responses to requests, times them out, keeps the link alive with
 * enquire_link, answers the upstream's enquire_link and unbind, and hands its deliver_sm and
 * data_sm to the route.
 */
import { getLogger } from "@logtape/logtape";
import {
  decode,
  encode,
  genericNack,
  headerOnly,
  type Pdu,
  type PduInit,
  peekHeader,
} from "../../smpp/codec.ts";
import { commandById, type CommandDef, isResponse } from "../../smpp/commands.ts";
import { SmppError } from "../../smpp/errors.ts";
import { readFrameBatches } from "../../smpp/frames.ts";
import { Status } from "../../smpp/status.ts";
import { CoalescingWriter } from "../../session/writer.ts";
import type { Conn } from "../../transport/conn.ts";
import {
  type BindParams,
  BindRefused,
  LinkClosed,
  type LinkOptions,
  ResponseTimeout,
} from "./link_types.ts";

export {
  type BindParams,
  BindRefused,
  LinkClosed,
  type LinkOptions,
  ResponseTimeout,
} from "./link_types.ts";

const log = getLogger(["smppgw", "route", "smpp"]);

interface Waiter {
  command: string;
  deadline: number;
  resolve(p: Pdu): void;
  reject(e: Error): void;
}

/**
 * A link over `conn`: {@link bind} it, then {@link request}. It ends on a read or write error,
 * the upstream's unbind, an unanswered enquire_link, {@link unbind} or {@link close}; `closed`
 * then resolves the reason and every waiting request is rejected with it.
 *
 * @example
 * ```ts
 * import { EsmeLink } from "./client.ts";
 * import type { Conn } from "../../transport/conn.ts";
 * declare const conn: Conn; // connected to the upstream
 * const link = new EsmeLink(conn, {
 *   responseTimeoutMs: 10_000,
 *   enquireLinkMs: 30_000,
 *   onRequest: () => Promise.resolve(0),
 *   label: "fr",
 * });
 * await link.bind({
 *   command: "bind_transceiver",
 *   systemId: "gw",
 *   password: "pw",
 *   systemType: "",
 *   interfaceVersion: 0x34,
 * });
 * const resp = await link.request({ command: "submit_sm", body: { destination_addr: "336" } });
 * await link.unbind(2000);
 * ```
 */
export class EsmeLink {
  readonly #conn: Conn;
  readonly #opts: LinkOptions;
  readonly #now: () => number;
  readonly #out: CoalescingWriter;
  readonly #pending = new Map<number, Waiter>();
  readonly #handlers = new Set<Promise<void>>();
  /** Woken when no request waits for its response any more. */
  #idleWaiters: (() => void)[] = [];
  readonly #closed = Promise.withResolvers<Error>();
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #reading: Promise<void>;
  #seq = 0;
  #lastRx: number;
  #enquiring = false;
  #bound = false;
  /** Set once the link is closing: no new requests. */
  #ending: Error | null = null;
  #isClosed = false;

  /** Starts reading `conn` at once (the bind is the first request). */
  constructor(conn: Conn, opts: LinkOptions) {
    this.#conn = conn;
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    this.#lastRx = this.#now();
    this.#out = new CoalescingWriter(
      (p) => conn.write(p),
      () => this.close(new LinkClosed("writing to the upstream failed")),
    );
    const tick = Math.max(
      10,
      Math.min(1000, ...[opts.responseTimeoutMs, opts.enquireLinkMs].filter((t) => t > 0)) / 4,
    );
    this.#timer = setInterval(() => this.#tick(), tick);
    this.#reading = this.#read();
  }

  /** Resolves the reason once the link has closed. */
  get closed(): Promise<Error> {
    return this.#closed.promise;
  }

  /** Resolves once the link is closed and its reader and request handlers have finished. */
  async finished(): Promise<void> {
    await this.#closed.promise;
    await this.#reading;
    while (this.#handlers.size > 0) await Promise.all(this.#handlers);
  }

  /** Requests waiting for their response. */
  get outstanding(): number {
    return this.#pending.size;
  }

  /** True once bound and until it starts closing. */
  get usable(): boolean {
    return this.#bound && this.#ending === null;
  }

  /** Binds; throws BindRefused, ResponseTimeout or LinkClosed (and then closes the link). */
  async bind(p: BindParams): Promise<void> {
    let resp: Pdu;
    try {
      resp = await this.request({
        command: p.command,
        body: {
          system_id: p.systemId,
          password: p.password,
          system_type: p.systemType,
          interface_version: p.interfaceVersion,
        },
      });
    } catch (e) {
      this.close(e instanceof Error ? e : new LinkClosed(String(e)));
      throw e;
    }
    if (resp.status !== Status.ESME_ROK) {
      const refused = new BindRefused(resp.status, p.command);
      this.close(refused);
      throw refused;
    }
    this.#bound = true;
  }

  /**
   * Sends a request; resolves its response (any status). Rejects with ResponseTimeout or
   * LinkClosed, or with the encoder's RangeError when a field does not fit.
   */
  request(init: Omit<PduInit, "seq">): Promise<Pdu> {
    if (this.#ending) return Promise.reject(this.#ending);
    this.#seq = this.#seq >= 0x7fffffff ? 1 : this.#seq + 1;
    const seq = this.#seq;
    let bytes: Uint8Array;
    try {
      bytes = encode({ ...init, seq });
    } catch (e) {
      return Promise.reject(e); // a field that does not fit (RangeError): the request's fault
    }
    const { promise, resolve, reject } = Promise.withResolvers<Pdu>();
    const deadline = this.#now() + this.#opts.responseTimeoutMs;
    this.#pending.set(seq, { command: init.command, deadline, resolve, reject });
    this.#out.send(bytes);
    return promise;
  }

  /** Resolves once no request waits for its response, or after `ms`, or when the link closes. */
  async settled(ms: number): Promise<void> {
    if (this.#pending.size === 0 || this.#isClosed) return;
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#idleWaiters.push(resolve);
    await Promise.race([promise, this.#wait(ms)]);
  }

  /** Unbinds (waiting at most `ms` for unbind_resp), then closes. */
  async unbind(ms: number): Promise<void> {
    if (this.#isClosed) return;
    if (this.#ending) {
      // Already closing (the upstream unbound): give it the time to finish.
      await this.#wait(ms);
      return this.close(this.#ending);
    }
    const resp = this.request({ command: "unbind" });
    this.#ending = new LinkClosed("unbound");
    try {
      await Promise.race([resp, this.#wait(ms)]);
    } catch (e) {
      log.debug("{label}: unbind: {error}", { ...this.#ctx, error: String(e) });
    }
    this.close(this.#ending);
  }

  /** Closes the connection; waiting requests are rejected with `reason`. */
  close(reason: Error) {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#ending ??= reason;
    clearInterval(this.#timer);
    this.#out.drop();
    try {
      this.#conn.close();
    } catch (e) {
      // Closing a connection the peer already closed is expected; anything else is worth a line.
      log.debug("{label}: close: {error}", { ...this.#ctx, error: String(e) });
    }
    for (const w of this.#pending.values()) w.reject(reason);
    this.#pending.clear();
    this.#wakeIdle();
    this.#closed.resolve(reason);
  }

  /** A wait of `ms` that ends early when the link closes (its timer is always cleared). */
  #wait(ms: number): Promise<void> {
    let t: ReturnType<typeof setTimeout> | undefined;
    return Promise.race([
      new Promise<void>((r) => t = setTimeout(r, ms)),
      this.#closed.promise.then(() => {}),
    ]).finally(() => clearTimeout(t));
  }

  async #read() {
    try {
      for await (const frames of readFrameBatches((p) => this.#conn.read(p))) {
        this.#lastRx = this.#now();
        for (const frame of frames) {
          this.#onFrame(frame);
          if (this.#isClosed) return;
        }
      }
      this.close(new LinkClosed("the upstream closed the connection"));
    } catch (e) {
      this.close(new LinkClosed(`reading from the upstream failed: ${e}`));
    }
  }

  #onFrame(frame: Uint8Array) {
    const h = peekHeader(frame);
    const cmd = commandById(h.commandId);
    if (isResponse(h.commandId)) {
      const w = this.#pending.get(h.seq);
      if (!w) {
        log.debug("{label}: response to no request (seq {seq})", { ...this.#ctx, seq: h.seq });
        return;
      }
      this.#pending.delete(h.seq);
      this.#wakeIdle();
      if (!cmd) return w.reject(new LinkClosed(`unknown response 0x${h.commandId.toString(16)}`));
      let pdu: Pdu;
      try {
        pdu = decode(frame);
      } catch (e) {
        // The status in the header still tells the outcome.
        log.debug("{label}: undecodable {cmd}: {error}", { ...this.#ctx, cmd: cmd.name, error: e });
        pdu = headerOnly(cmd, h);
      }
      return w.resolve(pdu);
    }
    if (!cmd) return this.#out.send(genericNack(h.seq, Status.ESME_RINVCMDID));
    let pdu: Pdu;
    try {
      pdu = decode(frame);
    } catch (e) {
      const status = e instanceof SmppError ? e.status : Status.ESME_RSYSERR;
      log.warn("{label}: bad {cmd} from the upstream: {error}", {
        ...this.#ctx,
        cmd: cmd.name,
        error: String(e),
      });
      return this.#answer(cmd, h.seq, status);
    }
    switch (pdu.command) {
      case "enquire_link":
        return this.#answer(cmd, h.seq, Status.ESME_ROK);
      case "unbind":
        this.#answer(cmd, h.seq, Status.ESME_ROK);
        this.#ending ??= new LinkClosed("the upstream unbound");
        this.#out.drain().then(() => this.close(new LinkClosed("the upstream unbound")));
        return;
      case "deliver_sm":
      case "data_sm":
        return this.#handle(pdu);
      case "alert_notification":
        return;
      default:
        return this.#answer(cmd, h.seq, Status.ESME_RINVBNDSTS);
    }
  }

  #wakeIdle() {
    if (this.#pending.size === 0) { for (const w of this.#idleWaiters.splice(0)) w(); }
  }

  get #ctx() {
    return { label: this.#opts.label };
  }

  #handle(pdu: Pdu<"deliver_sm" | "data_sm">) {
    const task = this.#opts.onRequest(pdu).catch((e) => {
      log.error("{label}: handling {cmd} failed: {error}", {
        ...this.#ctx,
        cmd: pdu.command,
        error: String(e),
      });
      return Status.ESME_RSYSERR;
    }).then((status) => {
      if (this.#isClosed) return;
      const body = { message_id: "" };
      this.#out.send(encode({ command: `${pdu.command}_resp`, seq: pdu.seq, status, body }));
    }).catch((e) => {
      log.error("{label}: answering {cmd} failed: {error}", {
        ...this.#ctx,
        cmd: pdu.command,
        error: String(e),
      });
    }).finally(() => this.#handlers.delete(task));
    this.#handlers.add(task);
  }

  #answer(cmd: CommandDef, seq: number, status: number) {
    const resp = commandById((cmd.id | 0x80000000) >>> 0);
    this.#out.send(
      resp ? encode({ command: resp.name, seq, status }) : genericNack(seq, Status.ESME_RINVCMDID),
    );
  }

  #tick() {
    const now = this.#now();
    for (const [seq, w] of this.#pending) {
      if (w.deadline > now) continue;
      this.#pending.delete(seq);
      const e = new ResponseTimeout(w.command, this.#opts.responseTimeoutMs);
      w.reject(e);
      if (w.command === "enquire_link") this.close(new LinkClosed(e.message));
    }
    this.#wakeIdle();
    const idle = this.#opts.enquireLinkMs;
    if (!this.usable || this.#enquiring || idle <= 0 || now - this.#lastRx < idle) return;
    this.#enquiring = true;
    this.request({ command: "enquire_link" }).then(
      () => this.#enquiring = false,
      (e) => {
        this.#enquiring = false;
        log.debug("{label}: enquire_link: {error}", { ...this.#ctx, error: String(e) });
      },
    );
  }
}
