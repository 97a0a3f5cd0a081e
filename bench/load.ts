/**
 * Windowed SMPP load benchmark: `deno task bench [--messages N] [--quick] [--rounds N] ...`.
 *
 * Each server under test runs in its own process (bench/serve_gateway.ts: the gateway on a
 * durable Deno KV file in a temp dir; bench/serve_npm.ts: the npm `smpp` server, which stores
 * nothing; optionally the reference server), so the bench can read each server's CPU time and
 * memory from /proc. The load generator (raw-TCP clients on the gateway's codec) runs here. The
 * compared scenarios run alternately for `--rounds` rounds and report medians; the summary prints
 * each issue-9 target with PASS or MISS (it measures, it does not assert: the exit code is
 * non-zero only when a scenario failed to complete). Exits by itself.
 */
import { parseArgs } from "node:util";
import { backlogScenario } from "./backlog.ts";
import { httpRouteScenario } from "./http_route.ts";
import { Child } from "./child.ts";
import { label, measure, progress, type Shape } from "./measure.ts";
import { type Compared, summaryLines } from "./summary.ts";
import { medianRow, receiptTable, type Row, submitTable } from "./stats.ts";

const USAGE = `Usage: deno task bench [options]
  --messages N   submit_sm per scenario at windows 10 and 100 (default 40000; window 1 gets N/20)
  --quick        tiny run (2000 messages, 1 round, backlog 20000) to smoke-test the benchmark
  --rounds N     alternating gateway/npm rounds of the compared scenarios (default 3)
  --backlog N    receipts queued with no receiver bound in the backlog scenario (default 500000)
  --delay MS     simulator delay before a message is settled (default 0)
  --routes       the gateway routes through a two-route table (the simulator matches second)
  --runtime R    deno (default) or bun: with bun the gateway also runs under Bun (serve_gateway.ts
                 spawned with \`npx -y bun@1\`'s bun, its own KV file) beside the one under Deno,
                 and the compared scenarios print both
  --reference P  also run the reference server at path P (e.g. ../shared/reference/deno-kv-smsc.ts)
  --only LIST    run only these scenarios, e.g. 4x100,receipts,npm,backlog (1x1 1x10 1x100 4x1
                 4x10 4x100 receipts http backlog; npm and reference add those servers' rows)
  --help         this text`;

/** Parsed command line. */
export interface BenchArgs {
  messages: number;
  delayMs: number;
  /** The gateway routes through a routing table. */
  routes: boolean;
  rounds: number;
  backlog: number;
  /** Path of the reference server, when asked for. */
  reference?: string;
  /** Scenario names to run ("1x1" … "4x100", "receipts", "npm", "backlog"); all when empty. */
  only: string[];
  /** "bun": the gateway also runs under Bun, compared with the one under Deno. */
  runtime: "deno" | "bun";
}

/** Parses the command line (exits on --help or a bad value). */
export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      messages: { type: "string" },
      quick: { type: "boolean", default: false },
      rounds: { type: "string" },
      backlog: { type: "string" },
      delay: { type: "string" },
      routes: { type: "boolean", default: false },
      reference: { type: "string" },
      only: { type: "string" },
      runtime: { type: "string", default: "deno" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const int = (s: string | undefined, dflt: number, name: string) => {
    const n = s === undefined ? dflt : Number(s);
    if (!Number.isInteger(n) || n < 0) {
      console.error(`--${name} must be a whole number\n${USAGE}`);
      Deno.exit(2);
    }
    return n;
  };
  const quick = values.quick;
  if (values.runtime !== "deno" && values.runtime !== "bun") {
    console.error(`--runtime must be deno or bun\n${USAGE}`);
    Deno.exit(2);
  }
  return {
    runtime: values.runtime,
    messages: Math.max(20, int(values.messages, quick ? 2000 : 40_000, "messages")),
    delayMs: int(values.delay, 0, "delay"),
    routes: values.routes,
    rounds: Math.max(1, int(values.rounds, quick ? 1 : 3, "rounds")),
    backlog: Math.max(10, int(values.backlog, quick ? 20_000 : 500_000, "backlog")),
    reference: values.reference,
    only: values.only ? values.only.split(",").map((x) => x.trim()).filter(Boolean) : [],
  };
}

type ServerKey = keyof Compared;

/** Starts the reference server when asked for and present; undefined (with a note) otherwise. */
async function startReference(path: string | undefined, dir: string): Promise<Child | undefined> {
  if (path === undefined) return undefined;
  const abs = path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
  try {
    await Deno.stat(abs);
  } catch {
    console.error(`--reference ${path}: not found, skipped`);
    return undefined;
  }
  return await Child.startReference(abs, `${dir}/ref.kv`);
}

async function main(): Promise<number> {
  const args = parseBenchArgs(Deno.args);
  const N = args.messages;
  const wanted = (name: string) => args.only.length === 0 || args.only.includes(name);
  const timeoutFor = (s: Shape) => (60_000 + s.messages * 4) * (s.receipts ? 2 : 1);
  // With a long simulator delay nothing settles during the run: do not wait for it.
  const quiesceMs = args.delayMs > 10_000 ? 0 : 60_000;
  const once: Shape[] = [[1, 1], [1, 10], [4, 1], [4, 10]]
    .map(([conns, window]) => ({
      conns,
      window,
      messages: window === 1 ? Math.round(N / 20) : N,
      receipts: false,
    }))
    .filter((s) => wanted(label(s)));
  const compared: Shape[] = [
    { conns: 4, window: 100, messages: N, receipts: false },
    { conns: 1, window: 100, messages: N, receipts: false },
    { conns: 4, window: 100, messages: Math.round(N / 2), receipts: true },
  ].filter((s) => wanted(label(s)));
  const dir = await Deno.makeTempDir({ prefix: "smppgw-bench-" });
  const servers: [ServerKey, Child][] = [];
  const rows: Row[] = [];
  const results = new Map<string, Partial<Record<ServerKey, Row[]>>>();
  const summary: string[] = [];
  let failed = false;
  const run = async (child: Child, shape: Shape) => {
    const row = await measure(child, shape, timeoutFor(shape), quiesceMs);
    progress(shape, row);
    failed ||= row.note !== undefined;
    return row;
  };
  try {
    if (once.length + compared.length > 0) {
      const gwArgs = ["--kv", `${dir}/bench.kv`, "--delay", String(args.delayMs)];
      if (args.routes) gwArgs.push("--routes");
      servers.push(["smppgw", await Child.start("smppgw", "./serve_gateway.ts", gwArgs)]);
      if (compared.length > 0 && args.runtime === "bun") {
        const bunArgs = ["--kv", `${dir}/bench-bun.kv`, ...gwArgs.slice(2)];
        servers.push([
          "bun",
          await Child.start("smppgw on bun", "./serve_gateway.ts", bunArgs, "bun"),
        ]);
      }
      if (compared.length > 0 && wanted("npm")) {
        servers.push(["npm", await Child.start("npm smpp", "./serve_npm.ts", [])]);
      }
      const ref = compared.length > 0 && wanted("reference")
        ? await startReference(args.reference, dir)
        : undefined;
      if (ref) servers.push(["reference", ref]);
    }
    console.error(
      `${servers.map(([, c]) => `${c.name} pid ${c.pid}`).join(", ")}; gateway KV in ${dir}; ` +
        `simulator delay ${args.delayMs} ms; ${navigator.hardwareConcurrency} cores; ` +
        `Deno ${Deno.version.deno}`,
    );
    const gw = servers.find(([k]) => k === "smppgw")?.[1];
    // Once each, on the gateway only: the shapes nobody compares against.
    for (const shape of once) rows.push(await run(gw!, shape));
    // An unmeasured warm-up on each compared server (the gateway's JIT is already warm from the
    // shapes above, the others' is not), with receipts so that path is compiled too.
    const warmUp = {
      conns: 4,
      window: 100,
      messages: Math.max(5000, Math.round(N / 4)),
      receipts: true,
    };
    for (const [key, child] of compared.length > 0 ? servers : []) {
      if (key === "smppgw" && once.length > 0) continue;
      const row = await measure(child, warmUp, timeoutFor(warmUp), quiesceMs);
      if (row.note) console.error(`${child.name} warm-up failed: ${row.note}`);
      failed ||= row.note !== undefined;
    }
    // Compared shapes, the servers alternating, medians of the rounds.
    for (let round = 0; round < args.rounds; round++) {
      for (const shape of compared) {
        const entry = results.get(label(shape)) ?? {};
        results.set(label(shape), entry);
        for (const [key, child] of servers) (entry[key] ??= []).push(await run(child, shape));
      }
    }
    if (wanted("http")) {
      const h = await httpRouteScenario(dir, args.messages);
      failed ||= h.failed;
      summary.push(h.text);
    }
    if (wanted("backlog")) {
      const b = await backlogScenario(dir, args.backlog);
      failed ||= b.failed;
      summary.push(b.text);
    }
  } finally {
    for (const [, child] of servers) await child.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  const medians = new Map<string, Compared>();
  for (const [shape, entry] of results) {
    const m: Compared = {};
    for (const [key, runs] of Object.entries(entry) as [ServerKey, Row[]][]) {
      m[key] = medianRow(runs);
    }
    medians.set(shape, m);
  }
  const order = ["smppgw", "smppgw on bun", "npm smpp", "reference"];
  const all = [...rows, ...[...medians.values()].flatMap((m) => Object.values(m))].sort((a, b) =>
    order.indexOf(a.server) - order.indexOf(b.server) || a.conns - b.conns ||
    a.window - b.window
  );
  const submits = all.filter((r) => !Number.isFinite(r.receiptRate));
  const receipts = all.filter((r) => Number.isFinite(r.receiptRate));
  console.log(
    `\n## smppgw load benchmark (${new Date().toISOString().slice(0, 10)}; ${N} msgs per ` +
      `scenario, receipts ${Math.round(N / 2)}; compared rows are medians of ${args.rounds})\n`,
  );
  if (submits.length > 0) console.log(submitTable(submits));
  if (receipts.length > 0) {
    console.log("\nSubmit → receipt, registered_delivery 1, every deliver_sm answered:\n");
    console.log(receiptTable(receipts));
  }
  console.log(`\n${[...summaryLines(medians), ...summary].join("\n")}`);
  return failed ? 1 : 0;
}

if (import.meta.main) {
  let code = 1;
  try {
    code = await main();
  } catch (e) {
    console.error("benchmark failed:", e);
  }
  Deno.exit(code);
}
