/**
 * Run by `deno task compile` before `deno compile`: when `DENORT_BIN` is set (compiling offline),
 * it must be a `denort` of this Deno's version. `deno compile` copies that file as the runtime of
 * the executable it writes; given the Deno CLI instead (a common mistake: both are called deno),
 * the result does not run the program. A denort run on its own has no program to run and says
 * "Could not find standalone binary section"; the Deno CLI prints `deno <version>` for
 * `--version`. Exits 1 with what to download when the file is wrong; prints nothing when
 * `DENORT_BIN` is unset (`deno compile` then downloads the matching denort itself).
 */

/** Where the denort of a Deno version is published. */
export function denortUrls(version: string, target: string): string[] {
  const zip = `denort-${target}.zip`;
  return [
    `https://dl.deno.land/release/v${version}/${zip}`,
    `https://github.com/denoland/deno/releases/download/v${version}/${zip}`,
  ];
}

/** What `path --version` printed and its exit code, or null when it could not run. */
async function probe(path: string): Promise<{ code: number; text: string } | null> {
  const child = new Deno.Command(path, {
    args: ["--version"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
  }, 10_000);
  try {
    const out = await child.output();
    const d = new TextDecoder();
    return { code: out.code, text: (d.decode(out.stdout) + d.decode(out.stderr)).trim() };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The problem with `path` as the denort of Deno `version` on `target`, or null when it is one.
 *
 * @example
 * ```ts
 * import { checkDenort } from "./check_denort.ts";
 * console.log(await checkDenort(Deno.execPath(), Deno.version.deno, Deno.build.target));
 * // "DENORT_BIN=… is the Deno CLI (deno 2.5.0 …), not denort. …"
 * ```
 */
export async function checkDenort(
  path: string,
  version: string,
  target: string,
): Promise<string | null> {
  const get =
    `Download denort ${version} for ${target} from ${
      denortUrls(version, target).join(" or ")
    }, unzip it and point DENORT_BIN at the denort file (or unset DENORT_BIN to let deno compile ` +
    `download it).`;
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (e) {
    return `DENORT_BIN=${path}: ${(e as Error).message}. ${get}`;
  }
  if (!info.isFile) return `DENORT_BIN=${path} is not a file. ${get}`;
  let run: { code: number; text: string } | null;
  try {
    run = await probe(path);
  } catch (e) {
    return `DENORT_BIN=${path} does not run here: ${(e as Error).message}. ${get}`;
  }
  const first = run?.text.split("\n")[0] ?? "";
  if (/^deno \d/.test(first)) {
    return `DENORT_BIN=${path} is the Deno CLI (${first}), not denort: deno compile would ` +
      `write an executable that does not run smppgw. ${get}`;
  }
  if (!run?.text.includes("Could not find standalone binary section")) {
    return `DENORT_BIN=${path} is not a denort (its --version printed "${first}", exit ` +
      `${run?.code}). ${get}`;
  }
  // A denort carries its version string; one of another release makes a broken executable.
  const bytes = await Deno.readFile(path);
  if (!contains(bytes, new TextEncoder().encode(version))) {
    return `DENORT_BIN=${path} is a denort, but not of Deno ${version} (the deno running ` +
      `deno compile). ${get}`;
  }
  return null;
}

function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  const first = needle[0];
  for (let i = hay.indexOf(first); i >= 0 && i <= hay.length - needle.length;) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return true;
    i = hay.indexOf(first, i + 1);
  }
  return false;
}

if (import.meta.main) {
  const path = Deno.env.get("DENORT_BIN");
  if (path) {
    const problem = await checkDenort(path, Deno.version.deno, Deno.build.target);
    if (problem) {
      console.error(`smppgw compile: ${problem}`);
      Deno.exit(1);
    }
    const mb = ((await Deno.stat(path)).size / 1e6).toFixed(1);
    console.error(`DENORT_BIN=${path}: denort ${Deno.version.deno} (${mb} MB)`);
  }
}
