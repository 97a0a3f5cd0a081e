import assert from "node:assert/strict";
import { parseSmppTime, SmppTimeError } from "../../lib/smpp/time.ts";

Deno.test("parseSmppTime() reads absolute times with their quarter-hour offset", () => {
  assert.equal(parseSmppTime("251224103000004+", 0), Date.UTC(2025, 11, 24, 9, 30));
  assert.equal(parseSmppTime("251224103000008-", 0), Date.UTC(2025, 11, 24, 12, 30));
  assert.equal(parseSmppTime("240229235959900+", 0), Date.UTC(2024, 1, 29, 23, 59, 59, 900));
  assert.equal(parseSmppTime("", 0), null);
});

Deno.test("parseSmppTime() reads relative times from now", () => {
  const now = Date.UTC(2026, 0, 31, 12);
  assert.equal(parseSmppTime("000000000500000R", now), now + 5 * 60_000);
  assert.equal(parseSmppTime("000001020304000R", now), now + ((26 * 60 + 3) * 60 + 4) * 1000);
  assert.equal(parseSmppTime("000100000000000R", now), Date.UTC(2026, 1, 31, 12)); // Feb 31 → Mar 3
});

Deno.test("parseSmppTime() refuses anything malformed", () => {
  for (
    const bad of [
      "ABCDEFGHIJKLMNOP",
      "2512241030000",
      "251324103000000+",
      "250230103000000+",
      "251224243000000+",
      "251224106000000+",
      "251224103000049+",
      "251224103000000X",
      "000000000500100R",
      "000000000500004R",
    ]
  ) assert.throws(() => parseSmppTime(bad, 0), SmppTimeError, bad);
});
