/**
 * "Acknowledged means stored": the gateway process is SIGKILLed under load at three seeded
 * moments and restarted on the same KV file; see tests/support/crash_harness.ts for what is checked.
 * `deno task soak` runs the same round many times.
 */
import { crashRound, summarize } from "../support/crash_harness.ts";

// Seeds chosen so the kill lands before any message settles, while receipts flow, and late.
for (const [seed, killMinMs, killMaxMs] of [[1, 40, 150], [2, 150, 350], [3, 350, 600]]) {
  Deno.test(`SIGKILL under load (seed ${seed}, kill within ${killMinMs}-${killMaxMs} ms) loses no acknowledged message or receipt`, async () => {
    const r = await crashRound({ seed, killMinMs, killMaxMs });
    console.log(`  ${summarize(r)}`);
  });
}
