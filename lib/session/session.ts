/**
 * One SMPP session per connection: frames in, the state table decides, the handler does the
 * work, responses out. The session never lets one bad PDU end another session.
 */
import { getLogger } from "@logtape/logtape";
import { INTERFACE_VERSION } from "../core/defaults.ts";
import { PDU_IN, PDU_OUT } from "../core/pdu_counts.ts";
import type { Conn } from "../transport/conn.ts";
import { SmppError } from "../smpp/errors.ts";
import { FrameError, readFrameBatches } from "../smpp/frames.ts";
import { OutstandingRequests } from "./outstanding.ts";
import { CoalescingWriter } from "./writer.ts";
import { dueTimer } from "./timers.ts";
import type {
  BindDecision,
  Reply,
  SessionMeters,
  SessionOptions,
  SessionStats,
} from "./contract.ts";
import {
  decode,
  encode,
  encodeIdResponse,
  genericNack,
  type Header,
  headerOnly,
  type Pdu,
  type PduInit,
  peekHeader,
} from "../smpp/codec.ts";
import {
  type BindCommand,
  commandById,
  type CommandDef,
  CommandId,
  isResponse,
} from "../smpp/commands.ts";
import { Status } from "../smpp/status.ts";
import { intTlv, Tag } from "../smpp/tlvs.ts";
import { BIND_STATE, canReceive, isAllowed, refusal, type SessionState } from "../smpp/states.ts";
import {
  logBound,
  logClosed,
  logUnbind,
  traceEnabled,
  tracePdu,
  traceResponse,
} from "./session_log.ts";

const log = getLogger(["smppgw", "session"]);

/** The business side of a session (internal to the gateway). */
export interface SessionHandler {
  /** Authenticates and registers a bind; resolves the decision. */
  bind(s: Session, pdu: Pdu<BindCommand>, state: SessionState): Promise<BindDecision>;
  /** Called once the successful bind_*_resp has been queued. */
  bound(s: Session): void;
  /** Handles a request allowed in the current state (submit_sm, query_sm, …). */
  request(s: Session, pdu: Pdu): Promise<Reply>;
  /** Called once when the session ends. */
  closed(s: Session): void;
}

/** A closing session gives its last output at most this long (or drainTimeoutMs if less). */
export const CLOSE_DRAIN_MS = 5000;

let nextSessionId = 1;

/** Requests that submit a message (counted in {@link SessionStats.submitted} when accepted). */
const SUBMITS: ReadonlySet<string> = new Set(["submit_sm", "data_sm", "submit_multi"]);
/** Requests whose response body is only a message_id. */
const ID_ONLY: ReadonlySet<number> = new Set([CommandId.submit_sm, CommandId.data_sm]);

/** A session; `run()` serves it until the connection ends. */
export class Session {
  /** Process-unique id, for logs. */
  readonly id = nextSessionId++;
  /** The SMPP session state (OPEN, BOUND_TX, …). */
  state: SessionState = "OPEN";
  #account = "";
  /** interface_version from the bind; below 0x34 the gateway sends no TLVs. */
  interfaceVersion: number = INTERFACE_VERSION;
  /** The peer's address. */
  readonly remote: string;
  /** What this session did so far (for the admin API and the close log line). */
  readonly stats: SessionStats = { boundAt: 0, submitted: 0, delivered: 0, pdus: 0 };
  /** "transmitter", "receiver" or "transceiver" once bound. */
  #bindType = "";
  /** Trace lines on (read once per session, so the per-PDU cost is one test while off). */
  readonly #trace = traceEnabled();
  readonly #conn: Conn;
  readonly #handler: SessionHandler;
  readonly #opts: SessionOptions;
  readonly #meters: SessionMeters | undefined;
  readonly #out: CoalescingWriter;
  #inflight = 0;
  #window: number;
  #delivering = 0;
  readonly #requests = new OutstandingRequests();
  #bindPending = false;
  #enquirePending = false;
  #lastRx = Date.now();
  /** When the currently buffered, incomplete PDU began arriving (0 = none). */
  #partialSince = 0;
  /** When reading paused for unsent output (0 = reading). */
  #pausedAt = 0;
  readonly #openedAt = Date.now();
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = Promise.withResolvers<void>();
  #closing = false;
  /** The close in progress (settle, write the last bytes, close), once one has started. */
  #closeTask: Promise<void> | null = null;
  /** Woken when no request is in flight any more. */
  #idleWaiters: (() => void)[] = [];

  /** A session on `conn`; nothing happens until {@link run}. `meters` count its PDUs. */
  constructor(conn: Conn, handler: SessionHandler, opts: SessionOptions, meters?: SessionMeters) {
    this.#conn = conn;
    this.#meters = meters;
    this.remote = conn.remote;
    this.#handler = handler;
    this.#opts = opts;
    this.#window = opts.window;
    this.#out = new CoalescingWriter((p) => conn.write(p), () => {
      this.#closing = true;
      try {
        this.#conn.close();
      } catch { /* already closed */ }
    }, { maxBytes: opts.maxOutputBytes });
  }

  /** Resolves when the session has ended. */
  get done(): Promise<void> {
    return this.#closed.promise;
  }

  /** Request window in force (the account's, else the session default). */
  get window(): number {
    return this.#window;
  }

  /** system_id of the bound account ("" before the bind). */
  get account(): string {
    return this.#account;
  }

  /** Reads and serves PDUs until the connection ends, then cleans up. */
  async run(): Promise<void> {
    const o = this.#opts;
    const tick = Math.max(
      10,
      Math.min(
        1000,
        ...[
          o.enquireLinkMs,
          o.responseTimeoutMs,
          o.bindTimeoutMs,
          o.inactivityMs,
          o.pduTimeoutMs,
          o.drainTimeoutMs,
        ]
          .filter((t) => t > 0)
          .map((t) => t / 4),
      ),
    );
    this.#timer = setInterval(() => this.#tick(), tick);
    try {
      // The PDUs of one read, each a view of the read buffer, handled before the next read.
      const batches = readFrameBatches((p) => this.#conn.read(p), {
        maxLength: o.maxPduLength,
        onPartial: (n) => this.#partialSince = n === 0 ? 0 : this.#partialSince || Date.now(),
        onIdle: () => this.#out.uncork(),
      });
      read: for await (const frames of batches) {
        this.#lastRx = Date.now();
        for (const frame of frames) {
          // Output caused by the PDUs of one read (responses, receipts freed by deliver_sm_resp)
          // leaves in one write once they are all handled.
          this.#out.cork();
          this.#onFrame(frame);
          if (this.#closing) break read;
          // Backpressure: no next frame (and so no next read) while the peer leaves output unread.
          const drained = this.#out.ready();
          if (drained) {
            this.#out.uncork();
            await this.#paused(drained);
            if (this.#closing) break read;
            // The rest of this read counts as received now, as it is handled now.
            this.#lastRx = Date.now();
          }
        }
      }
    } catch (e) {
      if (e instanceof FrameError) {
        log.warn("session {id} from {remote}: {error}; closing", {
          id: this.id,
          remote: this.remote,
          error: e.message,
        });
        this.#send(genericNack(e.seq, e.status));
      } else if (!this.#closing) {
        log.debug("session {id} read ended: {error}", { id: this.id, error: String(e) });
      }
    }
    this.#out.uncork();
    await this.#finish();
  }

  /** Waits out a pause in reading; the time does not count against the PDU timeout. */
  async #paused(drained: Promise<void>) {
    this.#pausedAt = Date.now();
    log.debug("session {id}: {bytes} bytes unsent; reading paused", {
      id: this.id,
      bytes: this.#out.pending,
    });
    await drained;
    if (this.#partialSince > 0) this.#partialSince += Date.now() - this.#pausedAt;
    this.#pausedAt = 0;
  }

  /** True when a receipt can be sent now: bound to receive and under the deliver window. */
  canDeliver(): boolean {
    return canReceive(this.state) && !this.#closing && this.#delivering < this.#opts.deliverWindow;
  }

  /** Sends a deliver_sm and resolves its response's command_status (rejects on timeout/close). */
  async deliver(pdu: Omit<PduInit, "seq"> | Uint8Array): Promise<number> {
    this.#delivering++;
    this.stats.delivered++;
    try {
      return await this.#requestStatus(pdu);
    } finally {
      this.#delivering--;
    }
  }

  /** Server-initiated unbind: send unbind, wait up to `waitMs` for unbind_resp, close. */
  async unbind(waitMs = this.#opts.responseTimeoutMs): Promise<void> {
    if (this.#closing) return this.done;
    if (this.state === "BOUND_TX" || this.state === "BOUND_RX" || this.state === "BOUND_TRX") {
      this.state = "UNBOUND";
      logUnbind(this.#facts(), "gateway");
      try {
        await this.#request({ command: "unbind" }, waitMs);
      } catch { /* closing anyway */ }
    }
    await this.close();
  }

  /**
   * Closes once the requests in flight are answered (waiting at most responseTimeoutMs) and
   * queued output is written (waiting at most {@link CLOSE_DRAIN_MS}; what is left is dropped).
   */
  close(): Promise<void> {
    return this.#close();
  }

  /** {@link close}, writing `last` (e.g. unbind_resp) after the responses still owed. */
  #close(last?: Uint8Array): Promise<void> {
    if (!this.#closing) {
      this.#closing = true;
      this.#closeTask = (async () => {
        await this.#settle();
        if (last) this.#send(last);
        await this.#shut();
      })();
    }
    return this.done;
  }

  /**
   * Gives queued output a bounded time to be written, then closes the connection (which aborts
   * a write in flight) and drops what is left, so a peer that does not read cannot hold the
   * session, its slot or its memory. The wait is shorter by however long output has already been
   * stuck, so a session closed for not reading closes at once.
   */
  async #shut(): Promise<void> {
    const d = this.#opts.drainTimeoutMs;
    const limit = d > 0 ? Math.min(d, CLOSE_DRAIN_MS) : CLOSE_DRAIN_MS;
    const left = limit - this.#out.stalledMs();
    if (left > 0) {
      let t: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        this.#out.drain(),
        new Promise<void>((resolve) => t = setTimeout(resolve, left)),
      ]);
      clearTimeout(t);
    }
    try {
      this.#conn.close();
    } catch { /* already closed */ }
    this.#out.drop();
  }

  /** Resolves when no request is in flight, or after responseTimeoutMs. */
  async #settle(): Promise<void> {
    const ms = this.#opts.responseTimeoutMs;
    if ((this.#inflight === 0 && !this.#bindPending) || ms <= 0) return;
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#idleWaiters.push(resolve);
    const t = setTimeout(resolve, ms);
    await promise;
    clearTimeout(t);
  }

  #wakeIdle() {
    if (this.#inflight === 0 && !this.#bindPending) {
      for (const w of this.#idleWaiters.splice(0)) w();
    }
  }

  #onFrame(frame: Uint8Array) {
    this.stats.pdus++;
    this.#meters?.pdus.countFrame(PDU_IN, frame);
    const h = peekHeader(frame);
    const cmd = commandById(h.commandId);
    if (!cmd) {
      if (!isResponse(h.commandId)) this.#send(genericNack(h.seq, Status.ESME_RINVCMDID));
      return;
    }
    if (isResponse(cmd.id)) return this.#onResponse(cmd, frame, h);
    if (!isAllowed(cmd.name, this.state) || (this.#bindPending && cmd.name.startsWith("bind_"))) {
      const status = this.#bindPending ? Status.ESME_RALYBND : refusal(cmd.name, this.state);
      if (CommandId[`${cmd.name}_resp`] === undefined) {
        this.#send(genericNack(h.seq, Status.ESME_RINVCMDID));
      } else this.#reply(cmd, h.seq, { status });
      return;
    }
    let pdu: Pdu;
    try {
      pdu = decode(frame);
    } catch (e) {
      const status = e instanceof SmppError ? e.status : Status.ESME_RSYSERR;
      log.info("session {id}: bad {command} seq {seq}: {error}", {
        id: this.id,
        command: cmd.name,
        seq: h.seq,
        error: e instanceof Error ? e.message : String(e),
      });
      this.#reply(cmd, h.seq, { status });
      if (cmd.name.startsWith("bind_")) this.close();
      return;
    }
    if (this.#trace) tracePdu(this.id, pdu);
    switch (pdu.command) {
      case "enquire_link":
        return this.#reply(cmd, h.seq, { status: Status.ESME_ROK });
      case "unbind":
        // Requests still in flight are answered first, then unbind_resp, then the close.
        this.state = "UNBOUND";
        logUnbind(this.#facts(), "client");
        this.#close(encode({ command: "unbind_resp", seq: h.seq, status: Status.ESME_ROK }));
        return;
      case "bind_transmitter":
      case "bind_receiver":
      case "bind_transceiver":
        this.#bind(cmd, pdu);
        return;
      default:
        this.#serve(cmd, pdu);
    }
  }

  async #bind(cmd: CommandDef, pdu: Pdu<BindCommand>) {
    this.#bindPending = true;
    const target = BIND_STATE[cmd.name];
    let decision: BindDecision;
    try {
      decision = await this.#handler.bind(this, pdu, target);
    } catch (e) {
      log.error("session {id}: bind failed: {error}", { id: this.id, error: String(e) });
      decision = { status: Status.ESME_RSYSERR };
    }
    const status = decision.status;
    this.#bindPending = false;
    if (this.#closing) {
      // The close waited for this answer; a closing session does not become bound.
      this.#reply(cmd, pdu.seq, {
        status: status === Status.ESME_ROK ? Status.ESME_RBINDFAIL : status,
      });
      // A bind that finished after the session ended registered a session that is gone.
      if (status === Status.ESME_ROK && this.state === "CLOSED") this.#handler.closed(this);
      this.#wakeIdle();
      return;
    }
    if (status !== Status.ESME_ROK) {
      this.#reply(cmd, pdu.seq, { status });
      // Some clients treat any bind_resp on an open socket as bound: close after a refusal.
      this.close();
      return;
    }
    this.state = target;
    this.#account = decision.account ?? "";
    this.stats.boundAt = Date.now();
    if (decision.window !== undefined) this.#window = decision.window;
    this.interfaceVersion = pdu.body.interface_version;
    this.#bindType = cmd.name.slice("bind_".length);
    logBound(this.#facts());
    this.#reply(cmd, pdu.seq, {
      status,
      body: { system_id: this.#opts.systemId },
      tlvs: this.interfaceVersion >= INTERFACE_VERSION
        ? [intTlv(Tag.sc_interface_version, INTERFACE_VERSION)]
        : [],
    });
    this.#handler.bound(this);
  }

  async #serve(cmd: CommandDef, pdu: Pdu) {
    // A submit_multi takes a window slot per destination (one alone may exceed the window).
    const weight = pdu.command === "submit_multi" ? Math.max(1, pdu.body.dests.length) : 1;
    const inflight = this.#inflight;
    if (inflight >= this.#window || (inflight > 0 && inflight + weight > this.#window)) {
      if (this.#meters) this.#meters.throttled.window++;
      return this.#reply(cmd, pdu.seq, { status: Status.ESME_RTHROTTLED });
    }
    this.#inflight += weight;
    let reply: Reply;
    try {
      reply = await this.#handler.request(this, pdu);
    } catch (e) {
      reply = { status: e instanceof SmppError ? e.status : Status.ESME_RSYSERR };
      if (!(e instanceof SmppError)) {
        log.error("session {id}: {command} failed: {error}", {
          id: this.id,
          command: cmd.name,
          error: String(e),
        });
      }
    } finally {
      this.#inflight -= weight;
    }
    if (reply.status === Status.ESME_ROK && SUBMITS.has(cmd.name)) this.stats.submitted++;
    this.#reply(cmd, pdu.seq, reply);
    this.#wakeIdle();
  }

  #onResponse(cmd: CommandDef, frame: Uint8Array, h: Header) {
    if (this.#trace) traceResponse(this.id, cmd.name, h);
    const matched = this.#requests.answer(
      h.seq,
      () => {
        try {
          return decode(frame);
        } catch {
          // A response with a broken body still tells its status.
          return headerOnly(cmd, h);
        }
      },
      h.commandId,
      h.status,
    );
    if (!matched) {
      log.debug("session {id}: {command} for unknown seq {seq} (or another command) dropped", {
        id: this.id,
        command: cmd.name,
        seq: h.seq,
      });
    }
  }

  /** Sends a request and awaits its response. */
  #request(init: Omit<PduInit, "seq">, timeoutMs = this.#opts.responseTimeoutMs): Promise<Pdu> {
    if (this.#closing) return Promise.reject(new SmppError(Status.ESME_RSYSERR, "session closed"));
    const seq = this.#requests.nextSeq();
    const response = this.#requests.wait(seq, timeoutMs, CommandId[init.command]);
    this.#send(encode({ ...init, seq }));
    return response;
  }

  /**
   * Sends a request (a PDU, or its octets with sequence number 0, set here) and awaits the
   * command_status of its response (its body is not decoded).
   */
  #requestStatus(init: Omit<PduInit, "seq"> | Uint8Array): Promise<number> {
    if (this.#closing) return Promise.reject(new SmppError(Status.ESME_RSYSERR, "session closed"));
    const seq = this.#requests.nextSeq();
    const timeoutMs = this.#opts.responseTimeoutMs;
    if (!(init instanceof Uint8Array)) {
      const response = this.#requests.waitStatus(seq, timeoutMs, CommandId[init.command]);
      this.#send(encode({ ...init, seq }));
      return response;
    }
    const commandId = ((init[4] << 24) | (init[5] << 16) | (init[6] << 8) | init[7]) >>> 0;
    const response = this.#requests.waitStatus(seq, timeoutMs, commandId);
    init[12] = seq >>> 24;
    init[13] = seq >>> 16;
    init[14] = seq >>> 8;
    init[15] = seq;
    this.#send(init);
    return response;
  }

  #reply(cmd: CommandDef, seq: number, r: Reply) {
    // The most frequent answer, an accepted submit_sm, written without the PDU object.
    if (r.status === 0 && r.tlvs === undefined && ID_ONLY.has(cmd.id)) {
      const id = r.body?.message_id;
      const bytes = typeof id === "string" && id.length <= 64
        ? encodeIdResponse((cmd.id | 0x80000000) >>> 0, seq, id)
        : null;
      if (bytes) return this.#send(bytes);
    }
    this.#send(
      encode({
        command: `${cmd.name}_resp`,
        seq,
        status: r.status,
        body: r.body,
        tlvs: r.tlvs,
        errorBody: r.errorBody,
      }),
    );
  }

  #send(bytes: Uint8Array) {
    if (this.state === "CLOSED") return;
    this.#meters?.pdus.countFrame(PDU_OUT, bytes);
    this.#out.send(bytes);
  }

  #tick() {
    const now = Date.now();
    const o = this.#opts;
    this.#requests.expire(now);
    if (this.#closing) return;
    const action = dueTimer(o, {
      now,
      openedAt: this.#openedAt,
      lastRx: this.#lastRx,
      partialSince: this.#partialSince,
      stalledMs: this.#out.stalledMs(now),
      paused: this.#pausedAt !== 0,
      awaitingBind: this.state === "OPEN" && !this.#bindPending,
      bound: this.state === "BOUND_TX" || this.state === "BOUND_RX" || this.state === "BOUND_TRX",
      enquirePending: this.#enquirePending,
    });
    const facts = { id: this.id, remote: this.remote };
    switch (action) {
      case "drain":
        log.info("session {id} from {remote}: {bytes} bytes unread for {ms} ms; closing", {
          ...facts,
          bytes: this.#out.pending,
          ms: o.drainTimeoutMs,
        });
        this.close();
        return;
      case "pdu":
        log.info("session {id} from {remote}: a PDU took over {ms} ms to arrive; closing", {
          ...facts,
          ms: o.pduTimeoutMs,
        });
        this.close();
        return;
      case "bind":
        log.debug("session {id} from {remote}: no bind within {ms} ms; closing", {
          ...facts,
          ms: o.bindTimeoutMs,
        });
        this.close();
        return;
      case "inactive":
        log.info("session {id}: inactive for {ms} ms; unbinding", { ...facts, ms: o.inactivityMs });
        this.unbind();
        return;
      case "enquire":
        this.#enquirePending = true;
        this.#request({ command: "enquire_link" }).then(
          () => this.#enquirePending = false,
          () => {
            log.info("session {id}: enquire_link unanswered; closing", { id: this.id });
            this.close();
          },
        );
    }
  }

  async #finish() {
    this.#closing = true;
    clearInterval(this.#timer);
    await this.#closeTask;
    await this.#settle();
    await this.#shut();
    this.state = "CLOSED";
    this.#requests.failAll();
    this.#handler.closed(this);
    logClosed(this.#facts(), Date.now() - this.#openedAt, this.stats);
    this.#closed.resolve();
  }

  #facts() {
    return { id: this.id, account: this.#account, bindType: this.#bindType, remote: this.remote };
  }
}
