/**
 * Split brain: the owner is frozen (SIGSTOP) past its lease while a second process takes the
 * store, then thawed. Fencing must keep every acknowledged message and every id unique.
 */
import { Store } from "../../lib/store/store.ts";
import { userText } from "../../lib/text/mod.ts";
import assert from "node:assert/strict";
import type { Pdu } from "../../lib/smpp/codec.ts";
import { Status } from "../../lib/smpp/status.ts";
import { ACCOUNT, TestClient, within } from "../support/client.ts";
import { GatewayProcess } from "../support/process.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Acknowledged ids with the text sent, across both processes. */
class Ledger {
  readonly acked = new Map<string, string>();
  readonly twice: string[] = [];
  refused = 0;
}

/** Keeps `pipeline` submit_sm in flight on `c` until `stop()` or the connection ends. */
async function load(
  c: TestClient,
  tag: string,
  pipeline: number,
  stop: () => boolean,
  ledger: Ledger,
) {
  const closed = c.closed.then(() => null);
  const worker = async (w: number) => {
    for (let i = 0; i < 100_000 && !stop(); i++) {
      const text = `${tag}.${w}.${i}`;
      const r: Pdu | null = await Promise.race([
        c.send({
          command: "submit_sm",
          body: { destination_addr: "1", short_message: new TextEncoder().encode(text) },
        }),
        closed,
      ]);
      if (r === null) return;
      if (r.status !== Status.ESME_ROK) {
        ledger.refused++;
        continue;
      }
      const id = r.body.message_id as string;
      if (ledger.acked.has(id)) ledger.twice.push(id);
      else ledger.acked.set(id, text);
    }
  };
  await Promise.all(Array.from({ length: pipeline }, (_, w) => worker(w)));
}

async function transmitter(port: number): Promise<TestClient> {
  const c = await TestClient.connect(port);
  assert.equal((await c.bind(ACCOUNT.systemId, ACCOUNT.password, "transmitter")).status, 0);
  return c;
}

Deno.test("an owner frozen past its lease cannot commit after a takeover: no id acknowledged twice, none lost", async () => {
  const dir = await Deno.makeTempDir({ prefix: "smppgw-split-" });
  const kvPath = `${dir}/gw.kv`;
  const config = `${dir}/config.json`;
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      leaseSec: 1,
      accounts: [{ ...ACCOUNT, maxSessions: 10 }],
      simulator: { delayMs: 0 },
    }),
  );
  const args = ["--port", "0", "--kv", kvPath, "--config", config, "--log-level", "warning"];
  const ledger = new Ledger();
  let stopA = false;
  let stopB = false;
  const procs: GatewayProcess[] = [];
  const clients: TestClient[] = [];
  try {
    const a = await GatewayProcess.start(args);
    procs.push(a);
    const ca = await transmitter(a.port);
    clients.push(ca);
    const loadA = load(ca, "A", 20, () => stopA, ledger);
    for (let i = 0; i < 250 && ledger.acked.size < 500; i++) await sleep(20);
    assert.ok(ledger.acked.size > 0, "the first process answered nothing");

    a.signal("SIGSTOP");
    const frozenAt = Date.now();
    // The newcomer waits out the frozen owner's lease (or its SQLite lock), then serves.
    let b: GatewayProcess | undefined;
    let loadB: Promise<void> | undefined;
    try {
      b = await GatewayProcess.start(args, 8000);
      procs.push(b);
      const cb = await transmitter(b.port);
      clients.push(cb);
      loadB = load(cb, "B", 20, () => stopB, ledger);
      for (let i = 0; i < 100 && Date.now() - frozenAt < 4000; i++) await sleep(20);
    } catch {
      // The store's lock was held by the frozen process: the thaw settles who owns it.
      b = undefined;
    }
    a.signal("SIGCONT");

    // After the thaw: the old owner stops with a clear line, or (if the newcomer never got in)
    // keeps serving. Either way someone serves.
    if (b) {
      const status = await within(a.status, 15_000, "the old owner stopping after the thaw");
      assert.notEqual(status.code, 0, "the old owner exits non-zero");
      assert.match(a.output, /no longer owns it/);
      stopA = true;
      await within(loadA, 10_000, "load on the old owner ending");
      const before = ledger.acked.size;
      for (let i = 0; i < 100 && ledger.acked.size < before + 200; i++) await sleep(20);
      assert.ok(ledger.acked.size > before, "the new owner serves after the thaw");
      stopB = true;
      await within(loadB!, 10_000, "load on the new owner ending");
    } else {
      const before = ledger.acked.size;
      for (let i = 0; i < 250 && ledger.acked.size < before + 200; i++) await sleep(20);
      assert.ok(ledger.acked.size > before, "the thawed owner serves on");
      stopA = true;
      await within(loadA, 10_000, "load ending");
    }
    for (const c of clients) c.close();
    for (const p of procs) await p.stop("SIGTERM");

    assert.deepEqual(ledger.twice, [], "ids acknowledged twice");
    const kv = await Deno.openKv(kvPath);
    try {
      const wrong: string[] = [];
      for (const [id, text] of ledger.acked) {
        const m = await new Store(kv).message(id);
        const stored = m ? userText(m).text : undefined;
        if (stored !== text) wrong.push(`${id}: sent ${text}, stored ${stored}`);
      }
      assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} acknowledged messages lost`);
    } finally {
      kv.close();
    }
  } finally {
    stopA = stopB = true;
    for (const c of clients) c.close();
    for (const p of procs) {
      try {
        p.signal("SIGCONT");
      } catch { /* exited */ }
      await p.stop("SIGKILL").catch(() => {});
    }
    await Deno.remove(dir, { recursive: true });
  }
});
