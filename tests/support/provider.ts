/** A real HTTP server playing an SMS provider for HTTP-route tests (Deno.serve on port 0). */
import { within } from "./wait.ts";

/** One request the provider got. */
export interface ProviderRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

/** A running provider: `answer` decides each reply; `requests` records them. */
export interface Provider extends AsyncDisposable {
  readonly port: number;
  readonly url: string;
  readonly requests: ProviderRequest[];
  /** Most requests handled at once so far. */
  readonly maxConcurrent: number;
  answer: (r: ProviderRequest, n: number) => Response | Promise<Response>;
  /** Resolves once `n` requests in all arrived (rejects after `ms`, default 10 s). */
  waitRequests(n: number, ms?: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts a provider on 127.0.0.1 (on `port` when given, e.g. to come back on the same one). */
export function startProvider(
  answer: Provider["answer"] = () => Response.json({ messageId: "P-1" }),
  port = 0,
): Provider {
  let concurrent = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  const wake = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (p.requests.length >= waiters[i].n) waiters.splice(i, 1)[0].resolve();
    }
  };
  const server: Deno.HttpServer<Deno.NetAddr> = Deno.serve(
    { hostname: "127.0.0.1", port, onListen() {} },
    async (req): Promise<Response> => {
      concurrent++;
      p.maxConcurrent = Math.max(p.maxConcurrent, concurrent);
      try {
        const r = {
          method: req.method,
          url: new URL(req.url),
          headers: req.headers,
          body: await req.text(),
        };
        p.requests.push(r);
        wake();
        return await p.answer(r, p.requests.length);
      } finally {
        concurrent--;
      }
    },
  );
  const p: Provider & { maxConcurrent: number } = {
    port: server.addr.port,
    url: `http://127.0.0.1:${server.addr.port}/send`,
    requests: [],
    maxConcurrent: 0,
    answer,
    waitRequests(n: number, ms = 10_000) {
      const { promise, resolve } = Promise.withResolvers<void>();
      waiters.push({ n, resolve });
      wake();
      return within(promise, ms, `${n} provider requests`);
    },
    close: () => server.shutdown(),
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
  return p;
}

/** A port nothing listens on right now (listen on port 0, then close). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}
