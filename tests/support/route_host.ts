/**
 * An in-memory RouteHost for route unit tests: records what a route reports and matches
 * receipts to handed-over jobs like the gateway does. End-to-end tests use the real gateway.
 */
import type {
  InboundMessage,
  Outcome,
  ReceiptResult,
  RouteHost,
  RouteReceipt,
} from "../../lib/delivery/route.ts";
import type { JobRecord } from "../../lib/store/records.ts";
import { Store } from "../../lib/store/store.ts";

/** What a {@link FakeHost} was told. */
export interface FakeHost extends RouteHost {
  readonly settled: Outcome[];
  readonly retries: { job: JobRecord; attempts: number; nextAt: number }[];
  readonly handed: { job: JobRecord; providerId: string }[];
  readonly receipts: RouteReceipt[];
  readonly inbounds: InboundMessage[];
  /** Resolves once `n` outcomes in all were settled. */
  settledCount(n: number): Promise<void>;
  /** Resolves once `n` calls in all were made (settle, retry, handedOver, receipt, inbound). */
  calls(n: number): Promise<void>;
  /** Destinations `inbound` accepts (else "no-rule"); default every one. */
  inboundRule: (dest: string) => boolean;
}

/** A host over an in-memory store (`kv`: pass one to read messages from it). */
export function fakeHost(kv?: Deno.Kv): FakeHost {
  let calls = 0;
  const waiters: { n: number; settled: boolean; resolve: () => void }[] = [];
  const wake = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i];
      if ((w.settled ? host.settled.length : calls) >= w.n) {
        waiters.splice(i, 1);
        w.resolve();
      }
    }
  };
  const wait = (n: number, settled: boolean) => {
    const { promise, resolve } = Promise.withResolvers<void>();
    waiters.push({ n, settled, resolve });
    wake();
    return promise;
  };
  const final = new Set<string>();
  const host: FakeHost = {
    store: new Store(kv ?? (null as unknown as Deno.Kv)),
    settled: [],
    retries: [],
    handed: [],
    receipts: [],
    inbounds: [],
    inboundRule: () => true,
    settle(outcomes) {
      for (const o of outcomes) {
        host.settled.push(o);
        final.add(o.job.id);
      }
      calls++;
      wake();
      return Promise.resolve();
    },
    isOpen(job) {
      return !final.has(job.id) && !host.handed.some((h) => h.job.id === job.id);
    },
    take(job) {
      return host.isOpen(job);
    },
    retry(job, attempts, nextAt) {
      host.retries.push({ job, attempts, nextAt });
      calls++;
      wake();
      return Promise.resolve();
    },
    handedOver(job, providerId) {
      host.handed.push({ job, providerId });
      calls++;
      wake();
      return Promise.resolve();
    },
    receipt(r): Promise<ReceiptResult> {
      host.receipts.push(r);
      calls++;
      const h = host.handed.find((x) =>
        (r.providerId !== undefined && x.providerId === r.providerId) ||
        (r.id !== undefined && x.job.id === r.id)
      );
      let result: ReceiptResult = "unknown";
      if (h) {
        result = final.has(h.job.id) ? "repeat" : "settled";
        if (result === "settled") {
          final.add(h.job.id);
          host.settled.push({ job: h.job, stat: r.stat, err: r.err });
        }
      }
      wake();
      return Promise.resolve(result);
    },
    inbound(m) {
      calls++;
      const ok = host.inboundRule(m.dest);
      if (ok) host.inbounds.push(m);
      wake();
      return Promise.resolve(ok ? "queued" : "no-rule");
    },
    settledCount: (n) => wait(n, true),
    calls: (n) => wait(n, false),
  };
  return host;
}
