/** Config validation errors: every problem names its key (the checks are in ./schema.ts). */

/** One problem of a config value or an admin API body. */
export interface ConfigProblem {
  /** Where: `accounts[0].password`, `limits.maxOutputBytes`, `config` for the whole value. */
  path: string;
  /** What, without the path: `must be 1 to 8 printable ASCII characters`. */
  message: string;
  /** The line that says both: `accounts[0].password: must be 1 to 8 printable ASCII characters`. */
  line: string;
}

/** A config value is wrong; the message is the first problem's line, naming the key. */
export class ConfigError extends Error {
  /** Every problem found, in the order their keys appear in the input (at least one). */
  readonly problems: readonly ConfigProblem[];

  /** A config error from its problems, or from one line that names the key itself. */
  constructor(problems: string | readonly ConfigProblem[]) {
    const list = typeof problems === "string"
      ? [{ path: "", message: problems, line: problems }]
      : problems;
    super(list[0]?.line ?? "invalid config");
    this.name = "ConfigError";
    this.problems = list;
  }
}
