/** The schema helpers' messages and the one formatter: paths as in the file, problems in file order. */
import assert from "node:assert/strict";
import {
  array,
  number,
  object,
  parse,
  problemsOf,
  required,
  text,
  unique,
  whole,
} from "../../lib/core/schema.ts";
import { ConfigError } from "../../lib/core/validate.ts";
import { parseConfig } from "../../lib/config.ts";

const ITEM = object({ id: text(4), port: required(whole(1, 9)), rate: number(0, 1).optional() });
const LIST = object({ items: array(ITEM).superRefine(unique("id")).optional() });

Deno.test("problems are `path: message` lines in the order their keys appear in the input", () => {
  const v = { items: [{ port: 1.5, id: "toolong", zz: 1 }, { id: "a" }] };
  assert.deepEqual(problemsOf(LIST, v, "cfg").map((p) => p.line), [
    "cfg.items[0].port: must be a whole number, got 1.5",
    "cfg.items[0].id: must be 1 to 4 printable ASCII characters",
    "cfg.items[0].zz: unknown key (expected one of id, port, rate)",
    "cfg.items[1].port: required",
  ]);
  assert.deepEqual(problemsOf(LIST, { items: [{ id: "a", port: 1 }] }, "cfg"), []);
});

Deno.test("each unknown key is its own problem; the value itself is named by its root", () => {
  const unknown = "unknown key (expected one of id, port, rate)";
  assert.deepEqual(problemsOf(ITEM, { b: 1, id: "x", a: 2, port: 1 }, "", "body"), [
    { path: "b", message: unknown, line: `b: ${unknown}` },
    { path: "a", message: unknown, line: `a: ${unknown}` },
  ]);
  assert.deepEqual(problemsOf(ITEM, [], "", "body").map((p) => p.line), [
    "body: must be an object",
  ]);
});

Deno.test("parse() fills in the value or throws a ConfigError whose message is the first line", () => {
  assert.deepEqual(parse(ITEM, { id: "x", port: 3 }, "r"), { id: "x", port: 3 });
  assert.throws(
    () => parse(LIST, { items: [{ id: "a", port: 1 }, { id: "a", port: 2, rate: 2 }] }, "r"),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.message, "r.items[1].rate: must be a number from 0 to 1, got 2");
      return true;
    },
  );
  assert.throws(
    () => parse(LIST, { items: [{ id: "a", port: 1 }, { id: "a", port: 2 }] }, "r"),
    /^ConfigError: r\.items\[1\]\.id: "a" appears twice$/,
  );
});

Deno.test("parseConfig() lists every problem, the first one as its message", () => {
  const bad = {
    session: { window: 0 },
    accounts: [{ systemId: "a", password: "123456789", tps: 0 }],
    limits: { maxOutputBytes: 1, nope: 1 },
  };
  assert.throws(() => parseConfig(bad), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.deepEqual(e.problems.map((p) => p.path), [
      "session.window",
      "accounts[0].password",
      "accounts[0].tps",
      "limits.maxOutputBytes",
      "limits.nope",
    ]);
    assert.equal(e.message, e.problems[0].line);
    return true;
  });
});
