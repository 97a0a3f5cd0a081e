/**
 * HTTP route scenario: a fresh gateway process whose only route is an HTTP route to a fast local
 * provider (Deno.serve in this process, answering `{"messageId": …}` at once, keep-alive). Four
 * transmitters × window 100 submit N messages; the rate is end to end: messages the provider got
 * per second, from the first submit to the provider's last request (and every message settled).
 */
import { Child } from "./child.ts";
import { ACCOUNT } from "./protocol.ts";
import { runLoad } from "./runner.ts";
import { fmtRate } from "./stats.ts";

/** The summary line, and whether the scenario failed to complete. */
export interface HttpRouteResult {
  text: string;
  failed: boolean;
}

/** Runs the scenario with `n` messages on a gateway keeping its KV file in `dir`. */
export async function httpRouteScenario(dir: string, n: number): Promise<HttpRouteResult> {
  let received = 0;
  let lastAt = 0;
  const done = Promise.withResolvers<void>();
  const provider = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    await req.body?.cancel();
    received++;
    lastAt = performance.now();
    if (received >= n) done.resolve();
    return Response.json({ messageId: String(received) });
  });
  const url = `http://127.0.0.1:${provider.addr.port}/send`;
  const gw = await Child.start("smppgw", "./serve_gateway.ts", [
    ...["--kv", `${dir}/http.kv`, "--http-route", url],
  ]);
  try {
    const t0 = performance.now();
    const submit = await runLoad({
      port: gw.port,
      conns: 4,
      window: 100,
      messages: n,
      ...ACCOUNT,
      registeredDelivery: 0,
      bindAs: "transmitter",
      timeoutMs: 120_000,
    });
    if (submit.error) {
      return { text: `http route: submitting failed: ${submit.error}`, failed: true };
    }
    let t: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((r) => t = setTimeout(() => r("timeout"), 120_000));
    const end = await Promise.race([done.promise, timeout]);
    clearTimeout(t);
    if (end === "timeout") {
      return { text: `http route: only ${received} of ${n} requests in 120 s`, failed: true };
    }
    const rate = received / ((lastAt - t0) / 1000);
    const text = `http route: ${received} messages end to end (SMPP submit → provider request) at ${
      fmtRate(rate)
    }/s (submits ${fmtRate(submit.rate)}/s; target ≥ 5k/s): ${rate >= 5000 ? "PASS" : "MISS"}`;
    console.error(text);
    return { text, failed: false };
  } finally {
    await gw.close();
    await provider.shutdown();
  }
}
