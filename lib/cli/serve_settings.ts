/**
 * The settings of `serve`, one table: each has a flag, an `SMPPGW_*` environment variable and a
 * key of the config file's `server` section. Precedence: config file < environment < flag <
 * nothing given (the default). Only the winning value is checked, and its error names where it
 * came from (`--port`, `SMPPGW_PORT` or `server.port in c.json`).
 */
import type { LogLevel } from "@logtape/logtape";
import { z } from "zod";
import { LISTEN_DEFAULTS } from "../core/defaults.ts";
import { object, ownLine, problemsOf } from "../core/schema.ts";
import { UsageError } from "./errors.ts";
import { type Flags, type FlagSpec, oneOf, portValue } from "./flags.ts";
import { LOG_FORMATS, LOG_LEVELS, type LogFormat } from "./logging.ts";

/** What `serve` runs with, after flags, environment and config file. */
export interface ServeSettings {
  host: string;
  port: number;
  httpHost: string;
  httpPort: number;
  tlsPort?: number;
  tlsCert?: string;
  tlsKey?: string;
  kv: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
}

/** One setting: where it is read from, its default and how its value is checked. */
interface Setting {
  /** Flag without the dashes. */
  flag: string;
  /** Key in the config's `server` section (and in {@link ServeSettings}). */
  key: keyof ServeSettings;
  /** Placeholder in the help. */
  arg: string;
  help: string;
  dflt?: string;
  check: (source: string, v: string) => unknown;
}

const text = (_: string, v: string) => v;
const port = portValue;

/** Every setting of `serve` that a flag, a variable and the config can give, in help order. */
export const SERVE_SETTINGS: readonly Setting[] = [
  {
    flag: "host",
    key: "host",
    arg: "ADDR",
    dflt: LISTEN_DEFAULTS.host,
    check: text,
    help: "SMPP address (0.0.0.0: every interface)",
  },
  {
    flag: "port",
    key: "port",
    arg: "N",
    dflt: String(LISTEN_DEFAULTS.port),
    check: port,
    help: "SMPP TCP port (0: any free one)",
  },
  {
    flag: "http-port",
    key: "httpPort",
    arg: "N",
    dflt: "8775",
    check: port,
    help: "HTTP port: callbacks, admin API",
  },
  {
    flag: "http-host",
    key: "httpHost",
    arg: "ADDR",
    dflt: LISTEN_DEFAULTS.host,
    check: text,
    help: "HTTP address",
  },
  {
    flag: "tls-port",
    key: "tlsPort",
    arg: "N",
    check: port,
    help: "SMPP over TLS too (needs cert, key)",
  },
  { flag: "tls-cert", key: "tlsCert", arg: "FILE", check: text, help: "PEM certificate chain" },
  { flag: "tls-key", key: "tlsKey", arg: "FILE", check: text, help: "PEM private key" },
  {
    flag: "kv",
    key: "kv",
    arg: "PATH",
    dflt: "./data/smppgw.kv",
    check: text,
    help: 'Deno KV file (":memory:": none)',
  },
  {
    flag: "log-level",
    key: "logLevel",
    arg: "LEVEL",
    dflt: "info",
    check: (s, v) => oneOf(s, v, LOG_LEVELS),
    help: LOG_LEVELS.join(" "),
  },
  {
    flag: "log-format",
    key: "logFormat",
    arg: "FORMAT",
    dflt: "text",
    check: (s, v) => oneOf(s, v, LOG_FORMATS),
    help: "text or json (an object a line)",
  },
]; // deno-fmt-ignore

/** The environment variable of a flag: `--http-port` → `SMPPGW_HTTP_PORT`. */
export function envName(flag: string): string {
  return `SMPPGW_${flag.toUpperCase().replaceAll("-", "_")}`;
}

/** The flags `serve` takes. */
export const SERVE_FLAGS: FlagSpec = {
  ...Object.fromEntries(SERVE_SETTINGS.map((s) => [s.flag, { type: "string" as const }])),
  config: { type: "string" },
  "check-config": { type: "string" },
  help: { type: "boolean", short: "h" },
};

function helpLine(left: string, env: string, help: string): string {
  return `  ${left.padEnd(22)}${env.padEnd(20)}${help}`;
}

/** `main.ts serve --help`. */
export const SERVE_HELP: string = [
  "Usage: npx -y deno@2 run -A main.ts serve [options]",
  "       npx -y deno@2 task start [options]",
  "",
  "Runs the gateway. Each option can also come from its environment variable or from the",
  'config file\'s "server" section; a flag beats the environment, which beats the config file.',
  "",
  helpLine("option", "environment", "meaning [default]"),
  ...SERVE_SETTINGS.map((s) =>
    helpLine(
      `--${s.flag} ${s.arg}`,
      envName(s.flag),
      s.dflt === undefined ? s.help : `${s.help} [${s.dflt}]`,
    )
  ),
  helpLine("--config FILE", envName("config"), "JSON config file (README: Config file)"),
  helpLine("--check-config FILE", "", "print every problem of FILE; exit 0 if valid, else 2"),
  helpLine("-h, --help", "", "show this help"),
].join("\n");

/** The config file in use, for {@link resolveServe}. */
export interface ConfigSource {
  /** The config's `server` section (empty without a config file). */
  server: Readonly<Record<string, unknown>>;
  /** Names the file in errors, e.g. "c.json". */
  label: string;
}

/**
 * Resolves every setting: flag, else environment variable, else the config's `server` key, else
 * the default; checks the value that won.
 *
 * @example
 * ```ts
 * import { resolveServe } from "./serve_settings.ts";
 * const s = resolveServe(
 *   { port: "0" },
 *   (name) => ({ SMPPGW_PORT: "2780", SMPPGW_LOG_FORMAT: "json" })[name],
 *   { server: { port: 2790, logFormat: "text", kv: ":memory:" }, label: "c.json" },
 * );
 * console.log(s.port, s.logFormat, s.kv); // 0 "json" ":memory:"
 * ```
 */
export function resolveServe(
  flags: Flags,
  env: (name: string) => string | undefined,
  config: ConfigSource = { server: {}, label: "" },
): ServeSettings {
  const out: Record<string, unknown> = {};
  for (const s of SERVE_SETTINGS) {
    const flag = flags[s.flag];
    const fromEnv = env(envName(s.flag));
    const fromConfig = config.server[s.key];
    let source: string;
    let value: string | undefined;
    if (typeof flag === "string") [source, value] = [`--${s.flag}`, flag];
    else if (fromEnv !== undefined && fromEnv !== "") [source, value] = [envName(s.flag), fromEnv];
    else if (fromConfig !== undefined) {
      [source, value] = [`server.${s.key} in ${config.label}`, String(fromConfig)];
    } else [source, value] = ["", s.dflt];
    if (value !== undefined) out[s.key] = s.check(source, value);
  }
  const r = out as unknown as ServeSettings;
  if (r.tlsPort !== undefined && (r.tlsCert === undefined || r.tlsKey === undefined)) {
    throw new UsageError("--tls-port needs --tls-cert and --tls-key");
  }
  if (r.tlsPort === undefined && (r.tlsCert !== undefined || r.tlsKey !== undefined)) {
    throw new UsageError("--tls-cert and --tls-key need --tls-port");
  }
  return r;
}

/** A value of the `server` section: a string or a number, checked like its flag. */
function serverValue(s: Setting) {
  const error = (iss: { input?: unknown }) =>
    `must be a string or a number, got ${JSON.stringify(iss.input)}`;
  return z.union([z.string(), z.number()], { error }).superRefine((v, ctx) => {
    try {
      s.check(`server.${s.key}`, String(v));
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      ctx.addIssue(ownLine(e.message));
    }
  }).optional();
}

/** The config file's `server` section: a key per setting. */
const SERVER = object(Object.fromEntries(SERVE_SETTINGS.map((s) => [s.key, serverValue(s)])));

/**
 * Problems of a config file's `server` section, one line each (none when it is valid), in file
 * order.
 *
 * @example
 * ```ts
 * import { serverSectionProblems } from "./serve_settings.ts";
 * console.log(serverSectionProblems({ port: 99999, colour: "red" }));
 * // ['server.port must be a port number from 0 to 65535, got "99999"',
 * //  'server.colour: unknown key (expected one of host, port, …)']
 * ```
 */
export function serverSectionProblems(v: unknown): string[] {
  return problemsOf(SERVER, v, "server").map((p) => p.line);
}
