import { messageRecord, receiptRecord } from "../support/records.ts";
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { SCHEMA_VERSION, StoreError } from "../../lib/store/schema.ts";
import { ACCOUNT, TestClient, testGateway } from "../support/client.ts";
import { withTempKv } from "../support/kv_file.ts";

async function keys(path: string): Promise<string[]> {
  const kv = await Deno.openKv(path);
  try {
    return (await Array.fromAsync(kv.list({ prefix: [] }))).map((e) => JSON.stringify(e.key));
  } finally {
    kv.close();
  }
}

Deno.test("a new store gets the smppgw marker with the schema version", async () => {
  await withTempKv(async (path) => {
    const gw = await testGateway({ kv: path });
    await gw.close();
    const kv = await Deno.openKv(path);
    try {
      const m = (await kv.get(["meta", "schema"])).value;
      assert.deepEqual(m, { app: "smppgw", version: SCHEMA_VERSION });
    } finally {
      kv.close();
    }
  });
});

Deno.test("a Deno KV store of another program is refused and left untouched", async () => {
  await withTempKv(async (path) => {
    const kv = await Deno.openKv(path);
    await kv.set(["users", 1], { name: "x" });
    kv.close();
    await assert.rejects(
      testGateway({ kv: path }),
      (e: Error) => e instanceof StoreError && /not made by smppgw/.test(e.message),
    );
    assert.deepEqual(await keys(path), [JSON.stringify(["users", 1])]);
  });
});

Deno.test("a store of a newer schema version is refused", async () => {
  await withTempKv(async (path) => {
    const kv = await Deno.openKv(path);
    await kv.set(["meta", "schema"], { app: "smppgw", version: SCHEMA_VERSION + 1 });
    kv.close();
    await assert.rejects(
      testGateway({ kv: path }),
      (e: Error) => e instanceof StoreError && /newer smppgw/.test(e.message),
    );
  });
});

Deno.test("an SQLite database that is not Deno KV is refused and not modified", async () => {
  await withTempKv(async (path) => {
    const db = new DatabaseSync(path);
    db.exec("CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('ann');");
    db.close();
    const before = await Deno.readFile(path);
    await assert.rejects(testGateway({ kv: path }), /not a Deno KV file/);
    assert.deepEqual(await Deno.readFile(path), before);
  });
});

Deno.test("a file that is not SQLite at all is refused", async () => {
  await withTempKv(async (path) => {
    await Deno.writeTextFile(path, "hello, this is a text file\n".repeat(10));
    await assert.rejects(testGateway({ kv: path }), /not a Deno KV file/);
  });
});

Deno.test("a store from before markers (schema 1) is migrated: checkpoints become numbers", async () => {
  await withTempKv(async (path) => {
    const kv = await Deno.openKv(path);
    await kv.set(["ids", 0], new Deno.KvU64(1700000000000n));
    await kv.set(["ckpt", "simulator"], "1700000000000000005");
    kv.close();
    const gw = await testGateway({ kv: path });
    await gw.close();
    const again = await Deno.openKv(path);
    try {
      const ck = (await again.get<Deno.KvU64>(["ckpt", "simulator"])).value;
      assert.ok(ck instanceof Deno.KvU64, "numeric checkpoint");
      assert.ok(ck.value >= 1700000000000000005n, "the checkpoint did not move back");
      assert.equal(
        (await again.get<{ version: number }>(["meta", "schema"])).value?.version,
        SCHEMA_VERSION,
      );
    } finally {
      again.close();
    }
  });
});

Deno.test("a schema-2 store's object records are still read: its pending message and queued receipt are delivered", async () => {
  await withTempKv(async (path) => {
    const kv = await Deno.openKv(path);
    const id = "1700000000000000007";
    const common = { account: ACCOUNT.systemId, submitAt: 1_700_000_000_000 };
    await kv.set(["meta", "schema"], { app: "smppgw", version: 2 });
    await kv.set(["ids", 0], new Deno.KvU64(1_700_000_000_100n));
    // A message accepted by the previous release and not yet settled (an object, text included).
    await kv.set(["msg", id], {
      ...messageRecord({
        ...common,
        id,
        source: { ton: 5, npi: 0, addr: "Old" },
        dest: { ton: 1, npi: 1, addr: "4470" },
        body: new TextEncoder().encode("before the upgrade"),
        preview: "before the upgrade",
      }),
      text: "before the upgrade",
      textKind: "text",
    });
    // A receipt the previous release queued and never got acknowledged.
    await kv.set(
      ["dlr", ACCOUNT.systemId, "1700000000000000003"],
      receiptRecord({
        ...common,
        messageId: "1700000000000000003",
        source: { ton: 1, npi: 1, addr: "4471" },
        dest: { ton: 5, npi: 0, addr: "Old" },
        preview: "queued receipt",
        attempts: 1,
        createdAt: Date.now(),
      }),
    );
    kv.close();
    await using gw = await testGateway({ kv: path });
    const c = await TestClient.connect(gw.addr.port);
    try {
      assert.equal((await c.bind(ACCOUNT.systemId, ACCOUNT.password)).status, 0);
      const texts = new Set<string>();
      for (let i = 0; i < 2; i++) {
        texts.add(new TextDecoder().decode((await c.next()).body.short_message as Uint8Array));
      }
      const [a, b] = [...texts].sort();
      assert.match(a, /^id:1700000000000000003 .*text:queued receipt$/);
      assert.match(b, /^id:1700000000000000007 .*stat:DELIVRD err:000 text:before the upgrade$/);
      const q = await c.request({
        command: "query_sm",
        body: { message_id: id, source_addr_ton: 5, source_addr: "Old" },
      });
      assert.equal(q.body.message_state, 2);
    } finally {
      c.close();
    }
    const again = await Deno.openKv(path);
    try {
      const marker = (await again.get<{ version: number }>(["meta", "schema"])).value;
      assert.equal(marker?.version, SCHEMA_VERSION);
    } finally {
      again.close();
    }
  });
});
