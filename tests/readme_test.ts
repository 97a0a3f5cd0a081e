import assert from "node:assert/strict";
import { statusTableMarkdown } from "../lib/smpp/status.ts";
import { stateTableMarkdown } from "../lib/smpp/states.ts";
import { metricsTableMarkdown } from "../lib/core/metrics.ts";
import { PDU_HANDLING, pduTableMarkdown } from "../lib/smpp/handling.ts";
import { COMMANDS } from "../lib/smpp/commands.ts";

/** deno fmt aligns Markdown tables: compare cell by cell. */
function cells(table: string): string[] {
  return table.trim().split("\n").filter((row) => !/^\|[\s|:-]+\|$/.test(row)).map((row) =>
    row.split("|").map((c) => c.trim()).join("|")
  );
}

for (
  const [name, source, table] of [
    ["states", "lib/smpp/states.ts", stateTableMarkdown],
    ["statuses", "lib/smpp/status.ts", statusTableMarkdown],
    ["metrics", "lib/core/metrics.ts", metricsTableMarkdown],
    ["pdus", "lib/smpp/handling.ts", pduTableMarkdown],
  ] as const
) {
  Deno.test(`the README's ${name} table is the one in ${source}`, async () => {
    const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
    const m = readme.match(
      new RegExp(`<!-- ${name}:begin -->\n([\\s\\S]*?)\n<!-- ${name}:end -->`),
    );
    assert.ok(m, `README has the ${name} markers`);
    assert.deepEqual(cells(m[1]), cells(table()));
  });
}

Deno.test("the PDU table names every command of commands.ts", () => {
  const named = new Set<string>(PDU_HANDLING.flatMap((r) => r.pdus));
  const table = pduTableMarkdown();
  for (const c of COMMANDS) {
    assert.ok(named.has(c.name), `${c.name} has a row in lib/smpp/handling.ts`);
    assert.ok(table.includes(`\`${c.name}\``), `${c.name} is in the PDU table`);
  }
  for (const r of PDU_HANDLING) assert.ok(!r.handling.includes("|"), "no | in a cell");
});

Deno.test("the README's config example is valid", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const section = readme.slice(readme.indexOf("## Config file"));
  const json = section.match(/```json\n([\s\S]*?)```/);
  assert.ok(json, "README has a config example");
  const { parseConfig } = await import("../lib/config.ts");
  const config = parseConfig(JSON.parse(json[1]));
  assert.equal(config.accounts?.[0].systemId, "test");
});
