/** smppgw command line: parses arguments and wires the gateway. Nothing else lives here. */
import { parseArgs } from "node:util";
import { configure, getConsoleSink, getLogger, type LogLevel } from "@logtape/logtape";
import {
  ConfigError,
  ensureDefaultAccount,
  optionsFromConfig,
  parseConfig,
  startGateway,
} from "./lib/mod.ts";

const HELP = `smppgw — an SMPP 3.4 gateway (SMSC side) on Deno KV

Usage: deno task start            (same as: deno run -A main.ts serve)
       deno run -A main.ts serve [options]
       deno run -A main.ts help

Commands:
  serve     run the gateway (default)
  help      show this help

Run "main.ts serve --help" for the serve options.`;

const SERVE_HELP = `Usage: main.ts serve [options]

Options:
  --host ADDR         address to listen on (default 127.0.0.1)
  --port N            SMPP TCP port (default 2775; 0 = any free port)
  --http-port N       HTTP port: route callbacks /routes/{name}/dlr and /mo (default 8775; 0 = any)
  --http-host ADDR    address of the HTTP port (default 127.0.0.1)
  --tls-port N        also listen for SMPP over TLS on this port (needs --tls-cert and --tls-key)
  --tls-cert FILE     PEM certificate chain for TLS
  --tls-key FILE      PEM private key for TLS
  --kv PATH           Deno KV file (default ./data/smppgw.kv, created if missing; ":memory:" for none)
  --config FILE       JSON config file (accounts, simulator, timers; see README)
  --log-level LEVEL   trace, debug, info, warning, error (default info)
  -h, --help          show this help`;

function fail(message: string): never {
  console.error(`smppgw: ${message}`);
  Deno.exit(2);
}

function port(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) {
    fail(`--${name} must be a port number from 0 to 65535, got "${v}"`);
  }
  return n;
}

async function readText(flag: string, path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    fail(`${flag} ${path}: ${(e as Error).message}`);
  }
}

async function serve(args: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      options: {
        host: { type: "string" },
        port: { type: "string" },
        "http-port": { type: "string" },
        "http-host": { type: "string" },
        "tls-port": { type: "string" },
        "tls-cert": { type: "string" },
        "tls-key": { type: "string" },
        kv: { type: "string" },
        config: { type: "string" },
        "log-level": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    fail(`${(e as Error).message}\n\n${SERVE_HELP}`);
  }
  const v = parsed.values;
  if (v.help) {
    console.log(SERVE_HELP);
    return;
  }
  const levels = ["trace", "debug", "info", "warning", "error"];
  const level = v["log-level"] ?? "info";
  if (!levels.includes(level)) {
    fail(`--log-level must be one of ${levels.join(", ")}, got "${level}"`);
  }
  await configure({
    sinks: { console: getConsoleSink() },
    loggers: [
      { category: ["smppgw"], lowestLevel: level as LogLevel, sinks: ["console"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["console"] },
    ],
  });
  const tcpPort = port("port", v.port, 2775);
  const httpPort = port("http-port", v["http-port"], 8775);
  let tls;
  if (v["tls-port"] !== undefined) {
    if (!v["tls-cert"] || !v["tls-key"]) fail("--tls-port needs --tls-cert and --tls-key");
    tls = {
      port: port("tls-port", v["tls-port"], 0),
      cert: await readText("--tls-cert", v["tls-cert"]),
      key: await readText("--tls-key", v["tls-key"]),
    };
  } else if (v["tls-cert"] || v["tls-key"]) fail("--tls-cert and --tls-key need --tls-port");

  let config = {};
  if (v.config) {
    const raw = await readText("--config", v.config);
    try {
      config = parseConfig(JSON.parse(raw));
    } catch (e) {
      if (e instanceof SyntaxError) fail(`--config ${v.config}: not valid JSON: ${e.message}`);
      if (e instanceof ConfigError) fail(`--config ${v.config}: ${e.message}`);
      throw e;
    }
  }
  const kvPath = v.kv ?? "./data/smppgw.kv";
  let gw;
  try {
    gw = await startGateway({
      ...optionsFromConfig(config),
      host: v.host ?? "127.0.0.1",
      port: tcpPort,
      tls,
      http: {
        host: v["http-host"] ?? "127.0.0.1",
        port: httpPort,
        // The environment beats the config file.
        adminToken: Deno.env.get("SMPPGW_ADMIN_TOKEN") ||
          (config as { http?: { adminToken?: string } }).http?.adminToken,
      },
      kv: kvPath,
    });
  } catch (e) {
    fail(`cannot start: ${(e as Error).message}`);
  }
  const created = await ensureDefaultAccount(gw.gateway.store);
  console.log(
    `smppgw listening for SMPP on ${gw.addr.hostname}:${gw.addr.port}${
      gw.tlsAddr ? `, SMPP over TLS on ${gw.tlsAddr.hostname}:${gw.tlsAddr.port}` : ""
    }, HTTP on ${gw.httpAddr!.hostname}:${gw.httpAddr!.port} (KV ${kvPath})`,
  );
  if (gw.generatedAdminToken) {
    console.log(
      `Admin API token (for Authorization: Bearer …): ${gw.generatedAdminToken} ` +
        `(shown only now; stored as a digest in ${kvPath}; set http.adminToken or ` +
        `SMPPGW_ADMIN_TOKEN to choose your own).`,
    );
  }
  if (created) {
    console.log(
      `No accounts were configured, so one was created. Bind with system_id "${created.systemId}" ` +
        `password "${created.password}" (shown only now; stored hashed in ${kvPath}).`,
    );
  }
  const log = getLogger(["smppgw"]);
  gw.lost.then((e) => {
    // Another process owns the store now: everything this one still holds is refused.
    console.error(`smppgw: ${e.message}`);
    Deno.exit(3);
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("{signal}: shutting down", { signal });
    await gw.close();
    console.log("smppgw stopped");
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", () => stop("SIGINT"));
  Deno.addSignalListener("SIGTERM", () => stop("SIGTERM"));
}

if (import.meta.main) {
  const [cmd, ...rest] = Deno.args;
  if (cmd === undefined || cmd === "serve") await serve(rest);
  else if (cmd === "serve" || cmd.startsWith("-")) await serve(Deno.args);
  else if (cmd === "help" || cmd === "--help" || cmd === "-h") console.log(HELP);
  else fail(`unknown command "${cmd}"\n\n${HELP}`);
}
