/**
 * Keeps one bound link to the upstream: connects, binds, and when the link drops or the bind is
 * refused, tries again with exponential backoff (500 ms doubling up to the configured cap).
 */
import { getLogger } from "@logtape/logtape";
import type { Connect, ConnectOptions } from "../../transport/conn.ts";
import { type BindParams, BindRefused, EsmeLink, type LinkOptions } from "./client.ts";
import { deadline, Sleeper } from "../sleeper.ts";

const log = getLogger(["smppgw", "route", "smpp"]);

/** First wait before reconnecting. */
export const RECONNECT_MIN_MS = 500;

/** How a {@link Connector} reaches and binds to the upstream. */
export interface ConnectorOptions {
  /** Opens the connection. */
  connect: Connect;
  /** Where to connect. */
  target: ConnectOptions;
  /** What to bind as. */
  bind: BindParams;
  /** Timers and the request handler of each link. */
  link: LinkOptions;
  /** Longest wait between attempts. */
  reconnectMaxMs: number;
  /** First wait between attempts (default {@link RECONNECT_MIN_MS}). */
  reconnectMinMs?: number;
  /** Called with each newly bound link. */
  onUp(link: EsmeLink): void;
  /** Called once a bound link has closed, with the reason. */
  onDown(link: EsmeLink, reason: Error): void;
  /** How long {@link Connector.stop} waits for answers to requests in flight, and for unbind_resp. */
  stopWaitMs: number;
}

/**
 * Runs the connect-bind-serve loop of one link until stopped.
 *
 * @example
 * ```ts
 * import { Connector } from "./connector.ts";
 * import type { ConnectorOptions } from "./connector.ts";
 * declare const opts: ConnectorOptions;
 * const c = new Connector(opts);
 * c.start(); // opts.onUp(link) once bound
 * await c.stop(); // unbinds and closes
 * ```
 */
export class Connector {
  readonly #o: ConnectorOptions;
  readonly #sleeper = new Sleeper();
  #link: EsmeLink | undefined;
  #loop: Promise<void> | undefined;
  #stopped = false;
  /** Resolves on stop: a connect in progress is given up on. */
  readonly #stopSignal = Promise.withResolvers<void>();

  /** A connector; nothing happens before {@link start}. */
  constructor(o: ConnectorOptions) {
    this.#o = o;
  }

  /** Starts connecting. */
  start() {
    this.#loop ??= this.#run();
  }

  /** Stops: waits briefly for answers in flight, unbinds, closes, ends the loop. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#sleeper.wakeAll();
    this.#stopSignal.resolve();
    const link = this.#link;
    if (link?.usable) {
      await link.settled(this.#o.stopWaitMs);
      await link.unbind(this.#o.stopWaitMs);
    } else link?.close(new Error("the route stopped"));
    await this.#loop;
  }

  async #run() {
    const { label } = this.#o.link;
    const min = this.#o.reconnectMinMs ?? RECONNECT_MIN_MS;
    let delay = min;
    while (!this.#stopped) {
      const bound = await this.#session(label);
      if (this.#stopped) break;
      if (bound) delay = min;
      log.info("{label}: reconnecting in {ms} ms", { label, ms: delay });
      await this.#sleeper.sleep(delay);
      delay = Math.min(delay * 2, this.#o.reconnectMaxMs);
    }
  }

  /** One connection: connect, bind, serve until it closes. True when the bind succeeded. */
  async #session(label: string): Promise<boolean> {
    const { target } = this.#o;
    const where = `${target.hostname}:${target.port}`;
    let link: EsmeLink;
    try {
      const conn = await deadline(
        this.#o.connect(target),
        this.#o.link.responseTimeoutMs,
        `connecting to ${where}`,
        (late) => late.close(),
        this.#stopSignal.promise,
      );
      link = new EsmeLink(conn, this.#o.link);
    } catch (e) {
      if (!this.#stopped) {
        log.warn("{label}: cannot connect to {where}: {error}", { label, where, error: String(e) });
      }
      return false;
    }
    this.#link = link;
    try {
      if (this.#stopped) link.close(new Error("the route stopped"));
      await link.bind(this.#o.bind);
    } catch (e) {
      if (e instanceof BindRefused) {
        log.error("{label}: {error} by {where}", {
          label,
          where,
          status: e.status,
          error: e.message,
        });
      } else if (!this.#stopped) {
        log.warn("{label}: bind to {where} failed: {error}", { label, where, error: String(e) });
      }
      await link.finished();
      this.#link = undefined;
      return false;
    }
    log.info("{label}: bound to {where} ({command})", {
      label,
      where,
      command: this.#o.bind.command,
    });
    this.#o.onUp(link);
    const reason = await link.closed;
    if (!this.#stopped) {
      log.warn("{label}: link to {where} lost: {reason}", {
        label,
        where,
        reason: reason.message,
      });
    }
    this.#o.onDown(link, reason);
    await link.finished();
    this.#link = undefined;
    return true;
  }
}
