import assert from "node:assert/strict";
import { configure, type LogRecord, reset } from "@logtape/logtape";
import { ACCOUNT, TestClient, testGateway } from "./support/client.ts";

Deno.test("passwords never appear in logs, even at trace level", async () => {
  const records: LogRecord[] = [];
  await configure({
    sinks: { memory: (r: LogRecord) => records.push(r) },
    loggers: [{ category: ["smppgw"], lowestLevel: "trace", sinks: ["memory"] }],
    reset: true,
  });
  const gw = await testGateway({ accounts: [{ systemId: "logged", password: "Hunter2x" }] });
  try {
    for (const pw of ["Hunter2x", "WrongPw1"]) {
      const c = await TestClient.connect(gw.addr.port);
      await c.bind("logged", pw);
      c.close();
    }
    const c = await TestClient.connect(gw.addr.port);
    await c.bind(ACCOUNT.systemId, "Sekr3tPw");
    c.close();
  } finally {
    await gw.close();
    await reset();
  }
  assert.ok(records.length > 0, "something was logged");
  const all = records.map((r) => JSON.stringify({ m: r.message, p: r.properties })).join("\n");
  for (const secret of ["Hunter2x", "WrongPw1", "Sekr3tPw"]) {
    assert.equal(all.includes(secret), false, secret);
  }
});
