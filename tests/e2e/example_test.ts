import assert from "node:assert/strict";
import { bunPath } from "../support/bun.ts";

const EMBED = new URL("../../examples/embed.ts", import.meta.url).pathname;

Deno.test("the README's embedding example runs: starts a gateway and closes it", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", EMBED],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.match(text, /^SMPP on 127\.0\.0\.1:\d+\nclosed\n$/);
});

Deno.test("the embedding example runs in a Bun app too (lib/mod.ts picks the Bun adapter)", async () => {
  const out = await new Deno.Command(await bunPath(), {
    args: [EMBED],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.match(new TextDecoder().decode(out.stdout), /^SMPP on 127\.0\.0\.1:\d+\nclosed\n$/);
});
