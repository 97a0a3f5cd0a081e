/** scripts/check_denort.ts: `deno task compile` refuses a DENORT_BIN that is not a denort. */
import assert from "node:assert/strict";
import { checkDenort, denortUrls } from "../scripts/check_denort.ts";

const VERSION = "2.9.6";
const TARGET = "x86_64-unknown-linux-gnu";

async function fake(dir: string, name: string, script: string): Promise<string> {
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(path, `#!/bin/sh\n${script}\n`);
  await Deno.chmod(path, 0o755);
  return path;
}

Deno.test("check_denort refuses the Deno CLI, other programs, other versions and missing files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cli = await checkDenort(Deno.execPath(), VERSION, TARGET);
    assert.match(cli ?? "", /is the Deno CLI \(deno \d/);
    assert.ok(cli?.includes(denortUrls(VERSION, TARGET)[0]), cli ?? "");

    const denort = (version: string) =>
      `echo "error: Could not find standalone binary section." >&2\nexit 1\n# ${version}`;
    assert.equal(await checkDenort(await fake(dir, "ok", denort(VERSION)), VERSION, TARGET), null);
    assert.match(
      (await checkDenort(await fake(dir, "old", denort("2.1.0")), VERSION, TARGET))!,
      /is a denort, but not of Deno 2\.9\.6/,
    );
    assert.match(
      (await checkDenort(await fake(dir, "other", "echo hello"), VERSION, TARGET))!,
      /is not a denort \(its --version printed "hello", exit 0\)/,
    );
    assert.match((await checkDenort(`${dir}/none`, VERSION, TARGET))!, /DENORT_BIN=.*none: /);
    assert.match((await checkDenort(dir, VERSION, TARGET))!, /is not a file/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
