/**
 * Crash soak: `deno task soak [--rounds N] [--seed S] [--kills K] [--kill-max MS] [--delay MS]`.
 *
 * Runs the crash round of tests/crash_harness.ts many times: the gateway process is SIGKILLed
 * under load at seeded random moments (K times per round, so later kills hit a recovering
 * process) and restarted on the same KV file; every acknowledged message, its state and its
 * receipt must survive, and no message id may be handed out twice. Stops at the first failure
 * and prints the seed that reproduces it; otherwise prints one summary line.
 */
import { parseArgs } from "node:util";
import { type CrashResult, crashRound, summarize } from "../tests/support/crash_harness.ts";

const USAGE = `Usage: deno task soak [options]
  --rounds N     kill-and-restart rounds (default 20)
  --seed S       seed of the first round; round i uses S+i (default: from the clock)
  --kills K      SIGKILLs per round before the last run (default 2)
  --kill-max MS  latest kill, in ms after load started (default 1500; earliest 20)
  --delay MS     simulator delay before a message settles (default 200)
  --quiet        no line per round
  --help         this text`;

function int(v: string | undefined, dflt: number, name: string, min: number): number {
  const n = v === undefined ? dflt : Number(v);
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} must be a whole number of at least ${min}\n${USAGE}`);
    Deno.exit(2);
  }
  return n;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      rounds: { type: "string" },
      seed: { type: "string" },
      kills: { type: "string" },
      "kill-max": { type: "string" },
      delay: { type: "string" },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const rounds = int(values.rounds, 20, "rounds", 1);
  const seed = int(values.seed, Date.now() % 1_000_000, "seed", 0);
  const kills = int(values.kills, 2, "kills", 1);
  const killMaxMs = int(values["kill-max"], 1500, "kill-max", 20);
  const delayMs = int(values.delay, 200, "delay", 0);
  const t0 = Date.now();
  const results: CrashResult[] = [];
  for (let i = 0; i < rounds; i++) {
    try {
      const r = await crashRound({
        seed: seed + i,
        kills,
        killMinMs: 20,
        killMaxMs,
        delayMs,
        keepOnFailure: true,
      });
      results.push(r);
      if (!values.quiet) console.log(`round ${i + 1}/${rounds} seed ${seed + i}: ${summarize(r)}`);
    } catch (e) {
      console.error(`round ${i + 1}/${rounds} FAILED: ${(e as Error).message}`);
      console.error(
        `reproduce: deno task soak --rounds 1 --seed ${seed + i} --kills ${kills} ` +
          `--kill-max ${killMaxMs} --delay ${delayMs}`,
      );
      Deno.exit(1);
    }
  }
  const sum = (f: (r: CrashResult) => number) => results.reduce((n, r) => n + f(r), 0);
  console.log(
    `soak: ${rounds} rounds (seeds ${seed}..${seed + rounds - 1}), ${rounds * kills} SIGKILLs, ` +
      `0 failures: ${sum((r) => r.ackedBefore + r.ackedAfter)} messages acknowledged, ` +
      `${sum((r) => r.jobsAtKills)} jobs and ${sum((r) => r.receiptsAtKills)} receipts ` +
      `found queued at the kills, ${sum((r) => r.duplicateReceipts)} duplicate receipts, ` +
      `max restart ${Math.max(...results.map((r) => r.restartMs))} ms, ` +
      `${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
}
