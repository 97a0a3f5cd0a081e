/** Flag parsing for every command: node:util parseArgs with one-line errors, and value checks. */
import { parseArgs } from "node:util";
import { UsageError } from "./errors.ts";

/** The flags a command takes: string flags take a value, boolean flags do not. */
export type FlagSpec = Record<
  string,
  { type: "string" | "boolean"; short?: string; multiple?: boolean }
>;

/** Parsed flags: a string (strings, when `multiple`), true, or undefined when absent. */
export type Flags = Record<string, string | boolean | string[] | undefined>;

/**
 * Parses `args` strictly for `command`; unknown flags, missing values and stray arguments throw
 * a {@link UsageError} with one line naming the flag and where the help is.
 *
 * @example
 * ```ts
 * import { parseFlags } from "./flags.ts";
 * const f = parseFlags("send", ["--port", "2775", "--dlr"], {
 *   port: { type: "string" },
 *   dlr: { type: "boolean" },
 * });
 * console.log(f.port, f.dlr); // "2775" true
 * ```
 */
export function parseFlags(command: string, args: string[], spec: FlagSpec): Flags {
  return parseCommand(command, args, spec, false).flags;
}

/**
 * Like {@link parseFlags}, also taking positional arguments (e.g. `account show acme`) when
 * `positionals` is true.
 */
export function parseCommand(
  command: string,
  args: string[],
  spec: FlagSpec,
  positionals = true,
): { flags: Flags; positionals: string[] } {
  const see = `(see "main.ts ${command} --help")`;
  try {
    const r = parseArgs({ args, options: spec, strict: true, allowPositionals: positionals });
    return { flags: r.values as Flags, positionals: r.positionals };
  } catch (e) {
    const code = (e as { code?: string }).code;
    const message = (e as Error).message;
    const option = message.match(/'(-[^' ]+)/)?.[1];
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      throw new UsageError(`${command}: unknown option ${option ?? message} ${see}`);
    }
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      const expects = /argument missing/.test(message) ? "needs a value" : "takes no value";
      throw new UsageError(`${command}: ${option ?? "an option"} ${expects} ${see}`);
    }
    if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
      const arg = message.match(/'([^']*)'/)?.[1] ?? "";
      throw new UsageError(`${command}: unexpected argument "${arg}" ${see}`);
    }
    throw e;
  }
}

/** `v` as a port number 0..65535; `source` names the flag, variable or key in the error. */
export function portValue(source: string, v: string): number {
  if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) {
    throw new UsageError(`${source} must be a port number from 0 to 65535, got "${v}"`);
  }
  return Number(v);
}

/** `v` as a number of seconds, more than 0 and at most `max`. */
export function secondsValue(source: string, v: string, max = 86_400): number {
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n <= 0 || n > max) {
    throw new UsageError(`${source} must be a number of seconds from 0 to ${max}, got "${v}"`);
  }
  return n;
}

/** `v` when it is one of `allowed`. */
export function oneOf<T extends string>(source: string, v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v)) {
    throw new UsageError(`${source} must be one of ${allowed.join(", ")}, got "${v}"`);
  }
  return v as T;
}
