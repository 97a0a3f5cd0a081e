/**
 * `main.ts send`: an SMPP client for any SMSC. Binds as a transceiver, submits one message (in
 * parts when long), prints each message id, with `--dlr` waits for the receipts (a live count on
 * stderr, bounded by `--timeout`) and prints them, then unbinds. The transport is injected.
 */
import type { Pdu } from "../smpp/codec.ts";
import { INTERFACE_VERSION } from "../core/defaults.ts";
import { statusName } from "../smpp/status.ts";
import { decodeText } from "../text/coding.ts";
import type { Conn, Connect } from "../transport/conn.ts";
import { EsmeLink } from "../routes/smpp/client.ts";
import type { CliIo } from "./io.ts";
import type { SendOptions } from "./send_args.ts";
import { submitPdus } from "./send_pdus.ts";
import { readReceipt, receiptLine, ReceiptWatch } from "./send_receipts.ts";

/** What `send` needs from outside. */
export interface SendDeps {
  /** Opens the connection (main.ts: `connect` of lib/deno.ts). */
  connect: Connect;
  io: CliIo;
  /** Picks the concatenation reference (default Math.random). */
  random?: () => number;
}

/** How long an unbind waits for unbind_resp at most. */
const UNBIND_WAIT_MS = 2000;

/** Resolves true when `p` settles within `ms`, false when the time runs out first. */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let t: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p.then(() => true),
      new Promise<boolean>((resolve) => t = setTimeout(() => resolve(false), ms)),
    ]);
  } finally {
    clearTimeout(t);
  }
}

async function connectWithin(connect: Connect, o: SendOptions): Promise<Conn> {
  const attempt = connect({ hostname: o.host, port: o.port, tls: o.tls });
  let t: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(`no connection within ${o.timeoutMs} ms`)), o.timeoutMs);
  });
  try {
    return await Promise.race([attempt, timeout]);
  } catch (e) {
    // Too late or failed: a connection that still arrives is closed; its own error is the one
    // already reported (or the timeout is).
    attempt.then((c) => c.close(), () => {});
    throw e;
  } finally {
    clearTimeout(t);
  }
}

/** One run of `send`. */
class Sender {
  readonly #o: SendOptions;
  readonly #io: CliIo;
  readonly #watch = new ReceiptWatch();
  #changed = Promise.withResolvers<void>();
  #progress = "";

  constructor(o: SendOptions, io: CliIo) {
    this.#o = o;
    this.#io = io;
  }

  /** A line on stdout, keeping the live progress line below it. */
  print(line: string) {
    if (this.#progress && this.#io.live) this.#io.progress("");
    this.#io.out(line);
    if (this.#progress && this.#io.live) this.#io.progress(this.#progress);
  }

  /** A deliver_sm or data_sm from the SMSC: a receipt, or an inbound message. */
  onDeliver(pdu: Pdu<"deliver_sm" | "data_sm">): Promise<number> {
    const r = readReceipt(pdu);
    if (r) {
      this.print(receiptLine(r));
      this.#watch.add(r);
    } else {
      const sm = pdu.command === "deliver_sm" ? pdu.body.short_message : new Uint8Array(0);
      let text: string;
      try {
        text = decodeText(sm, pdu.body.data_coding).text ?? `(${sm.length} octets of data)`;
      } catch (e) {
        text = `(undecodable: ${(e as Error).message})`;
      }
      this.print(`message from ${pdu.body.source_addr} to ${pdu.body.destination_addr}: ${text}`);
    }
    this.#changed.resolve();
    this.#changed = Promise.withResolvers<void>();
    return Promise.resolve(0);
  }

  /** Submits every part; resolves how many were accepted. */
  async submit(link: EsmeLink, pdus: ReturnType<typeof submitPdus>): Promise<number> {
    let accepted = 0;
    for (const [i, pdu] of pdus.entries()) {
      const part = pdus.length > 1 ? ` (part ${i + 1}/${pdus.length})` : "";
      const resp = await link.request(pdu);
      if (resp.status === 0 && resp.command === "submit_sm_resp") {
        accepted++;
        if (this.#o.dlr) this.#watch.expect(resp.body.message_id);
        this.print(`message id ${resp.body.message_id}${part}`);
      } else {
        const code = `0x${resp.status.toString(16).padStart(2, "0")}`;
        this.print(`refused${part}: ${statusName(resp.status)} (${code})`);
      }
    }
    return accepted;
  }

  /** Waits for every expected receipt (or the timeout, or the end of the link); true if all DELIVRD. */
  async receipts(link: EsmeLink): Promise<boolean> {
    const w = this.#watch;
    const deadline = Date.now() + this.#o.timeoutMs;
    const show = () => {
      const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      this.#progress = `receipts ${w.received}/${w.expected}, ${left} s left`;
      this.#io.progress(this.#progress);
    };
    const tick = this.#io.live ? setInterval(show, 1000) : undefined;
    let closed = false;
    link.closed.then(() => closed = true);
    try {
      show();
      while (w.received < w.expected && !closed) {
        const left = deadline - Date.now();
        if (left <= 0) break;
        await within(Promise.race([this.#changed.promise, link.closed]), left);
        if (w.received < w.expected) show();
      }
    } finally {
      clearInterval(tick);
      if (this.#io.live) this.#io.progress("");
      this.#progress = "";
    }
    const missing = w.expected - w.received;
    const bad = w.undelivered.length - missing;
    if (missing > 0) {
      const why = closed ? "the connection closed" : `${this.#o.timeoutMs / 1000} s`;
      this.#io.err(`smppgw: send: ${missing} of ${w.expected} receipts missing after ${why}`);
    }
    if (bad > 0) this.#io.err(`smppgw: send: ${bad} of ${w.expected} receipts not DELIVRD`);
    return missing === 0 && bad === 0;
  }
}

/**
 * Runs `send`; resolves the exit code: 0 when every part was accepted (and with `dlr` every
 * receipt is DELIVRD), 1 when not or when the SMSC could not be reached. Bad input (a text the
 * coding cannot hold) throws a UsageError before anything is sent.
 *
 * @example
 * ```ts
 * import { runSend } from "./send.ts";
 * import { memoryIo } from "./io.ts";
 * import type { Connect } from "../transport/conn.ts";
 * declare const connect: Connect; // main.ts passes `connect` of lib/deno.ts
 * const io = memoryIo();
 * const code = await runSend({
 *   host: "127.0.0.1", port: 2775, systemId: "acme", password: "s3cret", to: "447700900123",
 *   from: "Acme", text: "Hello", dlr: true, tls: false, timeoutMs: 30_000,
 * }, { connect, io });
 * console.log(code, io.lines); // 0 ["message id …", "receipt …: DELIVRD err 000 done …"]
 * ```
 */
export async function runSend(o: SendOptions, deps: SendDeps): Promise<number> {
  const io = deps.io;
  const pdus = submitPdus(o, Math.floor((deps.random ?? Math.random)() * 256));
  let conn: Conn;
  try {
    conn = await connectWithin(deps.connect, o);
  } catch (e) {
    io.err(`smppgw: send: cannot connect to ${o.host}:${o.port}: ${(e as Error).message}`);
    return 1;
  }
  const sender = new Sender(o, io);
  const link = new EsmeLink(conn, {
    responseTimeoutMs: o.timeoutMs,
    enquireLinkMs: 30_000,
    label: "send",
    onRequest: (pdu) => sender.onDeliver(pdu),
  });
  try {
    await link.bind({
      command: "bind_transceiver",
      systemId: o.systemId,
      password: o.password,
      systemType: "",
      interfaceVersion: INTERFACE_VERSION,
    });
    const accepted = await sender.submit(link, pdus);
    if (accepted < pdus.length) {
      io.err(`smppgw: send: ${pdus.length - accepted} of ${pdus.length} parts refused`);
    }
    const delivered = !o.dlr || accepted === 0 || await sender.receipts(link);
    return accepted === pdus.length && delivered ? 0 : 1;
  } catch (e) {
    io.err(`smppgw: send: ${(e as Error).message}`);
    return 1;
  } finally {
    // One macrotask turn: the deliver_sm_resp of receipts just handled are queued before unbind.
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    await link.unbind(Math.min(UNBIND_WAIT_MS, o.timeoutMs));
    await link.finished();
  }
}
