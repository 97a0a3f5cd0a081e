/** A route driven by the test: it keeps its jobs and its host, and settles nothing by itself. */
import type { Route, RouteHost } from "../../lib/delivery/route.ts";
import type { JobRecord } from "../../lib/store/records.ts";

/** A {@link Route} whose jobs and host the test reads. */
export interface ManualRoute extends Route {
  /** Jobs resumed at start, then enqueued, in order. */
  readonly jobs: JobRecord[];
  /** The host, once started. */
  host(): RouteHost;
  /** Resolves once `n` jobs in all arrived. */
  waitJobs(n: number): Promise<void>;
}

/** A manual route named `name`; `callback` answers its HTTP callbacks when given. */
export function manualRoute(name: string, callback?: Route["callback"]): ManualRoute {
  let host: RouteHost | undefined;
  const waiters: { n: number; resolve: () => void }[] = [];
  const wake = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (route.jobs.length >= waiters[i].n) waiters.splice(i, 1)[0].resolve();
    }
  };
  const route: ManualRoute = {
    name,
    jobs: [],
    async start(h, resume) {
      host = h;
      for await (const job of resume) route.jobs.push(job);
      wake();
    },
    enqueue(job) {
      route.jobs.push(job);
      wake();
    },
    stop: () => Promise.resolve(),
    host: () => host!,
    waitJobs(n) {
      const { promise, resolve } = Promise.withResolvers<void>();
      waiters.push({ n, resolve });
      wake();
      return promise;
    },
    callback,
  };
  return route;
}
