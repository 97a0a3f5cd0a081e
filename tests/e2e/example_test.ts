import assert from "node:assert/strict";

Deno.test("the README's embedding example runs: starts a gateway and closes it", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../../examples/embed.ts", import.meta.url).pathname],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.match(text, /^SMPP on 127\.0\.0\.1:\d+\nclosed\n$/);
});
