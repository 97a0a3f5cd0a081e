/**
 * The HTTP route: each message is one request to the provider (params filled from the message),
 * up to `concurrency` at once and `tps` a second. 2xx hands it over (ENROUTE, waiting for the
 * provider's receipt) or, without `dlr`, settles it ACCEPTD; a permanent 4xx makes it UNDELIV;
 * anything else is retried with backoff (Retry-After honoured), stored so a restart resumes it.
 */
import { wholeContent } from "../../delivery/joined.ts";
import { getLogger } from "@logtape/logtape";
import { expiresAt, type Route, type RouteHost } from "../../delivery/route.ts";
import type { JobRecord, Stat } from "../../store/records.ts";
import { Bookkeeper } from "../bookkeeper.ts";
import { parseJson } from "../../core/json.ts";
import { Delayed } from "../../core/delayed.ts";
import { Pacer } from "../pacer.ts";
import { nextAttempt, retryAfterMs } from "../retry.ts";
import { dlrCallback, moCallback } from "./callbacks.ts";
import type { HttpRouteConfig } from "./config.ts";
import { atPath, fillParams, placeholderValues } from "./template.ts";

const log = getLogger(["smppgw", "route", "http"]);

/** What an HTTP route is given besides its config. */
export interface HttpRouteOptions {
  /** The fetch to use (default the global one). */
  fetch?: typeof fetch;
  /** Clock (ms since the epoch). */
  now?: () => number;
}

/** The request for a job. */
export function providerRequest(c: HttpRouteConfig, job: JobRecord, signal?: AbortSignal): Request {
  const params = fillParams(c.params, placeholderValues(job));
  const url = new URL(c.url);
  const headers = new Headers(c.headers);
  let body: string | undefined;
  if (c.format === "query") {
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  } else if (c.format === "form") {
    body = new URLSearchParams(params).toString();
    if (!headers.has("content-type")) {
      headers.set("content-type", "application/x-www-form-urlencoded");
    }
  } else {
    body = JSON.stringify(params);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  return new Request(url, { method: c.method, headers, body, signal });
}

/** Three-digit error code of an HTTP status. */
const errOf = (status: number) => String(Math.min(status, 999)).padStart(3, "0");

/** Whether a status is worth trying again: 5xx, 408 and 429 (other 4xx are permanent). */
export function temporary(status: number): boolean {
  return status >= 500 || status === 408 || status === 429 || status < 200;
}

/**
 * Creates an HTTP route.
 *
 * @example
 * ```ts ignore
 * import { httpRoute } from "./route.ts";
 * import { parseHttpRoute } from "./config.ts";
 * const route = httpRoute(parseHttpRoute({ name: "uk", url: "http://127.0.0.1:9000/send" }, "r"));
 * ```
 */
export function httpRoute(c: HttpRouteConfig, opts: HttpRouteOptions = {}): Route {
  const fetchFn = opts.fetch ?? fetch;
  const now = opts.now ?? Date.now;
  const pacer = new Pacer(c.tps, now);
  const book = new Bookkeeper({ label: c.name });
  const stopping = new AbortController();
  const requests = new Set<Promise<void>>();
  /** Hand-overs being stored, by provider id and by our id. */
  const handing = new Map<string, Promise<boolean>>();
  let ready: JobRecord[] = [];
  let head = 0;
  let inFlight = 0;
  let host: RouteHost | undefined;
  let stopped = false;
  const delayed = new Delayed<JobRecord>((jobs) => {
    for (const j of jobs) ready.push(j);
    pump();
  }, now);

  const settle = (job: JobRecord, stat: Stat, err: string) =>
    book.run(job.id, "settle", () => host!.settle([{ job, stat, err }]));

  function pump() {
    while (!stopped && host && inFlight < c.concurrency && head < ready.length) {
      const job = ready[head++];
      inFlight++;
      const p = send(job).catch((e) =>
        log.error("{route}: sending {id} failed: {error}", {
          route: c.name,
          id: job.id,
          error: String(e),
        })
      ).finally(() => {
        inFlight--;
        requests.delete(p);
        pump();
      });
      requests.add(p);
    }
    if (head > 4096 && head * 2 > ready.length) {
      ready = ready.slice(head);
      head = 0;
    }
  }

  async function send(job: JobRecord): Promise<void> {
    // Settled meanwhile (a receipt by our id while it waited for a retry): not sent again.
    if (!host!.take(job)) return;
    if (now() >= expiresAt(job)) {
      await settle(job, "EXPIRED", "000");
      return;
    }
    if (!(await pacer.wait()) || stopped) return;
    const attempts = (job.attempts ?? 0) + 1;
    let res: Response | undefined;
    let text = "";
    let failure = "";
    try {
      const signal = AbortSignal.any([AbortSignal.timeout(c.timeoutMs), stopping.signal]);
      // A joined message goes with its whole text (read from its parts).
      const content = job.joinedParts ? await wholeContent(host!.store, job) : job;
      res = await fetchFn(providerRequest(c, content, signal));
      text = await res.text();
    } catch (e) {
      // Stopping: the job is still unfinished in the store and resumes after a restart.
      if (stopped) return;
      failure = (e as Error).name === "TimeoutError" ? `no answer in ${c.timeoutMs} ms` : String(e);
      res = undefined;
    }
    if (res && res.status >= 200 && res.status < 300) {
      if (!c.dlr) {
        await settle(job, "ACCEPTD", "000");
        return;
      }
      let providerId: string | undefined;
      if (c.providerId) {
        try {
          providerId = atPath(parseJson(text), c.providerId);
        } catch { /* not JSON: our id stands in */ }
        if (providerId === undefined) {
          log.warn("{route}: no {path} in the reply for {id}; matching receipts by our id", {
            route: c.name,
            path: c.providerId,
            id: job.id,
          });
        }
      }
      const pid = providerId ?? job.id;
      // A DLR that comes before the hand-over is stored waits for it (see callback).
      const write = book.run(job.id, "hand-over", () => host!.handedOver(job, pid));
      handing.set(pid, write);
      handing.set(job.id, write);
      try {
        await write;
      } finally {
        handing.delete(pid);
        handing.delete(job.id);
      }
      return;
    }
    if (res && !temporary(res.status)) {
      log.info("{route}: {id} refused with HTTP {status}: UNDELIV", {
        route: c.name,
        id: job.id,
        status: res.status,
      });
      await settle(job, "UNDELIV", errOf(res.status));
      return;
    }
    const t = now();
    const next = nextAttempt(
      c.retry,
      attempts,
      t,
      retryAfterMs(res?.headers.get("retry-after") ?? null, t),
    );
    const why = res ? `HTTP ${res.status}` : failure;
    if (next !== null && next >= expiresAt(job)) {
      log.info("{route}: {id} expires before its next attempt ({why})", {
        route: c.name,
        id: job.id,
        why,
      });
      await settle(job, "EXPIRED", "000");
      return;
    }
    if (next === null) {
      log.warn("{route}: {id} failed {n} times ({why}): UNDELIV", {
        route: c.name,
        id: job.id,
        n: attempts,
        why,
      });
      await settle(job, "UNDELIV", res ? errOf(res.status) : "000");
      return;
    }
    log.debug("{route}: {id} attempt {n} failed ({why}); again at {at}", {
      route: c.name,
      id: job.id,
      n: attempts,
      why,
      at: new Date(next).toISOString(),
    });
    const again: JobRecord = { ...job, attempts, nextAt: next };
    if (await book.run(job.id, "retry", () => host!.retry(job, attempts, next))) {
      delayed.add(again, next);
    }
  }

  const queue = (job: JobRecord) => {
    if (job.nextAt !== undefined && job.nextAt > now()) delayed.add(job, job.nextAt);
    else ready.push(job);
  };

  return {
    name: c.name,
    // Joined: a concatenated message reaches the provider as one request with its whole text.
    mode: c.concat === "join" ? "whole" : "parts",
    async start(h, resume) {
      for await (const job of resume) queue(job);
      host = h;
      pump();
    },
    enqueue(job) {
      queue(job);
      pump();
    },
    async stop() {
      stopped = true;
      stopping.abort();
      pacer.stop();
      delayed.stop();
      while (requests.size > 0) await Promise.all(requests);
      await book.stop();
    },
    backlog: () => ready.length - head + delayed.size + inFlight,
    callback(kind, req) {
      if (kind === "mo") return moCallback(c.name, c.mo, host, req);
      const h: RouteHost | undefined = host && {
        ...host,
        async receipt(r) {
          const pending = handing.get(r.providerId ?? "") ?? handing.get(r.id ?? "");
          if (pending) await pending;
          return await host!.receipt(r);
        },
      };
      // With requests in flight an unknown id may be one whose 2xx has not been read yet: 503,
      // which providers retry, rather than 404.
      return dlrCallback(c.name, c.dlr, h, req, () => inFlight > 0);
    },
  };
}
