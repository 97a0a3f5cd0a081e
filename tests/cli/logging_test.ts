import assert from "node:assert/strict";
import type { LogRecord } from "@logtape/logtape";
import { jsonLine, textLine } from "../../lib/cli/logging.ts";

function record(message: unknown[], properties: Record<string, unknown>): LogRecord {
  return {
    category: ["smppgw", "session"],
    level: "warning",
    message,
    rawMessage: "",
    properties,
    timestamp: Date.UTC(2026, 10, 29, 10, 0, 0, 5),
  };
}

Deno.test("a text line is timestamp, level, dotted category and message on one line", () => {
  const line = textLine(
    record(["session ", 3, " from ", "a\nb", ": ", { sm: Uint8Array.of(1, 255), n: 2n }, ""], {}),
  );
  assert.equal(
    line.replace(/\n$/, ""),
    'session 3 from a\\nb: {"sm":"01ff","n":"2"}'.replace(
      /^/,
      "2026-11-29T10:00:00.005Z WARNING smppgw.session: ",
    ),
  );
});

Deno.test("a json line has timestamp, level, category, rendered message and properties", () => {
  const line = jsonLine(
    record(["id ", 7n, " sent ", "x", ""], { id: 7n, body: Uint8Array.of(10) }),
  );
  assert.equal(line.includes("\n"), false);
  assert.deepEqual(JSON.parse(line), {
    timestamp: "2026-11-29T10:00:00.005Z",
    level: "warning",
    category: "smppgw.session",
    message: 'id "7" sent x',
    properties: { id: "7", body: "0a" },
  });
});
