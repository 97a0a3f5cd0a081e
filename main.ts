/**
 * smppgw command line: picks the command, parses its arguments and wires it to the runtime.
 * What each command does lives in lib/cli/; the runtime (Deno or Bun: the process, files, sockets,
 * KV) is `runtime` of lib/runtime.ts, so the same file runs on both.
 */
import { getLogger } from "@logtape/logtape";
import {
  ensureDefaultAccount,
  type GatewayConfig,
  LeaseError,
  optionsFromConfig,
  parseConfig,
  startGateway,
  StoreError,
} from "./lib/mod.ts";
import { runtime } from "./lib/runtime.ts";
import {
  ACCOUNT_HELP,
  httpAccounts,
  parseAccountArgs,
  runAccount,
  storeAccounts,
} from "./lib/cli/account.ts";
import { fetchTrace, formatTrace, parseTraceArgs, TRACE_HELP } from "./lib/cli/trace.ts";
import { messageTrace } from "./lib/delivery/views.ts";
import { withOfflineStore } from "./lib/store/offline.ts";
import type { Store } from "./lib/store/store.ts";
import { HELP_HELP, helpText, pickCommand } from "./lib/cli/commands.ts";
import { checkConfigCommand, loadConfig } from "./lib/cli/config_file.ts";
import { exitCodeOf, ExitError, UsageError } from "./lib/cli/errors.ts";
import { parseFlags } from "./lib/cli/flags.ts";
import type { CliIo } from "./lib/cli/io.ts";
import { logStarted, logStopped } from "./lib/cli/lifecycle.ts";
import { setupLogging } from "./lib/cli/logging.ts";
import { runSend } from "./lib/cli/send.ts";
import { parseSendArgs, SEND_HELP } from "./lib/cli/send_args.ts";
import { envName, resolveServe, SERVE_FLAGS, SERVE_HELP } from "./lib/cli/serve_settings.ts";
import { VERSION_HELP, versionText } from "./lib/cli/version.ts";
import { VERSION } from "./lib/core/version.ts";

const encoder = new TextEncoder();
const live = runtime.stderrIsTerminal;

/** The console, environment and files as the commands see them. */
const io: CliIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  progress(line) {
    if (!live) {
      if (line) console.error(line);
      return;
    }
    runtime.writeStderr(encoder.encode(`\r\x1b[K${line}`));
  },
  live,
  env: (name) => runtime.env(name),
  readTextFile: (path) => runtime.readTextFile(path),
};

/** A command: resolves its exit code, or null when it keeps running (serve). */
type Runner = (args: string[]) => Promise<number | null>;

async function readPem(flag: string, path: string): Promise<string> {
  try {
    return await io.readTextFile(path);
  } catch (e) {
    throw new UsageError(`${flag} ${path}: ${(e as Error).message}`);
  }
}

async function serve(args: string[]): Promise<number | null> {
  const flags = parseFlags("serve", args, SERVE_FLAGS);
  if (flags.help) {
    io.out(SERVE_HELP);
    return 0;
  }
  const check = flags["check-config"];
  if (typeof check === "string") return await checkConfigCommand(io, check, parseConfig);
  const [source, path] = typeof flags.config === "string"
    ? ["--config", flags.config]
    : [envName("config"), io.env(envName("config")) || undefined];
  const loaded = path === undefined ? undefined : await loadConfig(io, source, path, parseConfig);
  const config: GatewayConfig = loaded?.gateway ?? {};
  const s = resolveServe(flags, io.env, { server: loaded?.server ?? {}, label: path ?? "" });
  await setupLogging(s.logLevel, s.logFormat);
  const tls = s.tlsPort === undefined ? undefined : {
    port: s.tlsPort,
    cert: await readPem("--tls-cert", s.tlsCert!),
    key: await readPem("--tls-key", s.tlsKey!),
  };
  let gw;
  try {
    gw = await startGateway({
      ...optionsFromConfig(config),
      host: s.host,
      port: s.port,
      tls,
      http: {
        host: s.httpHost,
        port: s.httpPort,
        // The environment beats the config file.
        adminToken: io.env("SMPPGW_ADMIN_TOKEN") || config.http?.adminToken,
      },
      kv: s.kv,
    });
  } catch (e) {
    throw new ExitError(`cannot start: ${(e as Error).message}`, 2);
  }
  // Signals are handled before anything is printed: a supervisor may act on the first line.
  const log = getLogger(["smppgw", "gateway"]);
  const running = gw;
  running.lost.then((e) => {
    // Another process owns the store now: everything this one still holds is refused.
    console.error(`smppgw: ${e.message}`);
    runtime.exit(3);
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("{signal}: shutting down", { signal });
    await running.close();
    logStopped(running.gateway.counters, running.gateway.startedAt, Date.now());
    console.log("smppgw stopped");
    runtime.exit(0);
  };
  runtime.onSignal("SIGINT", () => stop("SIGINT"));
  runtime.onSignal("SIGTERM", () => stop("SIGTERM"));
  const created = await ensureDefaultAccount(gw.gateway.store);
  const addr = (a: { hostname: string; port: number }) => `${a.hostname}:${a.port}`;
  // The banner is for the operator, in either log format; secrets never go through the logger.
  console.log(
    `smppgw listening for SMPP on ${addr(gw.addr)}${
      gw.tlsAddr ? `, SMPP over TLS on ${addr(gw.tlsAddr)}` : ""
    }, HTTP on ${addr(gw.httpAddr!)} (KV ${s.kv})`,
  );
  if (gw.generatedAdminToken) {
    console.log(
      `Admin API token (for Authorization: Bearer …): ${gw.generatedAdminToken} ` +
        `(shown only now; stored as a digest in ${s.kv}; set http.adminToken or ` +
        `SMPPGW_ADMIN_TOKEN to choose your own).`,
    );
  }
  if (created) {
    console.log(
      `No accounts were configured, so one was created. Bind with system_id "${created.systemId}" ` +
        `password "${created.password}" (shown only now; stored hashed in ${s.kv}).`,
    );
  }
  logStarted({
    version: VERSION,
    smpp: addr(gw.addr),
    tls: gw.tlsAddr && addr(gw.tlsAddr),
    http: gw.httpAddr && addr(gw.httpAddr),
    kv: s.kv,
  });
  return null;
}

async function send(args: string[]): Promise<number> {
  const o = parseSendArgs(args);
  if (o === "help") {
    io.out(SEND_HELP);
    return 0;
  }
  return await runSend(o, { connect: runtime.connect, io });
}

function version(args: string[]): Promise<number> {
  io.out(
    parseFlags("version", args, { help: { type: "boolean", short: "h" } }).help
      ? VERSION_HELP
      : versionText(runtime.version),
  );
  return Promise.resolve(0);
}

/** The admin token of account/trace: --token, else SMPPGW_ADMIN_TOKEN. */
function adminTokenOf(command: string, token: string | undefined): string {
  const t = token ?? io.env("SMPPGW_ADMIN_TOKEN");
  if (!t) {
    throw new UsageError(
      `${command} needs --token or SMPPGW_ADMIN_TOKEN (or --kv PATH when stopped)`,
    );
  }
  return t;
}

/** Runs `fn` on a stopped gateway's store at `path` (which must exist). */
async function offline<T>(path: string, fn: (store: Store) => Promise<T>): Promise<T> {
  try {
    await runtime.stat(path);
  } catch (e) {
    throw new UsageError(`--kv ${path}: ${(e as Error).message}`);
  }
  const kv = await runtime.openKv(path);
  try {
    return await withOfflineStore(kv, fn);
  } catch (e) {
    if (e instanceof LeaseError || e instanceof StoreError) throw new ExitError(e.message, 1);
    throw e;
  } finally {
    kv.close();
  }
}

async function account(args: string[]): Promise<number> {
  const a = parseAccountArgs(args);
  if (a.help) {
    io.out(ACCOUNT_HELP);
    return 0;
  }
  io.out(
    a.kv !== undefined
      ? await offline(a.kv, (store) => runAccount(a, storeAccounts(store)))
      : await runAccount(a, httpAccounts(a.url, adminTokenOf("account", a.token), fetch)),
  );
  return 0;
}

async function trace(args: string[]): Promise<number> {
  const a = parseTraceArgs(args);
  if (a === "help") {
    io.out(TRACE_HELP);
    return 0;
  }
  const t = a.kv !== undefined
    ? await offline(a.kv, (store) => messageTrace(store, a.id, () => []))
    : await fetchTrace(a.url, adminTokenOf("trace", a.token), a.id, fetch);
  if (!t) throw new ExitError(`no message ${a.id}`, 1);
  io.out(formatTrace(t));
  return 0;
}

/** Each command's --help. */
const HELPS: Record<string, string> = {
  serve: SERVE_HELP,
  send: SEND_HELP,
  account: ACCOUNT_HELP,
  trace: TRACE_HELP,
  version: VERSION_HELP,
  help: HELP_HELP,
};

function help(args: string[]): Promise<number> {
  const [topic, ...extra] = args;
  if (extra.length > 0) throw new UsageError(`help: unexpected argument "${extra[0]}"`);
  if (topic === undefined) io.out(helpText());
  else if (topic === "--help" || topic === "-h") io.out(HELP_HELP);
  else io.out(HELPS[pickCommand([topic]).command] ?? helpText());
  return Promise.resolve(0);
}

/** The runner of every command of lib/cli/commands.ts. */
const RUNNERS: Record<string, Runner> = { serve, send, account, trace, version, help };

if (import.meta.main) {
  let code: number | null;
  try {
    const { command, args } = pickCommand([...runtime.args]);
    const run = RUNNERS[command];
    if (!run) throw new UsageError(`"${command}" is not wired in main.ts`);
    code = await run(args);
  } catch (e) {
    const exit = exitCodeOf(e);
    if (exit === null) throw e; // a bug: the runtime prints it with its stack and exits 1
    console.error(`smppgw: ${(e as Error).message}`);
    code = exit;
  }
  if (code !== null) runtime.exit(code);
}
