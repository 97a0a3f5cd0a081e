/**
 * A do-nothing SMSC on node-smpp (npm:smpp): answers binds OK and every submit_sm with a counter
 * message id, stores nothing. The yardstick for the gateway under the same load generator.
 */
import smpp from "smpp";

/** The few node-smpp shapes used here (the package ships no types). */
interface NpmPdu {
  response(fields?: Record<string, unknown>): unknown;
}
interface NpmSession {
  on(event: string, fn: (pdu: NpmPdu) => void): void;
  send(pdu: unknown): boolean;
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
  close(): Promise<void>;
}

/** Starts the node-smpp server on 127.0.0.1 with an OS-chosen port. */
export async function startNpmServer(): Promise<NpmSmppServer> {
  let id = 0;
  const createServer = (smpp as unknown as { createServer: CreateServer }).createServer;
  const server = createServer((session) => {
    const ok = (pdu: NpmPdu) => session.send(pdu.response());
    session.on("bind_transceiver", ok);
    session.on("bind_transmitter", ok);
    session.on("bind_receiver", ok);
    session.on("enquire_link", ok);
    session.on("submit_sm", (pdu) => session.send(pdu.response({ message_id: String(++id) })));
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
      return id;
    },
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
