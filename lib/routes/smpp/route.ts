/**
 * The upstream SMPP route: the gateway binds as an ESME to another SMSC and submits its jobs
 * there, within a window and a rate; the upstream's receipts settle them.
 */
import { getLogger } from "@logtape/logtape";
import { expiresAt, type Route, type RouteHost } from "../../delivery/route.ts";
import type { Pdu } from "../../smpp/codec.ts";
import type { JobRecord, Stat } from "../../store/records.ts";
import type { Connect } from "../../transport/conn.ts";
import { Pacer } from "../pacer.ts";
import { nextAttempt } from "../retry.ts";
import { Bookkeeper } from "../bookkeeper.ts";
import type { EsmeLink } from "./client.ts";
import type { SmppRouteConfig } from "./config.ts";
import { Connector } from "./connector.ts";
import { Delayed } from "../../core/delayed.ts";
import { Handovers } from "./handovers.ts";
import { handleUpstream } from "./inbox.ts";
import { acceptedIds, verdict } from "./outcome.ts";
import { type SubmitInit, submitsFor } from "./submit.ts";

const log = getLogger(["smppgw", "route", "smpp"]);

/** What an SMPP route needs besides its config. */
export interface SmppRouteOptions {
  /** Opens connections (`connect` from lib/deno.ts). */
  connect: Connect;
  /** Clock (ms), for retry times. */
  now?: () => number;
  /** First reconnect delay (default 500 ms). */
  reconnectMinMs?: number;
}

/** Longest wait on stop for answers in flight and for unbind_resp. */
const STOP_WAIT_MS = 2000;

/**
 * An SMPP route (mode "parts"): binds to `c.host:c.port` as `c.systemId`, keeps it bound, and
 * submits every job there within its window and rate; the upstream's receipts settle them.
 *
 * @example
 * ```ts
 * import type { Connect } from "../../transport/conn.ts";
 * import { parseSmppRoute } from "./config.ts";
 * import { smppRoute } from "./route.ts";
 * const c = parseSmppRoute(
 *   { name: "fr", type: "smpp", host: "127.0.0.1", port: 2776, systemId: "gw", password: "pw" },
 *   "routes[0]",
 * );
 * declare const connect: Connect; // `connect` from lib/deno.ts
 * const route = smppRoute(c, { connect }); // give it to the gateway as one of its routes
 * ```
 */
export function smppRoute(c: SmppRouteConfig, opts: SmppRouteOptions): Route {
  return new SmppRoute(c, opts);
}

class SmppRoute implements Route {
  readonly name: string;
  readonly mode = "parts" as const;
  readonly #c: SmppRouteConfig;
  readonly #now: () => number;
  readonly #pacer: Pacer;
  readonly #book: Bookkeeper;
  readonly #handovers: Handovers;
  readonly #delayed: Delayed<JobRecord>;
  readonly #connectors: Connector[];
  readonly #outcomes = new Set<Promise<void>>();
  #host: RouteHost | undefined;
  #queue: JobRecord[] = [];
  #head = 0;
  #tx: EsmeLink | undefined;
  #wake: PromiseWithResolvers<void> | undefined;
  #pump: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  #stopped = false;
  #ref = Math.floor(Math.random() * 256);

  constructor(c: SmppRouteConfig, o: SmppRouteOptions) {
    this.name = c.name;
    this.#c = c;
    this.#now = o.now ?? Date.now;
    this.#pacer = new Pacer(c.tps, this.#now);
    this.#book = new Bookkeeper({ label: c.name });
    this.#handovers = new Handovers(this.#now);
    this.#delayed = new Delayed((jobs) => {
      for (const j of jobs) this.#queue.push(j);
      this.#kick();
    }, this.#now);
    const link = {
      responseTimeoutMs: c.responseTimeoutMs,
      enquireLinkMs: c.enquireLinkMs,
      label: c.name,
      now: this.#now,
      onRequest: (pdu: Pdu<"deliver_sm" | "data_sm">) =>
        handleUpstream(pdu, { host: () => this.#host, handovers: this.#handovers, label: c.name }),
    };
    const common = {
      connect: o.connect,
      target: { hostname: c.host, port: c.port, tls: c.tls, caCerts: c.caCerts },
      link,
      reconnectMaxMs: c.reconnectMaxMs,
      reconnectMinMs: o.reconnectMinMs,
      stopWaitMs: Math.min(STOP_WAIT_MS, c.responseTimeoutMs),
      onDown: (l: EsmeLink) => {
        if (this.#tx === l) this.#tx = undefined;
        this.#kick();
      },
    };
    const bind = (command: "bind_transceiver" | "bind_transmitter" | "bind_receiver") => ({
      command,
      systemId: c.systemId,
      password: c.password,
      systemType: c.systemType,
      interfaceVersion: c.interfaceVersion,
    });
    const transmitter = (l: EsmeLink) => {
      this.#tx = l;
      this.#kick();
    };
    this.#connectors = c.bind === "split"
      ? [
        new Connector({ ...common, bind: bind("bind_transmitter"), onUp: transmitter }),
        new Connector({ ...common, bind: bind("bind_receiver"), onUp: () => {} }),
      ]
      : [new Connector({ ...common, bind: bind("bind_transceiver"), onUp: transmitter })];
  }

  async start(host: RouteHost, resume: AsyncIterable<JobRecord>): Promise<void> {
    this.#host = host;
    let n = 0;
    for await (const job of resume) {
      this.#accept(job);
      n++;
    }
    if (n > 0) log.info("{label}: resumed {n} jobs", { label: this.name, n });
    for (const c of this.#connectors) c.start();
    this.#pump = this.#run();
  }

  enqueue(job: JobRecord): void {
    if (this.#stopped) {
      log.warn("{label}: job {id} came after stop; it resumes after a restart", {
        label: this.name,
        id: job.id,
      });
      return;
    }
    this.#accept(job);
    this.#kick();
  }

  stop(): Promise<void> {
    return this.#stopping ??= (async () => {
      this.#stopped = true;
      this.#pacer.stop();
      this.#delayed.stop();
      this.#kick();
      await this.#pump;
      await Promise.all(this.#connectors.map((c) => c.stop()));
      // Hand-overs of answers that came in are stored (one attempt each once stopping).
      const outcomes = (async () => {
        while (this.#outcomes.size > 0) await Promise.all(this.#outcomes);
      })();
      await Promise.all([outcomes, this.#book.stop()]);
      this.#handovers.stop();
    })();
  }

  #accept(job: JobRecord) {
    if (job.nextAt !== undefined && job.nextAt > this.#now()) this.#delayed.add(job, job.nextAt);
    else this.#queue.push(job);
  }

  #kick() {
    const w = this.#wake;
    this.#wake = undefined;
    w?.resolve();
  }

  #idle(): Promise<void> {
    return (this.#wake ??= Promise.withResolvers<void>()).promise;
  }

  /** Jobs held in memory: queued, waiting for a retry, and being sent. */
  backlog(): number {
    return this.#queue.length - this.#head + this.#delayed.size + this.#outcomes.size;
  }

  /** Sends queued jobs while a transmitter is bound, within the window. */
  async #run() {
    while (!this.#stopped) {
      const link = this.#tx;
      if (!link?.usable || this.#head >= this.#queue.length) {
        await this.#idle();
        continue;
      }
      const job = this.#queue[this.#head++];
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      await this.#send(link, job);
    }
  }

  async #send(link: EsmeLink, job: JobRecord) {
    // Settled meanwhile (a receipt by our id while it waited for a retry): not sent again.
    if (!this.#host!.take(job)) return;
    if (this.#now() >= expiresAt(job)) {
      this.#track(this.#settle(job, "000", "EXPIRED"));
      return;
    }
    let inits: SubmitInit[];
    try {
      inits = submitsFor(job, this.#ref++ & 0xff, this.#c);
    } catch (e) {
      log.error("{label}: message {id} cannot be encoded: {error}", {
        label: this.name,
        id: job.id,
        error: String(e),
      });
      this.#track(this.#settle(job, "000"));
      return;
    }
    const sent: Promise<Pdu>[] = [];
    for (const init of inits) {
      while (!this.#stopped && link.usable && link.outstanding >= this.#c.window) {
        await this.#idle();
      }
      if (this.#stopped || !link.usable || !(await this.#pacer.wait()) || !link.usable) break;
      const p = link.request(init);
      p.then((resp) => {
        // Noted before any later PDU is read: a receipt overtaking the hand-over waits for it.
        if (resp.command === "submit_sm_resp" && resp.status === 0) {
          this.#handovers.begin(resp.body.message_id);
        }
        this.#kick();
      }, () => this.#kick());
      sent.push(p);
    }
    if (sent.length === 0) {
      // Nothing went out: the job waits for the next link (or the next start).
      if (this.#stopped) return;
      if (this.#head > 0) this.#queue[--this.#head] = job;
      else this.#queue.unshift(job);
      return;
    }
    this.#track(this.#finish(job, sent, sent.length === inits.length));
  }

  #track(task: Promise<void>) {
    this.#outcomes.add(task);
    task.finally(() => this.#outcomes.delete(task));
  }

  async #finish(job: JobRecord, sent: Promise<Pdu>[], complete: boolean) {
    const results = await Promise.allSettled(sent);
    const v = verdict(results, complete);
    const host = this.#host!;
    if (v.kind === "handed") {
      await Promise.all(v.ids.map(async (id) => {
        if (
          await this.#book.run(job.id, `hand-over of ${job.id}`, () => host.handedOver(job, id))
        ) {
          this.#handovers.stored(id);
        } else this.#handovers.dropped(id);
      }));
      return;
    }
    for (const id of acceptedIds(results)) this.#handovers.dropped(id);
    if (v.kind === "permanent") {
      log.warn("{label}: message {id} refused by the upstream: {reason}", {
        label: this.name,
        id: job.id,
        reason: v.reason,
      });
      return await this.#settle(job, v.err);
    }
    if (this.#stopped) return; // still unfinished in the store: it resumes after a restart
    const attempts = (job.attempts ?? 0) + 1;
    const at = nextAttempt(this.#c.retry, attempts, this.#now());
    if (at !== null && at >= expiresAt(job)) {
      log.info("{label}: message {id} expires before its next attempt", {
        label: this.name,
        id: job.id,
      });
      return await this.#settle(job, "000", "EXPIRED");
    }
    if (at === null) {
      log.warn("{label}: message {id} failed {attempts} times, last: {reason}", {
        label: this.name,
        id: job.id,
        attempts,
        reason: v.reason,
      });
      return await this.#settle(job, "000");
    }
    log.info("{label}: message {id} to be tried again in {ms} ms: {reason}", {
      label: this.name,
      id: job.id,
      ms: at - this.#now(),
      reason: v.reason,
    });
    // Queued once the retry is stored: until then the job counts as being sent.
    await this.#book.run(job.id, `retry of ${job.id}`, () => host.retry(job, attempts, at));
    this.#delayed.add({ ...job, attempts, nextAt: at }, at);
  }

  async #settle(job: JobRecord, err: string, stat: Stat = "UNDELIV") {
    const host = this.#host!;
    await this.#book.run(
      job.id,
      `settling ${job.id}`,
      () => host.settle([{ job, stat, err }]),
    );
  }
}
