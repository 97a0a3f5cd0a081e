/**
 * Fuzz harness for hostile and broken SMPP input: `deno task fuzz [--cases N] [--seed S]`.
 * Without `--port` it starts an in-process gateway (":memory:" KV, account test/secret);
 * with `--port` it fuzzes a running gateway on --host (default 127.0.0.1).
 * Replay a failure with `--seed S --only I[,J…]`.
 */
import { parseArgs } from "node:util";
import { concatBytes } from "../lib/bytes.ts";
import { MAX_PDU_LENGTH } from "../lib/frames.ts";
import { startGateway } from "../lib/mod.ts";
import { commandById } from "../lib/pdu/commands.ts";
import { hashPassword } from "../lib/password.ts";
import { CASE_KINDS, type CaseOptions, fuzzCase } from "./fuzz/cases.ts";
import { type FuzzResult, runFuzz } from "./fuzz/driver.ts";
import { plan } from "./fuzz/oracle.ts";
import { caseSeed, Rng } from "./fuzz/rng.ts";

export {
  CASE_KINDS,
  type CaseOptions,
  type Expected,
  type FuzzCase,
  fuzzCase,
} from "./fuzz/cases.ts";
export {
  type CaseResult,
  type Failure,
  type FuzzOptions,
  type FuzzResult,
  runCase,
  runFuzz,
  type RunSettings,
} from "./fuzz/driver.ts";
export { healthCheck, type MessageStore } from "./fuzz/health.ts";
export {
  type ExpectedReply,
  type Plan,
  plan,
  type PlanOptions,
  ReplyChecker,
} from "./fuzz/oracle.ts";
export { caseSeed, Rng } from "./fuzz/rng.ts";
export type { Credentials } from "./fuzz/templates.ts";

/** Prints a run summary; returns the text. */
export function summary(r: FuzzResult): string {
  const lines = [
    `seed ${r.seed}: ${r.cases} cases in ${(r.elapsedMs / 1000).toFixed(1)} s ` +
    `(${Math.round(r.casesPerSec)} cases/s), ${r.replies} replies checked, ` +
    `${r.closedByGateway} connections closed by the gateway, ${r.healthChecks} health checks, ` +
    `${r.accepted} acknowledged messages checked in storage`,
    `kinds: ${Object.entries(r.kinds).sort().map(([k, n]) => `${k}=${n}`).join(" ")}`,
    r.failures.length === 0 ? "no failures" : `${r.failures.length} FAILURES:`,
  ];
  for (const f of r.failures) {
    const where = f.index < 0 ? "health check" : `case ${f.index} (${f.kind})`;
    lines.push(`  seed ${f.seed} ${where}: ${f.messages.join("; ")}`);
    if (f.index >= 0) {
      lines.push(`    sent ${f.hex}`);
      lines.push(`    replay: deno task fuzz --seed ${f.seed} --only ${f.index}`);
    }
  }
  return lines.join("\n");
}

/** Describes one case without running it: its PDUs as the gateway frames them, and the plan. */
export function dump(seed: number, index: number, o: CaseOptions, kind?: string): string {
  const c = fuzzCase(new Rng(caseSeed(seed, index)), o, kind);
  const bytes = concatBytes(c.chunks);
  const lines = [
    `seed ${seed} case ${index}: ${c.kind}, bind first: ${c.bind}, ` +
    `${bytes.length} octets in ${c.chunks.length} writes`,
  ];
  const dv = new DataView(bytes.buffer);
  for (let off = 0; bytes.length - off >= 16;) {
    const len = dv.getUint32(off);
    const id = dv.getUint32(off + 4);
    const name = commandById(id)?.name ?? `0x${id.toString(16)}`;
    lines.push(`  @${off} command_length ${len} ${name} seq ${dv.getUint32(off + 12)}`);
    if (len < 16) break;
    off += len;
  }
  const p = plan(bytes, {
    bound: c.bind,
    maxPduLength: o.maxPduLength ?? MAX_PDU_LENGTH,
    credentials: o.credentials,
    expect: c.expect,
  });
  for (const r of p.replies) {
    const status = r.status === undefined ? "" : ` status 0x${r.status.toString(16)}`;
    lines.push(`  expects ${r.must ? "" : "(maybe) "}${r.what}${status}`);
  }
  if (p.mustClose) lines.push("  expects the gateway to close");
  return lines.join("\n");
}

async function main(argv: string[]): Promise<number> {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      cases: { type: "string", default: "5000" },
      seed: { type: "string" },
      only: { type: "string" },
      kind: { type: "string" },
      port: { type: "string" },
      host: { type: "string", default: "127.0.0.1" },
      "system-id": { type: "string", default: "test" },
      password: { type: "string", default: "secret" },
      concurrency: { type: "string" },
      "health-every": { type: "string", default: "250" },
      "silence-ms": { type: "string", default: "50" },
      dump: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (v.help) {
    console.log(
      "deno task fuzz [--cases N] [--seed S] [--only I,J [--dump]] [--kind K] [--concurrency C]\n" +
        "  [--health-every N] [--silence-ms MS] [--port P --host H --system-id ID --password PW]\n" +
        "  --dump prints the --only cases (PDUs and expected replies) without running them\n" +
        `kinds: ${CASE_KINDS.join(", ")}`,
    );
    return 0;
  }
  const seed = v.seed === undefined ? (Date.now() % 0x7fffffff) : Number(v.seed);
  const credentials = { systemId: v["system-id"]!, password: v.password! };
  const only = v.only?.split(",").map(Number);
  if (v.dump) {
    for (const i of only ?? [0]) console.log(dump(seed, i, { credentials }, v.kind));
    return 0;
  }
  // In-process the account gets room for every worker; a running gateway defaults to 5 sessions.
  const concurrency = Number(v.concurrency ?? (v.port === undefined ? 16 : 3));
  const gw = v.port === undefined
    ? await startGateway({
      port: 0,
      kv: ":memory:",
      accounts: [{ ...credentials, maxSessions: concurrency * 4 + 8 }],
      simulator: { delayMs: 20 },
      receiptRetryMs: 50,
    })
    : null;
  if (gw) {
    // A cheap password hash: the fuzzer binds thousands of times, PBKDF2 at 100k would dominate.
    const a = (await gw.gateway.store.account(credentials.systemId))!;
    await gw.gateway.store.putAccount({
      ...a,
      password: await hashPassword(credentials.password, 1000),
    });
  }
  try {
    const r = await runFuzz({
      port: gw ? gw.addr.port : Number(v.port),
      hostname: gw ? gw.addr.hostname : v.host,
      cases: Number(v.cases),
      seed,
      only,
      kind: v.kind,
      credentials,
      concurrency,
      healthEvery: Number(v["health-every"]),
      silenceMs: Number(v["silence-ms"]),
      store: gw?.gateway.store,
      sessions: gw ? () => gw.gateway.sessionCount : undefined,
      onProgress: (done, failures) => console.error(`… ${done} cases, ${failures} failures`),
    });
    console.log(summary(r));
    return r.failures.length === 0 ? 0 : 1;
  } finally {
    await gw?.close();
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
