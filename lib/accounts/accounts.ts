/**
 * Accounts and bind authentication. Config accounts are stored in KV without a password (marked
 * `source: "config"`) and checked against the config's own password held in memory
 * ({@link ConfigPasswords}); the first-run default account and accounts written by other means
 * keep a PBKDF2 hash in KV.
 */
import { MAX_SESSIONS } from "../core/defaults.ts";
import { Status } from "../smpp/status.ts";
import { generatePassword, hashPassword, sameSecret, verifyPassword } from "./password.ts";
import type { AccountRecord, PasswordHash } from "../store/records.ts";
import { Keys, type Store } from "../store/store.ts";

/** An account as written in the config file: a plain password (kept in memory), defaults optional. */
export type AccountConfig =
  & Omit<AccountRecord, "password" | "source" | "maxSessions" | "sourceAddrs">
  & Partial<Pick<AccountRecord, "maxSessions" | "sourceAddrs">>
  & { password: string };

const OPTIONAL = [
  "window",
  "tps",
  "burst",
  "dailyQuota",
  "allowedIps",
  "gsmPacked",
  "defaultSource",
  "dataCoding0",
  "maxValidityHours",
  "distributionLists",
] as const;

/** Default concurrent sessions per account. */
export const DEFAULT_MAX_SESSIONS = MAX_SESSIONS;

/** Mutations per atomic write of {@link syncAccounts}. */
export const SYNC_BATCH = 500;

/** Writing accounts failed: the store was taken over by another process. */
export class AccountWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AccountWriteError";
  }
}

/** The KV record of a config account: its settings, marked "config", without any password. */
export function configRecord(c: AccountConfig): AccountRecord {
  const record: AccountRecord = {
    systemId: c.systemId,
    source: "config",
    maxSessions: c.maxSessions ?? DEFAULT_MAX_SESSIONS,
    sourceAddrs: c.sourceAddrs ?? [],
  };
  for (const k of OPTIONAL) if (c[k] !== undefined) Object.assign(record, { [k]: c[k] });
  return record;
}

/** Key order and undefined fields aside, the JSON of a record. */
function canonical(r: AccountRecord): string {
  return JSON.stringify(
    Object.entries(r).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}

/** What {@link syncAccounts} did. */
export interface SyncResult {
  /** Config accounts created or changed. */
  written: number;
  /** Config accounts removed from the config, deleted from KV. */
  deleted: number;
  /** Config accounts already as configured. */
  unchanged: number;
}

/**
 * Brings the config accounts in KV in step with `configs`: reads every account with one list
 * scan, writes only the records that differ (no password: see {@link ConfigPasswords}), and
 * deletes config accounts no longer in the config, in atomic writes of at most
 * {@link SYNC_BATCH} mutations (each checking store ownership). Accounts not from the config
 * (the first-run default account) are left alone; a config account of the same system_id
 * replaces one. Throws {@link AccountWriteError} if the store was taken over meanwhile.
 */
export async function syncAccounts(
  store: Store,
  configs: readonly AccountConfig[],
): Promise<SyncResult> {
  const existing = new Map<string, AccountRecord>();
  for await (
    const e of store.kv.list<AccountRecord>({ prefix: Keys.accounts() }, { batchSize: 1000 })
  ) existing.set(e.value.systemId, e.value);
  const ops: ({ set: AccountRecord } | { delete: string })[] = [];
  const configured = new Set<string>();
  let unchanged = 0;
  for (const c of configs) {
    configured.add(c.systemId);
    const record = configRecord(c);
    const old = existing.get(c.systemId);
    if (old && canonical(old) === canonical(record)) unchanged++;
    else ops.push({ set: record });
  }
  const written = ops.length;
  for (const [systemId, r] of existing) {
    if (r.source === "config" && !configured.has(systemId)) ops.push({ delete: systemId });
  }
  for (let i = 0; i < ops.length; i += SYNC_BATCH) {
    const atomic = store.atomic();
    for (const op of ops.slice(i, i + SYNC_BATCH)) {
      if ("set" in op) atomic.set(Keys.account(op.set.systemId), op.set);
      else atomic.delete(Keys.account(op.delete));
    }
    if (!(await atomic.commit()).ok) {
      throw new AccountWriteError(
        "writing accounts failed: this process no longer owns the store",
      );
    }
  }
  return { written, deleted: ops.length - written, unchanged };
}

/**
 * On a store with no account at all, creates `systemId` with a random password (PBKDF2-hashed in
 * KV) and returns the credentials (to print once); otherwise returns null.
 */
export async function ensureDefaultAccount(
  store: Store,
  systemId = "smppgw",
): Promise<{ systemId: string; password: string } | null> {
  for await (const _ of store.kv.list({ prefix: Keys.accounts() }, { limit: 1 })) return null;
  const password = generatePassword(8);
  await store.putAccount({
    systemId,
    password: await hashPassword(password),
    maxSessions: DEFAULT_MAX_SESSIONS,
    sourceAddrs: [],
  });
  return { systemId, password };
}

/**
 * The passwords of the config accounts, held in memory only (the config file holds them in
 * plain text anyway): a bind as a config account is checked against them with a constant-time
 * comparison of SHA-256 digests, so no hash of them is ever derived at start or stored in KV.
 */
export class ConfigPasswords {
  readonly #passwords = new Map<string, string>();

  constructor(configs: readonly AccountConfig[] = []) {
    for (const c of configs) this.#passwords.set(c.systemId, c.password);
  }

  /** Config accounts known. */
  get size(): number {
    return this.#passwords.size;
  }

  /** True when `systemId` is a config account. */
  has(systemId: string): boolean {
    return this.#passwords.has(systemId);
  }

  /** True when `password` is the config password of `systemId`. */
  verify(systemId: string, password: string): Promise<boolean> {
    const expected = this.#passwords.get(systemId);
    return expected === undefined ? Promise.resolve(false) : sameSecret(password, expected);
  }
}

/** How {@link authenticate} checks a password. */
export interface Verifiers {
  /** The config accounts' passwords (default: none). */
  config?: Pick<ConfigPasswords, "has" | "verify">;
  /**
   * Checks a password against a PBKDF2 hash; resolves null when the check cannot run now (the
   * hashing slots are all busy). Default: {@link verifyPassword}.
   */
  hashed?: (password: string, stored: PasswordHash) => Promise<boolean | null>;
}

/** Why credentials were refused. */
export type AuthRefusal =
  | "unknown system_id"
  | "wrong password"
  | "busy"
  | "account removed";

/** Result of checking bind credentials: the account, or the status to refuse with and why. */
export type AuthResult =
  | { ok: true; account: AccountRecord }
  | { ok: false; status: number; why: AuthRefusal };

/**
 * Checks system_id and password: 0x0F unknown system_id (also a config account no longer in the
 * config), 0x0E wrong password, 0x0D when the password could not be checked now ("busy").
 */
export async function authenticate(
  store: Store,
  systemId: string,
  password: string,
  verifiers: Verifiers = {},
): Promise<AuthResult> {
  const account = await store.account(systemId);
  const config = verifiers.config;
  let ok: boolean | null;
  // A password set through the admin API (a hash) wins over the config's until the next start.
  if (account?.password) {
    ok = await (verifiers.hashed ?? verifyPassword)(password, account.password);
  } else if (account?.source === "config" && config?.has(systemId)) {
    ok = await config.verify(systemId, password);
  } else if (!account && await store.wasRemoved(systemId)) {
    return { ok: false, status: Status.ESME_RBINDFAIL, why: "account removed" };
  } else {
    return { ok: false, status: Status.ESME_RINVSYSID, why: "unknown system_id" };
  }
  if (ok === null) return { ok: false, status: Status.ESME_RBINDFAIL, why: "busy" };
  if (!ok) return { ok: false, status: Status.ESME_RINVPASWD, why: "wrong password" };
  return { ok: true, account };
}
