/** Accounts: creating them from config, the first-run default account, and bind authentication. */
import { Status } from "./pdu/status.ts";
import { generatePassword, hashPassword, verifyPassword } from "./password.ts";
import type { AccountRecord } from "./records.ts";
import type { Store } from "./store.ts";

/** An account as written in the config file: a plain password (stored hashed), defaults optional. */
export type AccountConfig =
  & Omit<AccountRecord, "password" | "maxSessions" | "sourceAddrs">
  & Partial<Pick<AccountRecord, "maxSessions" | "sourceAddrs">>
  & { password: string };

const OPTIONAL = ["window", "tps", "burst", "dailyQuota", "allowedIps", "gsmPacked"] as const;

/** Default concurrent sessions per account. */
export const DEFAULT_MAX_SESSIONS = 5;

/** Creates or updates config accounts in KV; unchanged accounts are left as they are. */
export async function syncAccounts(store: Store, configs: readonly AccountConfig[]): Promise<void> {
  for (const c of configs) {
    const old = await store.account(c.systemId);
    const record: AccountRecord = {
      systemId: c.systemId,
      password: old && await verifyPassword(c.password, old.password)
        ? old.password
        : await hashPassword(c.password),
      maxSessions: c.maxSessions ?? DEFAULT_MAX_SESSIONS,
      sourceAddrs: c.sourceAddrs ?? [],
    };
    for (const k of OPTIONAL) if (c[k] !== undefined) Object.assign(record, { [k]: c[k] });
    if (JSON.stringify(old) !== JSON.stringify(record)) await store.putAccount(record);
  }
}

/**
 * On a store with no account at all, creates `systemId` with a random password and returns the
 * credentials (to print once); otherwise returns null.
 */
export async function ensureDefaultAccount(
  store: Store,
  systemId = "smppgw",
): Promise<{ systemId: string; password: string } | null> {
  if ((await store.accounts()).length > 0) return null;
  const password = generatePassword(8);
  await store.putAccount({
    systemId,
    password: await hashPassword(password),
    maxSessions: DEFAULT_MAX_SESSIONS,
    sourceAddrs: [],
  });
  return { systemId, password };
}

/** Result of checking bind credentials: the account, or the status to refuse with. */
export type AuthResult = { ok: true; account: AccountRecord } | { ok: false; status: number };

/** Checks system_id and password: 0x0F unknown system_id, 0x0E wrong password. */
export async function authenticate(
  store: Store,
  systemId: string,
  password: string,
): Promise<AuthResult> {
  const account = await store.account(systemId);
  if (!account) return { ok: false, status: Status.ESME_RINVSYSID };
  if (!(await verifyPassword(password, account.password))) {
    return { ok: false, status: Status.ESME_RINVPASWD };
  }
  return { ok: true, account };
}
