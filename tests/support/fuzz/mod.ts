/**
 * Fuzz harness for hostile and broken SMPP input: `deno task fuzz [--cases N] [--seed S]`.
 * Without `--port` it starts an in-process gateway (":memory:" KV, account test/secret, caps
 * and lockout loose enough for the fuzzer; see fuzz/gateway.ts); with `--port` it fuzzes a
 * running gateway on --host (default 127.0.0.1).
 * Replay a failure with the arguments its report prints (`--seed S --only I[,J…]`).
 */
import { parseArgs } from "node:util";
import { concatBytes } from "../../../lib/smpp/bytes.ts";
import { MAX_PDU_LENGTH } from "../../../lib/smpp/frames.ts";
import { commandById } from "../../../lib/smpp/commands.ts";
import { CASE_KINDS, type CaseOptions, fuzzCase } from "./cases.ts";
import { type FuzzResult, PROBE_SEQ, runFuzz } from "./driver.ts";
import { fuzzGateway, type FuzzTarget } from "./gateway.ts";
import { plan } from "./oracle.ts";
import { caseSeed, Rng } from "../rng.ts";

export { CASE_KINDS, type CaseOptions, type Expected, type FuzzCase, fuzzCase } from "./cases.ts";
export { bisect, type Bisection } from "./bisect.ts";
export {
  type CaseConnection,
  type CaseResult,
  type Failure,
  type FuzzOptions,
  type FuzzResult,
  PROBE_SEQ,
  runCase,
  runFuzz,
  type RunSettings,
} from "./driver.ts";
export { Acked, healthCheck, type MessageStore } from "./health.ts";
export { fuzzGateway, type FuzzGatewayOptions, type FuzzTarget } from "./gateway.ts";
export { type ExpectedReply, type Plan, plan, type PlanOptions, ReplyChecker } from "./oracle.ts";
export { caseSeed, Rng } from "../rng.ts";
export type { Credentials } from "./templates.ts";

/** Prints a run summary; returns the text. */
export function summary(r: FuzzResult): string {
  const lines = [
    `seed ${r.seed}: ${r.cases} cases in ${(r.elapsedMs / 1000).toFixed(1)} s ` +
    `(${Math.round(r.casesPerSec)} cases/s), ${r.replies} replies checked, ` +
    `${r.closedByGateway} connections closed by the gateway, ${r.binds} binds before a case ` +
    `(${r.reused} cases on a kept session), ${r.healthChecks} health checks, ` +
    `${r.accepted} acknowledged messages checked in storage`,
    `kinds: ${Object.entries(r.kinds).sort().map(([k, n]) => `${k}=${n}`).join(" ")}`,
    r.failures.length === 0 ? "no failures" : `${r.failures.length} FAILURES:`,
  ];
  // A broken gateway fails the cases around the one that broke it: the health check first.
  const health = r.failures.filter((f) => f.kind === "health");
  for (const f of [...health, ...r.failures.filter((f) => f.kind !== "health")]) {
    const where = f.kind === "health" ? "health check" : `case ${f.index} (${f.kind})`;
    lines.push(`  seed ${f.seed} ${where}: ${f.messages.join("; ")}`);
    if (f.hex) lines.push(`    sent ${f.hex}`);
    if (f.replay) lines.push(`    replay: deno task fuzz ${f.replay}`);
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
  if (p.settled) lines.push(`  then the driver's probe: enquire_link seq ${PROBE_SEQ}, answered`);
  if (p.endsBound) lines.push("  then the session is kept for the next bound case");
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
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
      reuse: { type: "string", default: "32" },
      "health-every": { type: "string", default: "250" },
      "silence-ms": { type: "string", default: "50" },
      "no-probe": { type: "boolean" },
      dump: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (v.help) {
    console.log(
      "deno task fuzz [--cases N] [--seed S] [--only I,J [--dump]] [--kind K] [--concurrency C]\n" +
        "  [--reuse N] [--health-every N] [--silence-ms MS] [--no-probe]\n" +
        "  [--port P --host H --system-id ID --password PW]\n" +
        "  --concurrency: workers (default 32 in-process, 2 against --port)\n" +
        "  --reuse: bound cases per kept session (default 32; 1 = bind afresh for each)\n" +
        "  --no-probe: end every case by --silence-ms of quiet, not by an enquire_link\n" +
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
  // A worker may hold a kept session and a case that binds on its own, the health check one
  // more: 2 workers fit a running gateway's default of 5 sessions per account.
  const concurrency = Number(v.concurrency ?? (v.port === undefined ? 32 : 2));
  const inProcess = v.port === undefined;
  const fresh = () => fuzzGateway({ credentials, concurrency });
  const target: FuzzTarget = inProcess
    ? await fresh()
    : { port: Number(v.port), hostname: v.host!, close: () => Promise.resolve() };
  try {
    const r = await runFuzz({
      port: target.port,
      hostname: target.hostname,
      cases: Number(v.cases),
      seed,
      only,
      kind: v.kind,
      credentials,
      concurrency,
      reuse: Number(v.reuse),
      healthEvery: Number(v["health-every"]),
      silenceMs: Number(v["silence-ms"]),
      probe: !v["no-probe"],
      store: target.store,
      sessions: target.sessions,
      fresh: inProcess ? fresh : undefined,
      onProgress: (done, failures) => console.error(`… ${done} cases, ${failures} failures`),
    });
    console.log(summary(r));
    return r.failures.length === 0 ? 0 : 1;
  } finally {
    await target.close();
  }
}
