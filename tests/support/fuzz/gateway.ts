/**
 * The gateway the fuzzer attacks in-process: ":memory:" KV, one config account, and connection
 * caps and bind lockout loose enough for every fuzz worker on 127.0.0.1 (the fuzz cases fail
 * binds on purpose, thousands a minute, all from one address). Password checks are the real
 * ones: a config account's password is compared in memory, as in production.
 */
import { startGateway } from "../../../lib/mod.ts";
import type { MessageStore } from "./health.ts";
import type { Credentials } from "./templates.ts";

/** A gateway to fuzz: where it listens and, when in-process, what the fuzzer may inspect. */
export interface FuzzTarget {
  /** TCP port. */
  port: number;
  /** Address (127.0.0.1 in-process). */
  hostname: string;
  /** The gateway's storage, to check acknowledged messages are still there. */
  store?: MessageStore;
  /** Open sessions on the gateway, to check none is left behind after the run. */
  sessions?: () => number;
  /** Stops the gateway (a no-op for one the fuzzer did not start). */
  close(): Promise<void>;
}

/** Settings of {@link fuzzGateway}. */
export interface FuzzGatewayOptions {
  /** The account the fuzzer binds with. */
  credentials: Credentials;
  /** Fuzz workers: the account and the per-address caps get room for each. */
  concurrency: number;
}

/** Starts an in-process gateway sized for `concurrency` fuzz workers. */
export async function fuzzGateway(o: FuzzGatewayOptions): Promise<FuzzTarget> {
  // Each worker holds at most a kept session and a fresh connection; closing ones linger a little.
  const room = o.concurrency * 4 + 16;
  const gw = await startGateway({
    port: 0,
    kv: ":memory:",
    accounts: [{ ...o.credentials, maxSessions: room }],
    simulator: { delayMs: 20 },
    receiptRetryMs: 50,
    unbindWaitMs: 500,
    maxConnectionsPerIp: room,
    maxUnboundConnections: room,
    maxUnboundConnectionsPerIp: room,
    // A short window keeps the per-address failure list small; nothing is ever locked out.
    bindLockout: { maxFailures: 1_000_000, windowMs: 1_000, lockoutMs: 1_000 },
  });
  return {
    port: gw.addr.port,
    hostname: gw.addr.hostname,
    store: gw.gateway.store,
    sessions: () => gw.gateway.sessionCount,
    close: () => gw.close(),
  };
}
