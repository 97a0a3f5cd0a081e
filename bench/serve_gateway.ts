/**
 * The gateway under test, in its own process (protocol: bench/protocol.ts):
 * `serve_gateway.ts --kv PATH [--delay MS] [--routes]`. A durable KV file, the bench account (10
 * sessions, window 1000) and the simulator route settling each message after `--delay` ms; with
 * `--routes` the simulator is the second route of a routing table (the first matches no bench
 * message), so every message is matched against two routes; with `--http-route URL` the only
 * route is an HTTP route to that provider (64 requests at once, no receipts: 2xx is ACCEPTD).
 * Runs on Deno or Bun (`deno task bench --runtime bun`).
 */
import { parseArgs } from "node:util";
import process from "node:process";
import { startGateway } from "../lib/mod.ts";
import { simulatorRoute } from "../lib/delivery/simulator.ts";
import { parseHttpRoute } from "../lib/routes/http/config.ts";
import { httpRoute } from "../lib/routes/http/route.ts";
import { ACCOUNT, serveChild } from "./protocol.ts";

if (import.meta.main) {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      kv: { type: "string" },
      delay: { type: "string", default: "0" },
      routes: { type: "boolean", default: false },
      "http-route": { type: "string" },
    },
  });
  const delayMs = Number(values.delay);
  if (!values.kv || !Number.isInteger(delayMs) || delayMs < 0) {
    console.error("usage: serve_gateway.ts --kv PATH [--delay MS] [--routes]");
    process.exit(2);
  }
  const gw = await startGateway({
    port: 0,
    kv: values.kv,
    accounts: [{ ...ACCOUNT, maxSessions: 10, window: 1000 }],
    simulator: { delayMs },
    routes: values["http-route"]
      ? [{
        route: httpRoute(parseHttpRoute({
          name: "provider",
          url: values["http-route"],
          params: { to: "{dest}", from: "{source}", text: "{text}", ref: "{id}" },
          concurrency: 64,
        }, "http-route")),
      }]
      : values.routes
      ? [
        { route: simulatorRoute({ name: "us", delayMs }), match: { dest: "^1" } },
        {
          route: simulatorRoute({ name: "uk", delayMs }),
          match: { dest: "^44", accounts: [ACCOUNT.systemId] },
        },
      ]
      : undefined,
    session: { window: 1000 },
    unbindWaitMs: 500,
  });
  await serveChild(gw.addr.port, () => ({ ...gw.gateway.counters }), () => gw.close());
}
