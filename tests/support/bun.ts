/**
 * Bun for tests: the path of the `bun` executable that `npx -y bun@1` installs (spawned directly,
 * so signals reach the gateway and not npx), found once per test process. `SMPPGW_BUN` overrides
 * it (a `bun` already installed).
 */

let found: Promise<string> | undefined;

/** The bun executable; rejects when `npx -y bun@1` cannot provide one. */
export function bunPath(): Promise<string> {
  return found ??= locate();
}

async function locate(): Promise<string> {
  const given = Deno.env.get("SMPPGW_BUN");
  if (given) return given;
  const out = await new Deno.Command("npx", {
    args: ["-y", "bun@1", "-e", "console.log(process.execPath)"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const path = new TextDecoder().decode(out.stdout).trim();
  if (!out.success || !path) {
    throw new Error(
      `npx -y bun@1 failed (exit ${out.code}): ${new TextDecoder().decode(out.stderr).trim()}`,
    );
  }
  return path;
}
