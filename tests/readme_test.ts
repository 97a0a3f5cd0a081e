import assert from "node:assert/strict";
import { stateTableMarkdown } from "../lib/states.ts";

Deno.test("the README's session state table is the one in lib/states.ts", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const m = readme.match(/<!-- states:begin -->\n([\s\S]*?)\n<!-- states:end -->/);
  assert.ok(m, "README has the states markers");
  // deno fmt aligns Markdown tables: compare cell by cell.
  const cells = (table: string) =>
    table.trim().split("\n").filter((row) => !/^\|[\s|:-]+\|$/.test(row)).map((row) =>
      row.split("|").map((c) => c.trim()).join("|")
    );
  assert.deepEqual(cells(m[1]), cells(stateTableMarkdown()));
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
