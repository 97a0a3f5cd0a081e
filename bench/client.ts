/**
 * One load-generating SMPP connection on raw TCP and the gateway's own codec: binds (as a
 * transceiver unless told otherwise), keeps `window` submit_sm outstanding (a new one per response; every send caused
 * by one socket read goes out in one write), answers deliver_sm, and records per-PDU latency.
 */
import { readFrameBatches } from "../lib/smpp/frames.ts";
import { encode, type PduInit, peekHeader } from "../lib/smpp/codec.ts";
import { CommandId } from "../lib/smpp/commands.ts";
import { cstringAt, DELIVER_RESP, receiptedId, setSeq, submitTemplate } from "./wire.ts";

const ID = {
  bindResp: CommandId.bind_transceiver_resp,
  submitResp: CommandId.submit_sm_resp,
  deliver: CommandId.deliver_sm,
  enquire: CommandId.enquire_link,
  unbind: CommandId.unbind,
  unbindResp: CommandId.unbind_resp,
  nack: CommandId.generic_nack,
};

/** Counters shared by all connections of one run (receipts arrive on any of them). */
export interface Shared {
  /** deliver_sm received (and answered) so far. */
  receipts: number;
  /** Distinct receipted message ids among them (a repeat is an at-least-once duplicate). */
  readonly ids: Set<string>;
  /** performance.now() of the latest deliver_sm for a message not seen before. */
  lastReceiptAt: number;
  /** Called after every deliver_sm (lets the runner notice it has them all). */
  onReceipt?: () => void;
  /** Whether to keep `submittedAt` (for submit → receipt latency). */
  readonly trackLatency: boolean;
  /** With `trackLatency`: when each accepted message's submit_sm was sent, by message id. */
  readonly submittedAt: Map<string, number>;
  /** With `trackLatency`: receipts that came before their submit_sm_resp (on another session). */
  readonly receivedAt: Map<string, number>;
  /** Submit → receipt latency (ms) of each message's first receipt. */
  readonly receiptLatencies: number[];
}

/** What one connection sends. */
export interface ConnOptions {
  port: number;
  systemId: string;
  password: string;
  /** submit_sm kept outstanding. */
  window: number;
  /** submit_sm this connection sends in total. */
  count: number;
  /** registered_delivery of every submit_sm. */
  registeredDelivery: number;
  shared: Shared;
  /** How to bind (default transceiver). */
  bindAs?: "transceiver" | "transmitter" | "receiver";
}

/** Fails `p` after `ms` milliseconds (and clears its timer either way). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(`${what}: no answer within ${Math.round(ms)} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}

/** A connected load client; call `bind()`, then `start()`, then await `done`, then `unbind()`. */
export class LoadConn {
  /** Latency of each answered submit_sm (ms), in answer order; `answered` are valid. */
  readonly latencies: Float64Array;
  answered = 0;
  nonOk = 0;
  /** performance.now() of the first send and of the last submit_sm_resp. */
  firstSendAt = 0;
  lastAnswerAt = 0;
  /** Resolves when every submit_sm has been answered; rejects when the connection drops. */
  readonly done: Promise<void>;
  readonly #done = Promise.withResolvers<void>();
  readonly #conn: Deno.TcpConn;
  readonly #o: ConnOptions;
  readonly #tpl: Uint8Array;
  readonly #sentAt: Float64Array;
  readonly #mask: number;
  #seq = 0;
  #sent = 0;
  #out: Uint8Array[] = [];
  /** Sequence numbers of submit_sm waiting for the next write (built from the template then). */
  #queued: number[] = [];
  /** Sequence numbers of deliver_sm to answer in the next write (deliver_sm_resp built then). */
  #answers: number[] = [];
  #writing: Promise<void> | null = null;
  #waiters = new Map<number, (status: number) => void>();
  #reading: Promise<void>;
  #closed = false;

  private constructor(conn: Deno.TcpConn, o: ConnOptions) {
    this.#conn = conn;
    this.#o = o;
    this.#tpl = submitTemplate(o.registeredDelivery);
    this.latencies = new Float64Array(o.count);
    let ring = 1;
    while (ring < 2 * o.window + 8) ring *= 2;
    this.#sentAt = new Float64Array(ring);
    this.#mask = ring - 1;
    this.done = this.#done.promise;
    this.done.catch(() => {});
    if (o.count === 0) this.#done.resolve();
    this.#reading = this.#read();
  }

  /** Opens a TCP connection to 127.0.0.1. */
  static async connect(o: ConnOptions): Promise<LoadConn> {
    const conn = await within(
      Deno.connect({ hostname: "127.0.0.1", port: o.port }),
      5000,
      "connect",
    );
    conn.setNoDelay(true);
    return new LoadConn(conn, o);
  }

  /** Binds (as a transceiver unless told otherwise); resolves the bind response's status. */
  bind(ms = 10_000): Promise<number> {
    const command = `bind_${this.#o.bindAs ?? "transceiver"}` as const;
    return within(
      this.#request({
        command,
        body: { system_id: this.#o.systemId, password: this.#o.password, interface_version: 0x34 },
      }),
      ms,
      command,
    );
  }

  /** Sends the first window of submit_sm; the rest follow as responses arrive. */
  start() {
    this.firstSendAt = performance.now();
    const first = Math.min(this.#o.window, this.#o.count);
    for (let i = 0; i < first; i++) this.#submit(this.firstSendAt);
    this.#flush();
  }

  /** Sends unbind, waits up to `ms` for unbind_resp, and closes the socket. */
  async unbind(ms = 2000): Promise<void> {
    try {
      await within(this.#request({ command: "unbind" }), ms, "unbind");
    } catch { /* closing anyway */ }
    this.close();
    await within(this.#reading, ms, "reader end").catch(() => {});
  }

  /** Closes the socket. */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch { /* already closed */ }
  }

  #request(init: Omit<PduInit, "seq">): Promise<number> {
    const seq = ++this.#seq;
    const { promise, resolve } = Promise.withResolvers<number>();
    this.#waiters.set(seq, resolve);
    this.#out.push(encode({ ...init, seq }));
    this.#flush();
    return promise;
  }

  #submit(now: number) {
    const seq = ++this.#seq;
    this.#sentAt[seq & this.#mask] = now;
    this.#sent++;
    this.#queued.push(seq);
  }

  /** Writes everything queued (submit_sm built from the template here) in one write. */
  #flush() {
    if (this.#writing || !this.#hasOutput()) return;
    this.#writing = this.#writeLoop();
  }

  #hasOutput(): boolean {
    return this.#out.length > 0 || this.#queued.length > 0 || this.#answers.length > 0;
  }

  async #writeLoop(): Promise<void> {
    try {
      while (this.#hasOutput()) {
        const tpl = this.#tpl;
        const seqs = this.#queued;
        const answers = this.#answers;
        let size = seqs.length * tpl.length + answers.length * DELIVER_RESP.length;
        for (const p of this.#out) size += p.length;
        const buf = new Uint8Array(size);
        let off = 0;
        // Answers first: they answer PDUs already received, so an unbind or unbind_resp queued
        // meanwhile never overtakes them (the peer may close right after it).
        for (let i = 0; i < answers.length; i++, off += DELIVER_RESP.length) {
          buf.set(DELIVER_RESP, off);
          setSeq(buf, off, answers[i]);
        }
        for (const p of this.#out) {
          buf.set(p, off);
          off += p.length;
        }
        for (let i = 0; i < seqs.length; i++, off += tpl.length) {
          buf.set(tpl, off);
          setSeq(buf, off, seqs[i]);
        }
        this.#out = [];
        this.#queued = [];
        this.#answers = [];
        for (let w = 0; w < buf.length;) w += await this.#conn.write(buf.subarray(w));
      }
    } catch (e) {
      this.#done.reject(e);
      this.close();
    } finally {
      this.#writing = null;
    }
  }

  async #read(): Promise<void> {
    const conn = this.#conn;
    // Everything sent while handling one read is flushed just before the next read; each frame
    // is a view of the reused read buffer, handled before the next read.
    const batches = readFrameBatches((p) => conn.read(p), { onIdle: () => this.#flush() });
    try {
      for await (const frames of batches) for (const frame of frames) this.#onFrame(frame);
    } catch (e) {
      if (!this.#closed) this.#done.reject(e);
    }
    this.#closed = true;
    if (this.answered < this.#o.count) this.#done.reject(new Error("connection closed"));
    for (const w of this.#waiters.values()) w(-1);
    this.#waiters.clear();
  }

  #onFrame(frame: Uint8Array) {
    const h = peekHeader(frame);
    // A generic_nack that answers no bind/unbind answers a submit_sm.
    if (h.commandId === ID.submitResp || (h.commandId === ID.nack && !this.#waiters.has(h.seq))) {
      const now = performance.now();
      const sentAt = this.#sentAt[h.seq & this.#mask];
      this.latencies[this.answered++] = now - sentAt;
      const s = this.#o.shared;
      if (s.trackLatency && h.status === 0) {
        const id = cstringAt(frame, 16);
        const early = s.receivedAt.get(id);
        if (early === undefined) s.submittedAt.set(id, sentAt);
        else {
          s.receivedAt.delete(id);
          s.receiptLatencies.push(early - sentAt);
        }
      }
      this.lastAnswerAt = now;
      if (h.status !== 0) this.nonOk++;
      if (this.#sent < this.#o.count) this.#submit(now);
      if (this.answered === this.#o.count) this.#done.resolve();
      return;
    }
    switch (h.commandId) {
      case ID.deliver: {
        this.#answers.push(h.seq);
        const s = this.#o.shared;
        s.receipts++;
        const distinct = s.ids.size;
        const id = receiptedId(frame);
        s.ids.add(id);
        if (s.ids.size > distinct) {
          s.lastReceiptAt = performance.now();
          const at = s.submittedAt.get(id);
          if (at !== undefined) {
            s.submittedAt.delete(id);
            s.receiptLatencies.push(s.lastReceiptAt - at);
          } else if (s.trackLatency) s.receivedAt.set(id, s.lastReceiptAt);
        }
        s.onReceipt?.();
        return;
      }
      case ID.enquire:
        this.#out.push(encode({ command: "enquire_link_resp", seq: h.seq }));
        return;
      case ID.unbind:
        this.#out.push(encode({ command: "unbind_resp", seq: h.seq }));
        return;
      default: {
        const w = this.#waiters.get(h.seq);
        if (w) {
          this.#waiters.delete(h.seq);
          w(h.status);
        }
      }
    }
  }
}
