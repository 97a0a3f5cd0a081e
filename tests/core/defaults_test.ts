/** Defaults are spelled once, in lib/core/defaults.ts; everything else reads them there. */
import assert from "node:assert/strict";

const LIB = new URL("../../lib/", import.meta.url);

/** Literals that are defaults (or fixed protocol values) and so belong only in defaults.ts. */
const DEFAULT_LITERALS: [RegExp, string][] = [
  [/\b2775\b/, "the SMPP port (LISTEN_DEFAULTS.port)"],
  [/72 \* 3600/, "the receipt maximum age (RECEIPT_DEFAULTS.maxAgeMs)"],
  [/1024 \* 1024/, "the output bound (SESSION_DEFAULTS.maxOutputBytes)"],
  [/\b300_000\b/, "the concatenation timeout or receipt retry cap"],
  [/esm_class: 0x/, "an esm_class value (ESM_CLASS)"],
  [/>= 0x34\b|\b0x34\)/, "the interface version (INTERFACE_VERSION)"],
  [/\?\? 5\b/, "the lockout failures or receiver failures default"],
  [/\?\? 60\)/, "a lockout window default (LOCKOUT_DEFAULTS)"],
];

async function* files(dir: URL, prefix = ""): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) yield* files(new URL(`${e.name}/`, dir), `${prefix}${e.name}/`);
    else if (e.name.endsWith(".ts")) yield `${prefix}${e.name}`;
  }
}

Deno.test("default literals appear in lib/ only in core/defaults.ts", async () => {
  const wrong: string[] = [];
  for await (const file of files(LIB)) {
    if (file === "core/defaults.ts") continue;
    const lines = (await Deno.readTextFile(new URL(file, LIB))).split("\n");
    lines.forEach((line, i) => {
      if (/^\s*(\*|\/\/|\/\*\*)/.test(line)) return; // comments may name a value
      for (const [re, what] of DEFAULT_LITERALS) {
        if (re.test(line)) wrong.push(`lib/${file}:${i + 1}: ${what}: ${line.trim()}`);
      }
    });
  }
  assert.deepEqual(wrong, []);
});
