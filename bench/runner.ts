/** Runs one load scenario (N connections × window W) against an SMPP server and measures it. */
import { LoadConn, type Shared, within } from "./client.ts";
import { mergeSorted, quantile } from "./stats.ts";

/** One scenario. */
export interface LoadOptions {
  port: number;
  conns: number;
  window: number;
  /** submit_sm in total, split evenly over the connections. */
  messages: number;
  systemId: string;
  password: string;
  /** registered_delivery of every submit_sm (1 asks for receipts). */
  registeredDelivery?: number;
  /** Wait, after the last submit_sm_resp, until one deliver_sm per accepted message arrived. */
  waitReceipts?: boolean;
  /** Bound on the whole scenario (submits, then receipts). */
  timeoutMs: number;
  /** How the connections bind (default transceiver). */
  bindAs?: "transceiver" | "transmitter" | "receiver";
  /** With `waitReceipts`: how many distinct receipts to wait for (default: one per accepted). */
  expectReceipts?: number;
}

/** What one scenario measured. Times are milliseconds, rates per second. */
export interface LoadResult {
  /** submit_sm answered (OK or not). */
  answered: number;
  nonOk: number;
  /** First submit_sm sent to last submit_sm_resp. */
  elapsedMs: number;
  rate: number;
  p50: number;
  p99: number;
  /** deliver_sm received, and how many distinct messages they were for. */
  receipts: number;
  uniqueReceipts: number;
  /**
   * With `waitReceipts`: first submit_sm (or, submitting nothing, the first bind) until the
   * receipt that completed the set.
   */
  receiptElapsedMs: number;
  receiptRate: number;
  /** Submit → receipt latency of each message (ms), p50 and p99. */
  receiptP50: number;
  receiptP99: number;
  /** Set when the scenario did not complete (timeout, refused bind, dropped connection). */
  error?: string;
}

/** Splits `n` into `k` near-equal parts. */
function split(n: number, k: number): number[] {
  return Array.from({ length: k }, (_, i) => Math.floor(n / k) + (i < n % k ? 1 : 0));
}

/** Connects, binds, runs the windowed load, waits for receipts if asked, unbinds and closes. */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const deadline = performance.now() + o.timeoutMs;
  const left = () => Math.max(1, deadline - performance.now());
  const shared: Shared = {
    receipts: 0,
    ids: new Set(),
    lastReceiptAt: 0,
    trackLatency: (o.waitReceipts ?? false) && ((o.registeredDelivery ?? 0) & 1) === 1,
    submittedAt: new Map(),
    receivedAt: new Map(),
    receiptLatencies: [],
  };
  const began = performance.now();
  const conns: LoadConn[] = [];
  let error: string | undefined;
  try {
    for (const count of split(o.messages, o.conns)) {
      conns.push(
        await LoadConn.connect({
          port: o.port,
          systemId: o.systemId,
          password: o.password,
          window: o.window,
          count,
          registeredDelivery: o.registeredDelivery ?? 0,
          shared,
          bindAs: o.bindAs,
        }),
      );
    }
    const statuses = await Promise.all(conns.map((c) => c.bind(Math.min(10_000, left()))));
    const refused = statuses.find((s) => s !== 0);
    if (refused !== undefined) {
      throw new Error(`bind refused with status 0x${refused.toString(16)}`);
    }
    for (const c of conns) c.start();
    await within(Promise.all(conns.map((c) => c.done)), left(), "submit_sm responses");
    if (o.waitReceipts) {
      const expected = o.expectReceipts ?? conns.reduce((n, c) => n + c.answered - c.nonOk, 0);
      const all = Promise.withResolvers<void>();
      shared.onReceipt = () => {
        if (shared.ids.size >= expected) all.resolve();
      };
      shared.onReceipt();
      await within(all.promise, left(), `${expected} receipts`);
    }
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  } finally {
    await Promise.all(conns.map((c) => c.unbind()));
  }
  return summarize(conns, shared, began, error);
}

function summarize(
  conns: LoadConn[],
  shared: Shared,
  began: number,
  error: string | undefined,
): LoadResult {
  let answered = 0;
  let nonOk = 0;
  let start = Infinity;
  let end = 0;
  for (const c of conns) {
    answered += c.answered;
    nonOk += c.nonOk;
    if (c.firstSendAt > 0) start = Math.min(start, c.firstSendAt);
    end = Math.max(end, c.lastAnswerAt);
  }
  const sorted = mergeSorted(conns.map((c) => c.latencies.subarray(0, c.answered)));
  const elapsedMs = answered > 0 ? end - start : NaN;
  // Receivers that submit nothing (a backlog drain) count from before their binds.
  const receiptsFrom = answered > 0 ? start : began;
  const receiptElapsedMs = shared.receipts > 0 ? shared.lastReceiptAt - receiptsFrom : NaN;
  const receiptLatencies = Float64Array.from(shared.receiptLatencies).sort();
  return {
    answered,
    nonOk,
    elapsedMs,
    rate: answered / (elapsedMs / 1000),
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    receipts: shared.receipts,
    uniqueReceipts: shared.ids.size,
    receiptElapsedMs,
    receiptRate: shared.ids.size / (receiptElapsedMs / 1000),
    receiptP50: quantile(receiptLatencies, 0.5),
    receiptP99: quantile(receiptLatencies, 0.99),
    error,
  };
}
