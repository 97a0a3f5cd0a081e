/**
 * Who may bind: credentials, the failed-bind lockout per system_id and per IP, and the account's
 * IP allow-list. Answers with the account or the status and reason of the refusal.
 */
import { authenticate } from "./accounts.ts";
import { FailureLockout, ipAllowed, type LockoutOptions } from "./limits.ts";
import { Status } from "./pdu/status.ts";
import type { AccountRecord } from "./records.ts";
import type { Store } from "./store.ts";

/** The outcome of a bind check. */
export type BindCheck =
  | { ok: true; account: AccountRecord }
  | { ok: false; status: number; why: string; lockedOut: boolean };

/** Checks binds against the store and remembers failures. */
export class BindGuard {
  readonly #store: Store;
  readonly #lockout: FailureLockout;

  constructor(store: Store, lockout: LockoutOptions) {
    this.#store = store;
    this.#lockout = new FailureLockout(lockout);
  }

  /**
   * 0x0F unknown system_id, 0x0E wrong password, 0x0D while locked out (even with the right
   * password, so guessing gains nothing) or from an address outside `allowedIps`.
   */
  async check(systemId: string, password: string, remote: string): Promise<BindCheck> {
    const keys = [`id:${systemId}`, `ip:${remote}`];
    if (keys.some((k) => this.#lockout.locked(k))) {
      return {
        ok: false,
        status: Status.ESME_RBINDFAIL,
        why: "locked out after repeated failures",
        lockedOut: false,
      };
    }
    const auth = await authenticate(this.#store, systemId, password);
    if (!auth.ok) {
      const lockedOut = keys.map((k) => this.#lockout.fail(k)).some(Boolean);
      const why = auth.status === Status.ESME_RINVSYSID ? "unknown system_id" : "wrong password";
      return { ok: false, status: auth.status, why, lockedOut };
    }
    if (auth.account.allowedIps?.length && !ipAllowed(remote, auth.account.allowedIps)) {
      return {
        ok: false,
        status: Status.ESME_RBINDFAIL,
        why: "address not in the account's allowedIps",
        lockedOut: false,
      };
    }
    for (const k of keys) this.#lockout.succeed(k);
    return auth;
  }
}
