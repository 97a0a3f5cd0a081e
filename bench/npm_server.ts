/**
 * A do-nothing SMSC on node-smpp (npm:smpp): answers every bind OK and every submit_sm with a
 * counter message id; when the submit_sm asks for a receipt (registered_delivery & 1) it sends a
 * deliver_sm receipt on the same session right after the submit_sm_resp. It stores nothing. The
 * yardstick for the gateway under the same load generator (run by bench/serve_npm.ts).
 */
import smpp from "smpp";

/** The few node-smpp shapes used here (the package ships no types). */
interface NpmPdu {
  response(fields?: Record<string, unknown>): unknown;
  [field: string]: unknown;
}
interface NpmSession {
  on(event: string, fn: (pdu: NpmPdu) => void): void;
  send(pdu: unknown): boolean;
  deliver_sm(fields: Record<string, unknown>, cb: (resp: NpmPdu) => void): void;
  close(): void;
  destroy(): void;
}
interface NpmServer {
  sessions: NpmSession[];
  listen(port: number, host: string, cb: () => void): void;
  address(): { port: number };
  close(cb: () => void): void;
}
type CreateServer = (listener: (s: NpmSession) => void) => NpmServer;

/** A running node-smpp server. */
export interface NpmSmppServer {
  port: number;
  /** submit_sm answered so far. */
  readonly submitted: number;
  /** submitted, receiptsSent, receiptsAcked (deliver_sm_resp received). */
  stats(): Record<string, number>;
  close(): Promise<void>;
}

let lastMinute = -1;
let lastDate = "";

/** YYMMDDhhmm (UTC), the receipt's date format; computed once a minute. */
function smppDate(ms: number): string {
  const minute = Math.floor(ms / 60_000);
  if (minute !== lastMinute) {
    lastMinute = minute;
    lastDate = new Date(ms).toISOString().replace(/\D/g, "").slice(2, 12);
  }
  return lastDate;
}

/** Starts the node-smpp server on 127.0.0.1 with an OS-chosen port. */
export async function startNpmServer(): Promise<NpmSmppServer> {
  let submitted = 0;
  let receiptsSent = 0;
  let receiptsAcked = 0;
  const createServer = (smpp as unknown as { createServer: CreateServer }).createServer;
  const server = createServer((session) => {
    const ok = (pdu: NpmPdu) => session.send(pdu.response());
    session.on("bind_transceiver", ok);
    session.on("bind_transmitter", ok);
    session.on("bind_receiver", ok);
    session.on("enquire_link", ok);
    session.on("submit_sm", (pdu) => {
      const id = String(++submitted);
      session.send(pdu.response({ message_id: id }));
      if (((pdu.registered_delivery as number) & 1) === 0) return;
      const date = smppDate(Date.now());
      const sm = pdu.short_message as { message?: unknown } | undefined;
      const text = String(sm?.message ?? "").slice(0, 20);
      receiptsSent++;
      session.deliver_sm({
        source_addr_ton: pdu.dest_addr_ton,
        source_addr_npi: pdu.dest_addr_npi,
        source_addr: pdu.destination_addr,
        dest_addr_ton: pdu.source_addr_ton,
        dest_addr_npi: pdu.source_addr_npi,
        destination_addr: pdu.source_addr,
        esm_class: 0x04,
        short_message: `id:${id} sub:001 dlvrd:001 submit date:${date} done date:${date} ` +
          `stat:DELIVRD err:000 text:${text}`,
        receipted_message_id: id,
        message_state: 2,
      }, () => receiptsAcked++);
    });
    session.on("unbind", (pdu) => {
      session.send(pdu.response());
      session.close();
    });
    session.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: server.address().port,
    get submitted() {
      return submitted;
    },
    stats: () => ({ submitted, receiptsSent, receiptsAcked }),
    async close() {
      for (const s of [...server.sessions]) s.destroy();
      let t: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        new Promise<void>((resolve) => server.close(() => resolve())),
        new Promise<void>((resolve) => t = setTimeout(resolve, 2000)),
      ]);
      clearTimeout(t);
    },
  };
}
