/**
 * Errors of the command line. main.ts prints an error that carries an exit code as one line,
 * `smppgw: <message>`, and exits with that code; bad input is a {@link UsageError} (code 2).
 */

/** A command failed in a way it reports as one line and an exit code. */
export class ExitError extends Error {
  /** A failure described by `message` (one line), ending the process with `exitCode`. */
  constructor(message: string, readonly exitCode: number) {
    super(message);
    this.name = "ExitError";
  }
}

/**
 * The command line was wrong (an unknown command or flag, a bad value, an invalid config file):
 * exit code 2.
 *
 * @example
 * ```ts
 * import { exitCodeOf, UsageError } from "./errors.ts";
 * const e = new UsageError('--port must be a port number from 0 to 65535, got "x"');
 * console.error(`smppgw: ${e.message}`);
 * console.log(exitCodeOf(e)); // 2
 * ```
 */
export class UsageError extends ExitError {
  /** Bad input described by `message` (one line, naming the flag, variable or key). */
  constructor(message: string) {
    super(message, 2);
    this.name = "UsageError";
  }
}

/**
 * The exit code an error asks for: an {@link ExitError}'s, or the numeric `code` of a command's
 * own error class (e.g. `CliError` of lib/cli/account.ts); null for anything else (a bug, which
 * main.ts lets through with its stack).
 */
export function exitCodeOf(e: unknown): number | null {
  if (e instanceof ExitError) return e.exitCode;
  const code = e instanceof Error ? (e as Error & { code?: unknown }).code : undefined;
  return typeof code === "number" ? code : null;
}
