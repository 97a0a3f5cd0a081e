/**
 * Account management for the admin API: list, show, create, update (settings, password,
 * disabled) and remove, with bodies checked like the config file. Changes are stored at once and
 * reported to `changed`, which applies them to bound sessions.
 */
import type { z } from "zod";
import { parse } from "../core/schema.ts";
import { ConfigError } from "../core/validate.ts";
import type { AccountRecord } from "../store/records.ts";
import type { Store } from "../store/store.ts";
import { ACCOUNT_BODY, ACCOUNT_KEYS, ACCOUNT_PATCH } from "./account_config.ts";
import { DEFAULT_MAX_SESSIONS } from "./accounts.ts";
import { hashPassword } from "./password.ts";

/** An admin request that cannot be done: the HTTP status, the message and the field it is about. */
export class AdminError extends Error {
  /** `status` 400 (bad body), 404 (unknown) or 409 (exists). */
  constructor(readonly status: 400 | 404 | 409, message: string, readonly path?: string) {
    super(message);
    this.name = "AdminError";
  }
}

/** An account as the API shows it: never its password or hash. */
export interface AccountView extends Omit<AccountRecord, "password" | "source"> {
  /** "config": listed in the config file (rewritten from it at every start); "api" otherwise. */
  source: "config" | "api";
  /** True when binds are refused (0x0D). */
  disabled: boolean;
}

/** The API view of a stored account. */
export function accountView(r: AccountRecord): AccountView {
  const { password: _, source, disabled, ...rest } = r;
  return { ...rest, source: source === "config" ? "config" : "api", disabled: disabled === true };
}

/** `body` checked by `schema` (the config's checks); its first problem is a 400 naming the field. */
function checked<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  try {
    return parse(schema, body, "body");
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const { path, message } = e.problems[0];
    throw new AdminError(400, message, path.replace(/^body\.?/, ""));
  }
}

/** Account operations over the store. */
export class AccountAdmin {
  readonly #store: Store;
  readonly #changed: (systemId: string, record: AccountRecord | null) => void;

  /** `changed` is told of every stored change (null: removed). */
  constructor(store: Store, changed: (systemId: string, record: AccountRecord | null) => void) {
    this.#store = store;
    this.#changed = changed;
  }

  /** Every account, by system_id. */
  async list(): Promise<AccountView[]> {
    return (await this.#store.accounts()).map(accountView);
  }

  /** One account; 404 when unknown. */
  async get(systemId: string): Promise<AccountView> {
    return accountView(await this.#record(systemId));
  }

  /** Creates an account from `{ systemId, password, ... }`; 409 when it exists. */
  async create(body: unknown): Promise<AccountView> {
    const c = checked(ACCOUNT_BODY, body);
    if (await this.#store.account(c.systemId)) {
      throw new AdminError(409, `account ${c.systemId} exists`, "systemId");
    }
    const record: AccountRecord = {
      systemId: c.systemId,
      password: await hashPassword(c.password),
      maxSessions: c.maxSessions ?? DEFAULT_MAX_SESSIONS,
      sourceAddrs: c.sourceAddrs ?? [],
    };
    for (const k of ACCOUNT_KEYS) if (c[k] !== undefined) Object.assign(record, { [k]: c[k] });
    if (c.disabled === true) record.disabled = true;
    if (!(await this.#store.createAccount(record))) {
      throw new AdminError(409, `account ${record.systemId} exists`, "systemId");
    }
    this.#changed(record.systemId, record);
    return accountView(record);
  }

  /** Changes any setting, the password, or `disabled`; 404 when unknown. */
  async update(systemId: string, body: unknown): Promise<AccountView> {
    const old = await this.#record(systemId);
    const b = checked(ACCOUNT_PATCH, body);
    if (b.systemId !== undefined && b.systemId !== systemId) {
      throw new AdminError(400, "cannot be changed (create a new account)", "systemId");
    }
    const record: AccountRecord = { ...old };
    for (const k of ACCOUNT_KEYS) {
      if (k in b) Object.assign(record, { [k]: b[k] ?? undefined });
    }
    if (typeof b.password === "string") record.password = await hashPassword(b.password);
    if (b.disabled !== undefined) record.disabled = b.disabled ? true : undefined;
    await this.#store.putAccount(record);
    this.#changed(systemId, record);
    return accountView(record);
  }

  /** Removes an account (its sessions are closed); 404 when unknown. */
  async remove(systemId: string): Promise<void> {
    await this.#record(systemId);
    await this.#store.removeAccount(systemId);
    this.#changed(systemId, null);
  }

  async #record(systemId: string): Promise<AccountRecord> {
    const r = await this.#store.account(systemId);
    if (!r) throw new AdminError(404, `no account ${systemId}`, "systemId");
    return r;
  }
}
