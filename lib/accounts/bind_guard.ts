/**
 * Who may bind: credentials, the failed-bind lockout per system_id and per IP, and the account's
 * IP allow-list. Answers with the account or the status and reason of the refusal.
 *
 * A bind is counted against its system_id's and its IP's budget before its password is checked,
 * and only one check per system_id and per IP runs at a time (others wait in a short line), so
 * concurrent guesses cannot all be checked before the first failure lands. PBKDF2 checks are
 * capped gateway-wide, so a storm of them cannot starve other accounts' binds of CPU.
 */
import { authenticate, type AuthRefusal, ConfigPasswords } from "./accounts.ts";
import type { Counters } from "../core/counters.ts";
import type { BindFailureReason } from "../core/metrics.ts";
import { BIND_LIMITS as DEFAULT_LIMITS } from "../core/defaults.ts";
import { KeyGate, Slots } from "./gate.ts";
import { FailureLockout, ipAllowed, type LockoutOptions } from "./limits.ts";
import { verifyPassword } from "./password.ts";
import { Status } from "../smpp/status.ts";
import type { AccountRecord, PasswordHash } from "../store/records.ts";
import type { Store } from "../store/store.ts";

/** The outcome of a bind check. */
export type BindCheck =
  | { ok: true; account: AccountRecord }
  | { ok: false; status: number; why: string; reason: BindFailureReason; lockedOut: boolean };

/** Bounds on binds waiting and on password hashing. */
export interface BindLimits {
  /** Binds that may wait for their system_id or IP to be free of another check, per key. */
  maxWaitingPerKey: number;
  /** Binds that may wait for their system_id or IP in total. */
  maxWaiting: number;
  /** PBKDF2 checks running at once, gateway-wide. */
  maxHashing: number;
  /** PBKDF2 checks that may wait for a slot; more binds are refused 0x0D. */
  maxHashingWaiting: number;
}

/** Default bind bounds. */
export const BIND_LIMITS: Readonly<BindLimits> = DEFAULT_LIMITS;

/** Settings of a {@link BindGuard}. */
export interface BindGuardOptions {
  lockout: LockoutOptions;
  /** The config accounts' passwords (default: none). */
  config?: ConfigPasswords;
  /** The counters registry: `passwordChecks` counts binds whose password is compared. */
  counters?: Pick<Counters, "passwordChecks">;
  limits?: Partial<BindLimits>;
}

const LOCKED = "locked out after repeated failures";

/** The metrics reason of each authentication refusal. */
const AUTH_REASONS: Record<AuthRefusal, BindFailureReason> = {
  "unknown system_id": "unknown_account",
  "wrong password": "bad_password",
  "busy": "busy",
  "account removed": "account_removed",
};

/** Checks binds against the store and the config passwords, and remembers failures. */
export class BindGuard {
  readonly #store: Store;
  readonly #lockout: FailureLockout;
  readonly #gate: KeyGate;
  readonly #hashing: Slots;
  readonly #counters: Pick<Counters, "passwordChecks">;
  /** The config passwords, counting each comparison. */
  readonly #config: Pick<ConfigPasswords, "has" | "verify">;

  constructor(store: Store, opts: BindGuardOptions) {
    const limits = { ...BIND_LIMITS, ...opts.limits };
    this.#store = store;
    this.#lockout = new FailureLockout(opts.lockout);
    this.#gate = new KeyGate(limits.maxWaitingPerKey, limits.maxWaiting);
    this.#hashing = new Slots(limits.maxHashing, limits.maxHashingWaiting);
    this.#counters = opts.counters ?? { passwordChecks: 0 };
    const config = opts.config ?? new ConfigPasswords();
    this.#config = {
      has: (id) => config.has(id),
      verify: (id, p) => {
        this.#counters.passwordChecks++;
        return config.verify(id, p);
      },
    };
  }

  /**
   * 0x0F unknown system_id, 0x0E wrong password, 0x0D while locked out (even with the right
   * password, so guessing gains nothing), when too many binds are waiting to be checked, or from
   * an address outside `allowedIps`.
   */
  async check(systemId: string, password: string, remote: string): Promise<BindCheck> {
    const keys = [`id:${systemId}`, `ip:${remote}`];
    if (this.#exhausted(keys)) return refusal(Status.ESME_RBINDFAIL, LOCKED, "locked_out");
    const release = await this.#gate.enter(keys);
    if (!release) {
      return refusal(
        Status.ESME_RBINDFAIL,
        "too many binds waiting for this system_id or address",
        "busy",
      );
    }
    try {
      // Failures may have landed while this bind waited its turn.
      if (this.#exhausted(keys)) return refusal(Status.ESME_RBINDFAIL, LOCKED, "locked_out");
      return await this.#checkCounted(keys, systemId, password, remote);
    } finally {
      release();
    }
  }

  #exhausted(keys: string[]): boolean {
    return keys.some((k) => this.#lockout.exhausted(k));
  }

  /** The password check, counted against the keys from before it starts until it ends. */
  async #checkCounted(
    keys: string[],
    systemId: string,
    password: string,
    remote: string,
  ): Promise<BindCheck> {
    for (const k of keys) this.#lockout.begin(k);
    let verdict: Verdict;
    try {
      verdict = await this.#verify(systemId, password, remote);
    } catch (e) {
      for (const k of keys) this.#lockout.finish(k, "void");
      throw e;
    }
    const lockedOut = keys.map((k) => this.#lockout.finish(k, verdict.outcome)).some(Boolean);
    return verdict.check.ok ? verdict.check : { ...verdict.check, lockedOut };
  }

  async #verify(systemId: string, password: string, remote: string): Promise<Verdict> {
    const auth = await authenticate(this.#store, systemId, password, {
      config: this.#config,
      hashed: (p, stored) => this.#hashed(p, stored),
    });
    if (!auth.ok) {
      // A check that could not run (no hashing slot) tells the client nothing: not a failure.
      if (auth.why === "busy") {
        return {
          outcome: "void",
          check: refusal(auth.status, "too many password checks at once", "busy"),
        };
      }
      return { outcome: "failed", check: refusal(auth.status, auth.why, AUTH_REASONS[auth.why]) };
    }
    if (auth.account.disabled) {
      return {
        outcome: "void",
        check: refusal(Status.ESME_RBINDFAIL, "account disabled", "account_disabled"),
      };
    }
    if (auth.account.allowedIps?.length && !ipAllowed(remote, auth.account.allowedIps)) {
      return {
        outcome: "void",
        check: refusal(
          Status.ESME_RBINDFAIL,
          "address not in the account's allowedIps",
          "ip_not_allowed",
        ),
      };
    }
    return { outcome: "ok", check: auth };
  }

  /** A PBKDF2 check in one of the gateway-wide hashing slots; null when their line is full. */
  async #hashed(password: string, stored: PasswordHash): Promise<boolean | null> {
    const release = await this.#hashing.acquire();
    if (!release) return null;
    try {
      this.#counters.passwordChecks++;
      return await verifyPassword(password, stored);
    } finally {
      release();
    }
  }
}

interface Verdict {
  /** What the lockout records. */
  outcome: "ok" | "failed" | "void";
  check: BindCheck;
}

function refusal(status: number, why: string, reason: BindFailureReason): BindCheck {
  return { ok: false, status, why, reason, lockedOut: false };
}
