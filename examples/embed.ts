/**
 * Embedding smppgw in another Deno or Bun app: run with `deno run -A examples/embed.ts` or
 * `bun examples/embed.ts`.
 */
import { startGateway } from "../lib/mod.ts";

const gw = await startGateway({
  port: 0, // any free port
  kv: ":memory:", // or a path, or your own Deno.Kv handle (on Bun: openKv of npm:@deno/kv)
  accounts: [{ systemId: "acme", password: "s3cret" }],
  simulator: { delayMs: 500 }, // or route: yourRoute
});
console.log(`SMPP on ${gw.addr.hostname}:${gw.addr.port}`);
// ... serve until your app stops, then:
await gw.close();
console.log("closed");
