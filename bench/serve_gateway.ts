/**
 * The gateway under test, in its own process (protocol: bench/protocol.ts):
 * `serve_gateway.ts --kv PATH [--delay MS]`. A durable KV file, the bench account (10 sessions,
 * window 1000) and the simulator route settling each message after `--delay` ms.
 */
import { parseArgs } from "node:util";
import { startGateway } from "../lib/mod.ts";
import { ACCOUNT, serveChild } from "./protocol.ts";

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { kv: { type: "string" }, delay: { type: "string", default: "0" } },
  });
  const delayMs = Number(values.delay);
  if (!values.kv || !Number.isInteger(delayMs) || delayMs < 0) {
    console.error("usage: serve_gateway.ts --kv PATH [--delay MS]");
    Deno.exit(2);
  }
  const gw = await startGateway({
    port: 0,
    kv: values.kv,
    accounts: [{ ...ACCOUNT, maxSessions: 10, window: 1000 }],
    simulator: { delayMs },
    session: { window: 1000 },
    unbindWaitMs: 500,
  });
  await serveChild(gw.addr.port, () => ({ ...gw.gateway.counters }), () => gw.close());
}
