/** The layout's one rule: a folder of lib/ imports only from folders below it (and itself). */
import assert from "node:assert/strict";

/** lib/ folders, bottom first; the root files (gateway, config, mod, runtime, deno, bun) are on top. */
export const LAYERS = [
  ["smpp", "core"],
  ["text"],
  ["store"],
  ["transport"],
  ["session"],
  ["accounts"],
  ["intake"],
  ["delivery"],
  ["routes"],
  ["http"],
  ["cli"],
  [""],
] as const;

const LIB = new URL("../lib/", import.meta.url);

function level(folder: string): number {
  return LAYERS.findIndex((l) => (l as readonly string[]).includes(folder));
}

async function* files(dir: URL, prefix = ""): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) yield* files(new URL(`${e.name}/`, dir), `${prefix}${e.name}/`);
    else if (e.name.endsWith(".ts")) yield `${prefix}${e.name}`;
  }
}

Deno.test("every lib/ folder imports only from itself and folders below it", async () => {
  const wrong: string[] = [];
  for await (const file of files(LIB)) {
    const folder = file.includes("/") ? file.slice(0, file.indexOf("/")) : "";
    assert.ok(level(folder) >= 0, `lib/${folder} is not in LAYERS`);
    const src = await Deno.readTextFile(new URL(file, LIB));
    for (const m of src.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
      const target = new URL(m[1], new URL(file, LIB)).pathname.slice(LIB.pathname.length);
      const to = target.includes("/") ? target.slice(0, target.indexOf("/")) : "";
      if (to === folder) continue;
      if (level(to) >= level(folder)) wrong.push(`lib/${file} imports lib/${target}`);
    }
  }
  assert.deepEqual(wrong, []);
});

/** The runtime adapters: the only lib/ files that touch a runtime's globals. */
const ADAPTERS: Record<string, string> = { Deno: "deno.ts", Bun: "bun.ts" };

Deno.test("runtime calls (Deno.*, Bun.*, process.*) happen only in lib/deno.ts and lib/bun.ts", async () => {
  const wrong: string[] = [];
  for await (const file of files(LIB)) {
    // Code only: JSDoc examples may show runtime calls.
    const src = (await Deno.readTextFile(new URL(file, LIB)))
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/\/\/.*$/gm, "");
    // Types (Deno.Kv, Deno.KvKey, …) are fine; calls and constructors are not.
    for (const m of src.matchAll(/\b(Deno|Bun)\.(\w+)/g)) {
      if (file === ADAPTERS[m[1]]) continue;
      const after = src.slice(m.index! + m[0].length, m.index! + m[0].length + 1);
      const before = src.slice(Math.max(0, m.index! - 4), m.index!);
      if (after === "(" || before.endsWith("new ") || /^[a-z]/.test(m[2])) {
        wrong.push(`lib/${file}: ${m[0]}`);
      }
    }
    // Node's process (a global on both runtimes) belongs to the adapters too.
    if (!Object.values(ADAPTERS).includes(file)) {
      for (const m of src.matchAll(/\bprocess\.\w+|"node:process"/g)) {
        wrong.push(`lib/${file}: ${m[0]}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

Deno.test("main.ts and lib/mod.ts reach the runtime only through lib/runtime.ts", async () => {
  for (const path of ["../main.ts", "../lib/mod.ts"]) {
    const src = (await Deno.readTextFile(new URL(path, import.meta.url)))
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/\/\/.*$/gm, "");
    assert.doesNotMatch(src, /\b(Deno|Bun)\.[a-z]\w*|\bprocess\.\w+/, path);
    assert.doesNotMatch(src, /from "\.\/(lib\/)?(deno|bun)\.ts"/, path);
  }
});
