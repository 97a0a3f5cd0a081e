import assert from "node:assert/strict";
import {
  type AccountConfig,
  authenticate,
  ConfigPasswords,
  ensureDefaultAccount,
  SYNC_BATCH,
  syncAccounts,
} from "../../lib/accounts/accounts.ts";
import { startGateway } from "../../lib/mod.ts";
import { hashPassword } from "../../lib/accounts/password.ts";
import { Status } from "../../lib/smpp/status.ts";
import { Keys, Store } from "../../lib/store/store.ts";
import { ACCOUNT, TestClient, testGateway } from "../support/client.ts";

/** Runs `f` on a fresh KV file, removed afterwards. */
async function withKvFile(f: (path: string) => Promise<void>) {
  const path = await Deno.makeTempFile({ suffix: ".kv" });
  try {
    await f(path);
  } finally {
    await Deno.remove(path);
  }
}

/** Runs `f` on a Store over a fresh KV file. */
function withStore(f: (store: Store) => Promise<void>) {
  return withKvFile(async (path) => {
    const kv = await Deno.openKv(path);
    try {
      await f(new Store(kv));
    } finally {
      kv.close();
    }
  });
}

/** The status of one bind on a fresh connection. */
async function bindStatus(port: number, systemId: string, password: string): Promise<number> {
  const c = await TestClient.connect(port);
  try {
    return (await c.bind(systemId, password)).status;
  } finally {
    c.close();
  }
}

Deno.test("a config account is stored without any password and binds with the config password", async () => {
  await using gw = await testGateway();
  const record = await gw.gateway.store.account(ACCOUNT.systemId);
  assert.equal(record?.source, "config");
  assert.equal(record?.password, undefined);
  assert.ok(!JSON.stringify(record).includes(ACCOUNT.password));
  assert.equal(await bindStatus(gw.addr.port, ACCOUNT.systemId, ACCOUNT.password), 0);
  assert.equal(await bindStatus(gw.addr.port, ACCOUNT.systemId, "secreT"), Status.ESME_RINVPASWD);
  assert.equal(gw.gateway.counters.passwordChecks, 2);
});

Deno.test("a config account removed from the config is deleted at the next start and gets 0x0F", async () => {
  await withKvFile(async (path) => {
    const other = { systemId: "other", password: "pw2" };
    let gw = await testGateway({ kv: path, accounts: [{ ...ACCOUNT }, other] });
    try {
      assert.equal(await bindStatus(gw.addr.port, "other", "pw2"), 0);
    } finally {
      await gw.close();
    }
    gw = await testGateway({ kv: path, accounts: [{ ...ACCOUNT }] });
    try {
      assert.equal(await gw.gateway.store.account("other"), null);
      assert.equal(await bindStatus(gw.addr.port, "other", "pw2"), Status.ESME_RINVSYSID);
      assert.equal(await bindStatus(gw.addr.port, ACCOUNT.systemId, ACCOUNT.password), 0);
    } finally {
      await gw.close();
    }
  });
});

Deno.test("a config password changed between starts takes effect at the next start", async () => {
  await withKvFile(async (path) => {
    let gw = await testGateway({ kv: path });
    await gw.close();
    gw = await testGateway({ kv: path, accounts: [{ ...ACCOUNT, password: "newpw" }] });
    try {
      assert.equal(
        await bindStatus(gw.addr.port, ACCOUNT.systemId, ACCOUNT.password),
        Status.ESME_RINVPASWD,
      );
      assert.equal(await bindStatus(gw.addr.port, ACCOUNT.systemId, "newpw"), 0);
    } finally {
      await gw.close();
    }
  });
});

Deno.test("a config account in KV without its password in memory is refused 0x0F", async () => {
  await withStore(async (store) => {
    await syncAccounts(store, [{ ...ACCOUNT }]);
    const none = await authenticate(store, ACCOUNT.systemId, ACCOUNT.password);
    assert.deepEqual(none, { ok: false, status: Status.ESME_RINVSYSID, why: "unknown system_id" });
    const config = new ConfigPasswords([{ ...ACCOUNT }]);
    assert.equal(
      (await authenticate(store, ACCOUNT.systemId, ACCOUNT.password, { config })).ok,
      true,
    );
  });
});

Deno.test("syncAccounts writes only what changed and leaves accounts not from the config alone", async () => {
  await withStore(async (store) => {
    const created = await ensureDefaultAccount(store);
    assert.ok(created);
    const configs: AccountConfig[] = [
      { systemId: "a", password: "pa" },
      { systemId: "b", password: "pb", tps: 10 },
      { systemId: "c", password: "pc", allowedIps: ["10.0.0.0/8"] },
    ];
    assert.deepEqual(await syncAccounts(store, configs), { written: 3, deleted: 0, unchanged: 0 });
    const stamps = async () =>
      (await Array.fromAsync(store.kv.list({ prefix: Keys.accounts() }))).map((e) =>
        e.versionstamp
      );
    const before = await stamps();
    assert.deepEqual(await syncAccounts(store, configs), { written: 0, deleted: 0, unchanged: 3 });
    assert.deepEqual(await stamps(), before, "an unchanged config writes nothing");
    // Passwords are not in KV: a new password alone changes no record.
    const changed = [{ ...configs[0], password: "new" }, { ...configs[1], tps: 20 }];
    assert.deepEqual(await syncAccounts(store, changed), { written: 1, deleted: 1, unchanged: 1 });
    assert.equal((await store.account("b"))?.tps, 20);
    assert.equal(await store.account("c"), null);
    const def = await store.account(created.systemId);
    assert.ok(def?.password, "the default account keeps its PBKDF2 hash");
    assert.equal(def.source, undefined);
    assert.equal(await ensureDefaultAccount(store), null);
  });
});

Deno.test("a config account of a system_id stored with a PBKDF2 hash replaces that record", async () => {
  await withStore(async (store) => {
    await store.putAccount({
      systemId: ACCOUNT.systemId,
      password: await hashPassword("old", 1000),
      maxSessions: 5,
      sourceAddrs: [],
    });
    await syncAccounts(store, [{ ...ACCOUNT }]);
    const r = await store.account(ACCOUNT.systemId);
    assert.equal(r?.source, "config");
    assert.equal(r?.password, undefined);
  });
});

Deno.test("syncAccounts writes more accounts than one atomic write may hold", async () => {
  await withStore(async (store) => {
    const n = SYNC_BATCH * 2 + 7;
    const configs = Array.from({ length: n }, (_, i) => ({ systemId: `acct${i}`, password: "p" }));
    assert.deepEqual(await syncAccounts(store, configs), { written: n, deleted: 0, unchanged: 0 });
    assert.deepEqual(await syncAccounts(store, []), { written: 0, deleted: n, unchanged: 0 });
    assert.equal((await store.accounts()).length, 0);
  });
});

Deno.test("a gateway with 10 000 config accounts starts in under 5 s, and again unchanged in under 2 s", async () => {
  await withKvFile(async (path) => {
    const accounts = Array.from({ length: 10_000 }, (_, i) => ({
      systemId: `esme${i}`,
      password: `pw${i % 1000}`,
    }));
    for (const [limitMs, what] of [[5000, "first start"], [2000, "restart"]] as const) {
      const t0 = performance.now();
      await using gw = await startGateway({ port: 0, kv: path, accounts, unbindWaitMs: 200 });
      const ms = performance.now() - t0;
      assert.ok(ms < limitMs, `${what} with 10 000 accounts took ${Math.round(ms)} ms`);
      assert.equal(await bindStatus(gw.addr.port, "esme9999", "pw999"), 0);
    }
  });
});
