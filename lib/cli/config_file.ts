/**
 * Reading the JSON config file for `serve`: the `server` section (settings of the command line,
 * checked here) and the gateway part (checked by the injected parser, `parseConfig`). Every problem
 * is listed, not only the first: the server section's, then the parser's (a ConfigError lists all
 * it found), each in file order.
 */
import { ConfigError } from "../core/validate.ts";
import { UsageError } from "./errors.ts";
import type { CliIo } from "./io.ts";
import { serverSectionProblems } from "./serve_settings.ts";

/** Checks the gateway part of a config (everything but `server`); throws ConfigError. */
export type ConfigParser<T> = (v: unknown) => T;

/** A valid config file, split into its two parts. */
export interface LoadedConfig<T> {
  /** The `server` section (empty when absent). */
  server: Record<string, unknown>;
  /** The gateway part, as the parser returned it. */
  gateway: T;
}

/** What checking a config text found: the config when valid, else every problem. */
export type ConfigCheck<T> = { ok: true; config: LoadedConfig<T> } | {
  ok: false;
  problems: string[];
};

/**
 * Checks a config file's text; a problem that is not a ConfigError (a bug) is thrown.
 *
 * @example
 * ```ts
 * import { checkConfigText } from "./config_file.ts";
 * const r = checkConfigText('{"server": {"port": 2776}}', (v) => v);
 * console.log(r.ok && r.config.server.port); // 2776
 * ```
 */
export function checkConfigText<T>(text: string, parse: ConfigParser<T>): ConfigCheck<T> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { ok: false, problems: [`not valid JSON: ${(e as Error).message}`] };
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    return { ok: false, problems: ["config: must be a JSON object"] };
  }
  const { server = {}, ...rest } = v as Record<string, unknown>;
  const problems = serverSectionProblems(server);
  let gateway: { value: T } | undefined;
  try {
    gateway = { value: parse(rest) };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    problems.push(...e.problems.map((p) => p.line));
  }
  if (gateway === undefined || problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: { server: server as Record<string, unknown>, gateway: gateway.value },
  };
}

/**
 * Reads and checks the config file at `path`; a missing or invalid file throws a UsageError of
 * one line, `<source> <path>: <first problem>` (`source` is "--config" or "SMPPGW_CONFIG").
 */
export async function loadConfig<T>(
  io: CliIo,
  source: string,
  path: string,
  parse: ConfigParser<T>,
): Promise<LoadedConfig<T>> {
  const text = await readConfig(io, source, path);
  const r = checkConfigText(text, parse);
  if (r.ok) return r.config;
  const more = r.problems.length > 1
    ? ` (and ${r.problems.length - 1} more: main.ts serve --check-config ${path})`
    : "";
  throw new UsageError(`${source} ${path}: ${r.problems[0]}${more}`);
}

/** Reads a file named by `source`; a failure is a UsageError naming both. */
export async function readConfig(io: CliIo, source: string, path: string): Promise<string> {
  try {
    return await io.readTextFile(path);
  } catch (e) {
    throw new UsageError(`${source} ${path}: ${(e as Error).message}`);
  }
}

/**
 * `serve --check-config FILE`: prints every problem (stderr) or that the file is valid (stdout);
 * resolves the exit code, 0 when valid, 2 when not.
 */
export async function checkConfigCommand<T>(
  io: CliIo,
  path: string,
  parse: ConfigParser<T>,
): Promise<number> {
  const r = checkConfigText(await readConfig(io, "--check-config", path), parse);
  if (r.ok) {
    io.out(`${path}: valid`);
    return 0;
  }
  for (const p of r.problems) io.err(`smppgw: ${path}: ${p}`);
  return 2;
}
