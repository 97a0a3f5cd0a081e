/** `main.ts` as a child process that runs to its end (help, version, send, check-config, …). */
import { within } from "./wait.ts";
import { type GatewayRuntime, mainCommand } from "./process.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

/** What a finished `main.ts` run printed, and its exit code. */
export interface MainResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `main.ts ARGS` (cwd the repository, extra environment `env`, on Deno unless `runtime`
 * says otherwise) and waits for its exit, at most `timeoutMs` (then kills it and fails).
 */
export async function runMain(
  args: string[],
  o: { env?: Record<string, string>; timeoutMs?: number; runtime?: GatewayRuntime } = {},
): Promise<MainResult> {
  const [program, main] = await mainCommand(o.runtime ?? "deno");
  const child = new Deno.Command(program, {
    args: [...main, ...args],
    cwd: ROOT,
    env: o.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  try {
    const out = await within(output, o.timeoutMs ?? 30_000, `main.ts ${args.join(" ")}`);
    return {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr: new TextDecoder().decode(out.stderr),
    };
  } catch (e) {
    try {
      child.kill("SIGKILL");
    } catch { /* exited meanwhile */ }
    await output;
    throw e;
  }
}

/** The non-empty lines of `text`. */
export function lines(text: string): string[] {
  return text.split("\n").filter((l) => l.trim() !== "");
}
