/**
 * `deno task build [--outfile PATH]`: the standalone executable `dist/smppgw`, made by
 * `bun build --compile` (Bun from `npx -y bun@1`), which runs every command of main.ts with
 * nothing else installed. main.ts and lib/ are copied to a staging folder beside a package.json
 * made from deno.json's npm imports (the same version ranges), `bun install` fills its
 * node_modules (the native `@deno/kv` SQLite module included), and the bundle is compiled from
 * there; the repository gets no node_modules.
 */
import { parseArgs } from "node:util";

const ROOT = new URL("..", import.meta.url).pathname;

/** npm dependencies of deno.json's import map, as package.json `dependencies`. */
export function npmDependencies(denoJson: { imports?: Record<string, string> }) {
  const deps: Record<string, string> = {};
  for (const [name, target] of Object.entries(denoJson.imports ?? {})) {
    const m = target.match(/^npm:((?:@[^/]+\/)?[^@]+)(?:@(.+))?$/);
    if (!m) continue;
    // An import map alias becomes an npm alias ("name": "npm:package@range").
    deps[name] = m[1] === name ? m[2] ?? "*" : `npm:${m[1]}@${m[2] ?? "*"}`;
  }
  return deps;
}

/** Runs `npx -y bun@1 ARGS` in `cwd`; throws with its output when it fails. */
async function bun(args: string[], cwd: string): Promise<void> {
  const out = await new Deno.Command("npx", {
    args: ["-y", "bun@1", ...args],
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    throw new Error(`bun ${args.join(" ")} failed (exit ${out.code}):\n${text.trim()}`);
  }
}

async function copyTree(from: string, to: string) {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) await copyTree(`${from}/${e.name}`, `${to}/${e.name}`);
    else if (e.isFile) await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
  }
}

/** Builds the executable at `outfile`; resolves its size in bytes. */
export async function build(outfile: string): Promise<number> {
  const stage = await Deno.makeTempDir({ prefix: "smppgw-build-" });
  try {
    const denoJson = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
    await Deno.writeTextFile(
      `${stage}/package.json`,
      JSON.stringify({
        name: "smppgw-build",
        private: true,
        dependencies: npmDependencies(denoJson),
      }),
    );
    await Deno.copyFile(`${ROOT}/main.ts`, `${stage}/main.ts`);
    await copyTree(`${ROOT}/lib`, `${stage}/lib`);
    await bun(["install", "--silent"], stage);
    const out = outfile.startsWith("/") ? outfile : `${Deno.cwd()}/${outfile}`;
    await Deno.mkdir(out.slice(0, out.lastIndexOf("/")), { recursive: true });
    await bun(
      ["build", "--compile", "--bytecode", "--format", "esm", "main.ts", "--outfile", out],
      stage,
    );
    return (await Deno.stat(out)).size;
  } finally {
    await Deno.remove(stage, { recursive: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { outfile: { type: "string", default: "dist/smppgw" }, help: { type: "boolean" } },
  });
  if (values.help) {
    console.log("Usage: deno task build [--outfile PATH]   (default dist/smppgw)");
    Deno.exit(0);
  }
  const started = performance.now();
  try {
    const size = await build(values.outfile);
    const mb = (size / 1e6).toFixed(1);
    const s = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`built ${values.outfile} (${mb} MB) in ${s} s with bun build --compile`);
  } catch (e) {
    console.error(`smppgw build: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
