/**
 * Windowed SMPP load benchmark: `deno task bench [--messages N] [--quick] [--delay MS]`.
 *
 * Starts the gateway in-process on a durable Deno KV file (a temp dir, deleted afterwards),
 * drives it with raw-TCP transceivers built on the gateway's own codec (1 and 4 connections ×
 * windows 1, 10, 100), measures submit→receipt throughput, then drives a do-nothing node-smpp
 * server with the same generator for comparison. Prints Markdown tables; exits by itself.
 */
import { parseArgs } from "node:util";
import { type RunningGateway, startGateway } from "../lib/mod.ts";
import { within } from "./client.ts";
import { startNpmServer } from "./npm_server.ts";
import { type LoadResult, runLoad } from "./runner.ts";
import { fmtMs, fmtRate, markdownTable, type Row } from "./stats.ts";

const ACCOUNT = { systemId: "bench", password: "bench" };

const USAGE = `Usage: deno task bench [options]
  --messages N   submit_sm per scenario at windows 10 and 100 (default 40000; window 1 gets N/20)
  --quick        tiny run (2000 messages) to smoke-test the benchmark
  --delay MS     simulator delay before a message is settled (default 0)
  --only LIST    run only these scenarios, e.g. 4x100,receipts,npm (for profiling)
  --help         this text`;

/** Parsed command line. */
export interface BenchArgs {
  messages: number;
  delayMs: number;
  /** Scenario names to run ("1x1" … "4x100", "receipts", "npm"); all when empty. */
  only: string[];
}

/** Parses the command line (exits on --help or a bad value). */
export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      messages: { type: "string" },
      quick: { type: "boolean", default: false },
      delay: { type: "string" },
      only: { type: "string" },
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
  return {
    messages: Math.max(20, int(values.messages, values.quick ? 2000 : 40_000, "messages")),
    delayMs: int(values.delay, 0, "delay"),
    only: values.only ? values.only.split(",").map((x) => x.trim()).filter(Boolean) : [],
  };
}

/**
 * Waits (bounded) until the gateway has settled everything accepted so far, so one scenario's
 * settlements do not slow the next. Skipped when the simulator delay is long (nothing settles).
 */
async function quiesce(gw: RunningGateway, delayMs: number, ms = 60_000): Promise<void> {
  if (delayMs > 10_000) return;
  const c = gw.gateway.counters;
  const end = Date.now() + ms;
  while (c.settled < c.submitted && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 20));
  }
  if (c.settled < c.submitted) {
    console.error(`warning: ${c.submitted - c.settled} messages still unsettled after ${ms} ms`);
  }
}

function row(server: string, conns: number, window: number, r: LoadResult): Row {
  return {
    server,
    conns,
    window,
    msgs: r.answered,
    rate: r.rate,
    p50: r.p50,
    p99: r.p99,
    nonOk: r.nonOk,
    note: r.error,
  };
}

function progress(label: string, r: LoadResult) {
  const err = r.error ? `  ERROR: ${r.error}` : "";
  console.error(
    `${label}: ${r.answered} msgs in ${fmtMs(r.elapsedMs)} ms = ${fmtRate(r.rate)}/s, p50 ${
      fmtMs(r.p50)
    } ms, p99 ${fmtMs(r.p99)} ms, non-OK ${r.nonOk}${err}`,
  );
}

async function main(): Promise<number> {
  const args = parseBenchArgs(Deno.args);
  const N = args.messages;
  const timeoutFor = (msgs: number) => 60_000 + msgs * 2;
  const wanted = (name: string) => args.only.length === 0 || args.only.includes(name);
  const dir = await Deno.makeTempDir({ prefix: "smppgw-bench-" });
  const rows: Row[] = [];
  const lines: string[] = [];
  let failed = false;
  let gw: RunningGateway | undefined;
  try {
    gw = await startGateway({
      port: 0,
      kv: `${dir}/bench.kv`,
      accounts: [{ ...ACCOUNT, maxSessions: 10, window: 1000 }],
      simulator: { delayMs: args.delayMs },
      session: { window: 1000 },
      unbindWaitMs: 500,
    });
    const port = gw.addr.port;
    console.error(
      `smppgw on 127.0.0.1:${port}, durable KV ${dir}/bench.kv, simulator delay ${args.delayMs} ms, ` +
        `${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}`,
    );
    for (const conns of [1, 4]) {
      for (const window of [1, 10, 100]) {
        if (!wanted(`${conns}x${window}`)) continue;
        const messages = window === 1 ? Math.max(10, Math.round(N / 20)) : N;
        const r = await runLoad({
          port,
          conns,
          window,
          messages,
          ...ACCOUNT,
          timeoutMs: timeoutFor(messages),
        });
        progress(`smppgw ${conns}x${window}`, r);
        rows.push(row("smppgw", conns, window, r));
        failed ||= r.error !== undefined;
        await quiesce(gw, args.delayMs);
      }
    }

    if (wanted("receipts")) {
      const rr = await receiptScenario(gw, N, args.delayMs, timeoutFor);
      failed ||= rr.error !== undefined;
      lines.push(...receiptTable(rr));
    }
  } finally {
    await within(gw?.close() ?? Promise.resolve(), 30_000, "gateway close").catch((e) => {
      console.error(`warning: ${e instanceof Error ? e.message : e}`);
    });
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }

  let npmRate = NaN;
  if (wanted("npm")) {
    // The same generator against node-smpp, which stores nothing.
    const npm = await startNpmServer();
    let nr: LoadResult;
    try {
      nr = await runLoad({
        port: npm.port,
        conns: 4,
        window: 100,
        messages: N,
        ...ACCOUNT,
        timeoutMs: timeoutFor(N),
      });
    } finally {
      await npm.close();
    }
    progress("npm smpp 4x100", nr);
    rows.push(row("npm smpp (no storage)", 4, 100, nr));
    failed ||= nr.error !== undefined;
    npmRate = nr.rate;
  }

  console.log(`\n## smppgw load benchmark (${N} msgs per scenario at windows 10 and 100)\n`);
  console.log(markdownTable(rows));
  if (lines.length > 0) console.log(`\n${lines.join("\n")}`);
  const gw4x100 = rows.find((r) => r.server === "smppgw" && r.conns === 4 && r.window === 100);
  if (gw4x100 && Number.isFinite(npmRate)) {
    console.log(
      `\n4x100: smppgw ${fmtRate(gw4x100.rate)} durable submit_sm/s vs npm smpp ${
        fmtRate(npmRate)
      }/s ` +
        `(no storage): ratio smppgw/npm-smpp = ${(gw4x100.rate / npmRate).toFixed(2)}`,
    );
  }
  return failed ? 1 : 0;
}

/** Submit → receipt: transceivers ask for receipts and answer every deliver_sm. */
async function receiptScenario(
  gw: RunningGateway,
  n: number,
  delayMs: number,
  timeoutFor: (msgs: number) => number,
): Promise<LoadResult> {
  const messages = Math.max(10, Math.round(n / 2));
  const before = gw.gateway.counters.submitted;
  const r = await runLoad({
    port: gw.addr.port,
    conns: 4,
    window: 100,
    messages,
    ...ACCOUNT,
    registeredDelivery: 1,
    waitReceipts: true,
    timeoutMs: timeoutFor(messages) * 2 + delayMs,
  });
  progress("smppgw 4x100 with receipts", r);
  console.error(
    `  receipts: ${r.uniqueReceipts} distinct (${r.receipts} deliver_sm) in ${
      fmtMs(r.receiptElapsedMs)
    } ms = ${fmtRate(r.receiptRate)}/s (${gw.gateway.counters.submitted - before} accepted)`,
  );
  await quiesce(gw, delayMs);
  return r;
}

function receiptTable(r: LoadResult): string[] {
  return [
    "Submit → receipt (4 transceivers × window 100, registered_delivery 1, every deliver_sm " +
    "answered; receipts/s = distinct receipts / time from the first submit_sm to the last one):",
    "",
    "| msgs | submit msgs/s | receipts (deliver_sm) | distinct | receipts/s | first submit → last receipt ms | note |",
    "|---:|---:|---:|---:|---:|---:|---|",
    `| ${r.answered} | ${fmtRate(r.rate)} | ${r.receipts} | ${r.uniqueReceipts} | ${
      fmtRate(r.receiptRate)
    } | ${fmtMs(r.receiptElapsedMs)} | ${r.error ?? ""} |`,
  ];
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
