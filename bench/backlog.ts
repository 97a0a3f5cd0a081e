/**
 * Backlog scenario: on a fresh gateway process (own KV file, simulator delay 0), four
 * transmitters (bind_transmitter × window 100) submit N messages with registered_delivery 1 while
 * no receiver is bound, so N receipts queue in the outbox. Once `receiptsQueued` reaches N, four
 * receivers bind (answering every deliver_sm) and drain them. Reports the gateway's RSS (peak
 * while the receipts piled up, and once all were queued) and the drain rate.
 */
import { Child } from "./child.ts";
import { ACCOUNT } from "./protocol.ts";
import { runLoad } from "./runner.ts";
import { fmtRate } from "./stats.ts";

/** The summary line, and whether the scenario failed to complete. */
export interface BacklogResult {
  text: string;
  failed: boolean;
}

const MB = 2 ** 20;

function verdict(ok: boolean): string {
  return ok ? "PASS" : "MISS";
}

/** Runs the scenario with `n` receipts on a gateway keeping its KV file in `dir`. */
export async function backlogScenario(dir: string, n: number): Promise<BacklogResult> {
  const deadline = Date.now() + 120_000 + n; // 10 minutes for 500k
  const left = () => Math.max(1000, deadline - Date.now());
  const gw = await Child.start("smppgw", "./serve_gateway.ts", [
    ...["--kv", `${dir}/backlog.kv`, "--delay", "0"],
  ]);
  const queueRss = gw.sampleRss();
  let drainRss: { stop(): number } | undefined;
  try {
    const t0 = performance.now();
    const submit = await runLoad({
      port: gw.port,
      conns: 4,
      window: 100,
      messages: n,
      ...ACCOUNT,
      registeredDelivery: 1,
      bindAs: "transmitter",
      timeoutMs: left(),
    });
    if (submit.error) {
      queueRss.stop();
      return { text: `backlog: submitting failed: ${submit.error}`, failed: true };
    }
    const accepted = submit.answered - submit.nonOk;
    let queued = 0;
    while (Date.now() < deadline) {
      queued = (await gw.stats()).receiptsQueued ?? 0;
      if (queued >= accepted) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const queuedAfter = (performance.now() - t0) / 1000;
    const endRss = gw.rss();
    const peak = queueRss.stop();
    console.error(
      `backlog: ${accepted} submitted at ${fmtRate(submit.rate)}/s; ${queued} receipts queued ` +
        `after ${queuedAfter.toFixed(1)} s; gateway RSS peak ${mb(peak)} MB, ${mb(endRss)} MB ` +
        `once queued`,
    );
    if (queued < accepted) {
      return {
        text: `backlog: only ${queued} of ${accepted} receipts queued in time (gateway RSS peak ${
          mb(peak)
        } MB)`,
        failed: true,
      };
    }
    drainRss = gw.sampleRss();
    const drain = await runLoad({
      port: gw.port,
      conns: 4,
      window: 1,
      messages: 0,
      ...ACCOUNT,
      bindAs: "receiver",
      waitReceipts: true,
      expectReceipts: queued,
      timeoutMs: left(),
    });
    const drainPeak = drainRss.stop();
    console.error(
      `backlog: ${drain.uniqueReceipts} distinct receipts (${drain.receipts} deliver_sm) in ${
        (drain.receiptElapsedMs / 1000).toFixed(1)
      } s; gateway RSS peak while draining ${mb(drainPeak)} MB`,
    );
    const text = `backlog: ${queued} receipts queued, gateway RSS peak ${mb(peak)} MB (${
      mb(endRss)
    } MB once queued; target < 300 MB): ${verdict(peak < 300 * MB)}, drained at ${
      fmtRate(drain.receiptRate)
    } receipts/s (target ≥ 20k/s): ${verdict(drain.receiptRate >= 20_000)}${
      drain.error ? `  ERROR: ${drain.error}` : ""
    }`;
    return { text, failed: drain.error !== undefined };
  } finally {
    queueRss.stop();
    drainRss?.stop();
    await gw.close();
  }
}

function mb(bytes: number): string {
  return Number.isFinite(bytes) ? (bytes / MB).toFixed(0) : "n/a";
}
