/**
 * The command table of main.ts: every command, its one-line summary, and the top-level help.
 * main.ts maps each name to the function that runs it. A new command is one entry here (and one
 * runner in main.ts); the planned ones are listed in {@link PLANNED} until they exist.
 */
import { VERSION } from "../core/version.ts";
import { UsageError } from "./errors.ts";

/** A command of main.ts. */
export interface CommandInfo {
  /** What follows `main.ts`. */
  name: string;
  /** One line for the command list. */
  summary: string;
}

/** Every command, in help order. */
export const COMMANDS: readonly CommandInfo[] = [
  { name: "serve", summary: "run the gateway (the default when no command is given)" },
  {
    name: "send",
    summary: "send a message to any SMSC as an SMPP client; --dlr waits for receipts",
  },
  { name: "account", summary: "list, add, change and remove accounts (admin API or --kv)" },
  { name: "trace", summary: "a message's life: states and receipt (admin API or --kv)" },
  { name: "version", summary: "print the versions of smppgw and Deno" },
  { name: "help", summary: 'show this help; "help COMMAND" shows a command\'s options' },
]; // deno-fmt-ignore

/** Commands announced but not in this version yet (they need the admin API). */
export const PLANNED: readonly CommandInfo[] = [];

/** `main.ts help` (and `--help`). */
export function helpText(): string {
  const row = (c: CommandInfo) => `  ${c.name.padEnd(10)}${c.summary}`;
  return [
    `smppgw ${VERSION}: an SMPP 3.4 gateway (SMSC side) on Deno KV`,
    "",
    "Usage:",
    "  npx -y deno@2 task start [serve options]          run the gateway",
    "  npx -y deno@2 run -A main.ts COMMAND [options]",
    "",
    "Commands:",
    ...COMMANDS.map(row),
    ...(PLANNED.length === 0 ? [] : ["", "Coming in a later version:", ...PLANNED.map(row)]),
    "",
    'Every command takes --help ("main.ts send --help"). Bad input exits with code 2.',
  ].join("\n");
}

/** `main.ts help --help`. */
export const HELP_HELP = `Usage: npx -y deno@2 run -A main.ts help [COMMAND]

Lists the commands, or shows the options of COMMAND (the same as "main.ts COMMAND --help").`;

/** Which command runs and with which arguments. */
export interface Invocation {
  command: string;
  args: string[];
}

/**
 * Picks the command: none or only flags → `serve` (so `main.ts --port 0` works), `--help` / `-h`
 * → `help`; an unknown or planned command throws a {@link UsageError}.
 *
 * @example
 * ```ts
 * import { pickCommand } from "./commands.ts";
 * console.log(pickCommand(["--port", "0"])); // { command: "serve", args: ["--port", "0"] }
 * console.log(pickCommand(["send", "--dlr"])); // { command: "send", args: ["--dlr"] }
 * ```
 */
export function pickCommand(argv: readonly string[]): Invocation {
  const [first, ...rest] = argv;
  if (first === undefined) return { command: "serve", args: [] };
  if (first === "--help" || first === "-h") return { command: "help", args: rest };
  if (first.startsWith("-")) return { command: "serve", args: [...argv] };
  if (COMMANDS.some((c) => c.name === first)) return { command: first, args: rest };
  if (PLANNED.some((c) => c.name === first)) {
    throw new UsageError(`"${first}" is not available in this version yet (see "main.ts help")`);
  }
  throw new UsageError(`unknown command "${first}" (see "main.ts help")`);
}
