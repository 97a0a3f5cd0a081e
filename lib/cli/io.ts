/**
 * What a command may do to the outside world, injected by main.ts (the only place that touches
 * the runtime): write lines, draw a progress line, read environment variables and files.
 */

/** The console, environment and files, as a command sees them. */
export interface CliIo {
  /** Writes one line to stdout. */
  out(line: string): void;
  /** Writes one line to stderr. */
  err(line: string): void;
  /**
   * Shows a progress line on stderr: redrawn in place on a terminal ("" clears it), else
   * written as a line of its own.
   */
  progress(line: string): void;
  /** True when stderr is a terminal (progress is then redrawn as time passes). */
  readonly live: boolean;
  /** An environment variable, or undefined when unset. */
  env(name: string): string | undefined;
  /** Reads a text file; rejects with the runtime's error (its message names the problem). */
  readTextFile(path: string): Promise<string>;
}

/**
 * A {@link CliIo} that records what it is given, for tests and embedding.
 *
 * @example
 * ```ts
 * import { memoryIo } from "./io.ts";
 * const io = memoryIo({ SMPPGW_PORT: "2776" });
 * io.out("hello");
 * console.log(io.lines, io.env("SMPPGW_PORT")); // ["hello"] "2776"
 * ```
 */
export function memoryIo(
  env: Record<string, string> = {},
  files: Record<string, string> = {},
): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    lines,
    errors,
    out: (line) => lines.push(line),
    err: (line) => errors.push(line),
    progress: () => {},
    live: false,
    env: (name) => env[name],
    readTextFile: (path) =>
      path in files
        ? Promise.resolve(files[path])
        : Promise.reject(new Error(`No such file or directory: ${path}`)),
  };
}
