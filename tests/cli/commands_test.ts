import assert from "node:assert/strict";
import { COMMANDS, helpText, pickCommand, PLANNED } from "../../lib/cli/commands.ts";
import { exitCodeOf, ExitError, UsageError } from "../../lib/cli/errors.ts";
import { parseFlags } from "../../lib/cli/flags.ts";

Deno.test("no command or only flags runs serve; --help runs help", () => {
  assert.deepEqual(pickCommand([]), { command: "serve", args: [] });
  assert.deepEqual(pickCommand(["--port", "0"]), { command: "serve", args: ["--port", "0"] });
  assert.deepEqual(pickCommand(["-h"]), { command: "help", args: [] });
  assert.deepEqual(pickCommand(["send", "--dlr"]), { command: "send", args: ["--dlr"] });
  assert.deepEqual(pickCommand(["trace", "1"]), { command: "trace", args: ["1"] });
  assert.throws(() => pickCommand(["nope"]), /unknown command "nope"/);
});

Deno.test("the help lists every command and every planned one", () => {
  const help = helpText();
  for (const c of [...COMMANDS, ...PLANNED]) assert.ok(help.includes(`  ${c.name} `), c.name);
});

Deno.test("flag errors are one line naming the flag and the command's help", () => {
  const spec = { port: { type: "string" as const }, dlr: { type: "boolean" as const } };
  const cases: [string[], RegExp][] = [
    [["--nope"], /^send: unknown option --nope \(see "main.ts send --help"\)$/],
    [["-x"], /^send: unknown option -x /],
    [["--port"], /^send: --port needs a value /],
    [["--dlr=yes"], /^send: --dlr takes no value /],
    [["stray"], /^send: unexpected argument "stray" /],
  ];
  for (const [args, re] of cases) {
    assert.throws(() => parseFlags("send", args, spec), (e) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, re);
      assert.equal(e.message.includes("\n"), false);
      return true;
    });
  }
});

Deno.test("an error's exit code: 2 for bad input, its own code for a command's error, null for a bug", () => {
  assert.equal(exitCodeOf(new UsageError("x")), 2);
  assert.equal(exitCodeOf(new ExitError("x", 3)), 3);
  assert.equal(exitCodeOf(Object.assign(new Error("404"), { code: 1 })), 1);
  assert.equal(exitCodeOf(Object.assign(new Error("fs"), { code: "ENOENT" })), null);
  assert.equal(exitCodeOf(new TypeError("bug")), null);
});
