/**
 * The bind policy: who may bind (credentials, lockout, allow-list), how many sessions an account
 * may hold, and which account each bound session is. Answers a decision for the session to apply;
 * never writes into the session.
 */
import { getLogger } from "@logtape/logtape";
import type { Counters } from "../core/counters.ts";
import type { BindFailureReason, BindType } from "../core/metrics.ts";
import type { Meters } from "../core/meters.ts";
import type { BindCommand } from "../smpp/commands.ts";
import { Status } from "../smpp/status.ts";
import type { BindDecision } from "../session/contract.ts";
import { type RegisteredSession, SessionRegistry } from "../session/registry.ts";
import type { AccountRecord } from "../store/records.ts";
import type { Store } from "../store/store.ts";
import { type AccountConfig, ConfigPasswords } from "./accounts.ts";
import { Admission } from "./admission.ts";
import { BindGuard } from "./bind_guard.ts";
import type { LockoutOptions } from "./limits.ts";

const log = getLogger(["smppgw", "accounts"]);

/** The `bind_type` label of each bind command. */
const BIND_TYPE: Record<BindCommand, BindType> = {
  bind_transmitter: "transmitter",
  bind_receiver: "receiver",
  bind_transceiver: "transceiver",
};

/** What the binder needs of a session. */
export interface BindingSession extends RegisteredSession {
  readonly remote: string;
  /** Sends unbind and closes (an account disabled or removed while bound). */
  unbind(): Promise<void>;
}

/** Binder settings. */
export interface BinderOptions {
  lockout: LockoutOptions;
  /** Config accounts, whose passwords are checked in memory. */
  accounts?: readonly AccountConfig[];
  counters: Counters;
  /** Labelled counts: binds by type, refusals by reason, throttling by reason. */
  meters: Pick<Meters, "binds" | "bindFailures" | "throttled">;
  /** True once the gateway is shutting down: binds are refused. */
  closing: () => boolean;
}

/** Authenticates binds and keeps the bound sessions per account. */
export class Binder<S extends BindingSession> {
  readonly registry = new SessionRegistry<S>();
  readonly admission: Admission;
  readonly #guard: BindGuard;
  readonly #opts: BinderOptions;
  /** The account each bound session authenticated as (read once per bind, not per submit). */
  readonly #accountOf = new Map<S, AccountRecord>();
  /** Admin changes per account so far: a bind that saw one happen while it ran reads again. */
  readonly #changes = new Map<string, number>();
  readonly #store: Store;

  constructor(store: Store, opts: BinderOptions) {
    this.#opts = opts;
    this.#store = store;
    this.admission = new Admission(store, opts.meters.throttled);
    this.#guard = new BindGuard(store, {
      lockout: opts.lockout,
      config: new ConfigPasswords(opts.accounts),
      counters: opts.counters,
    });
  }

  /** Decides a bind of `s` as `systemId`; on success `s` is registered under the account. */
  async bind(
    s: S,
    command: BindCommand,
    systemId: string,
    password: string,
  ): Promise<BindDecision> {
    const refuse = (status: number, why: string, reason: BindFailureReason): BindDecision => {
      this.#opts.counters.bindFailures++;
      this.#opts.meters.bindFailures[reason]++;
      // Never log the password or the PDU body that carries it.
      log.info("bind {command} refused for {systemId} from {remote}: {why}", {
        command,
        systemId,
        remote: s.remote,
        why,
      });
      return { status };
    };
    const generation = this.#changes.get(systemId) ?? 0;
    const check = await this.#guard.check(systemId, password, s.remote);
    if (!check.ok) {
      if (check.lockedOut) {
        log.warn("bind failures from {remote} for {systemId}: locked out", {
          remote: s.remote,
          systemId,
        });
      }
      return refuse(check.status, check.why, check.reason);
    }
    const account = check.account;
    await this.admission.prepare(account);
    if (this.#opts.closing()) return refuse(Status.ESME_RSYSERR, "shutting down", "shutting_down");
    if (!this.registry.tryAdd(systemId, s, account.maxSessions)) {
      return refuse(Status.ESME_RALYBND, `already ${account.maxSessions} sessions`, "max_sessions");
    }
    let current = account;
    if ((this.#changes.get(systemId) ?? 0) !== generation) {
      // Changed through the admin API while this bind was checked: bind with the account as it is.
      const now = await this.#store.account(systemId);
      if (!now || now.disabled) {
        this.registry.remove(systemId, s);
        return refuse(
          Status.ESME_RBINDFAIL,
          now ? "account disabled" : "account removed",
          now ? "account_disabled" : "account_removed",
        );
      }
      current = now;
    }
    this.#accountOf.set(s, current);
    this.#opts.counters.binds++;
    this.#opts.meters.binds[BIND_TYPE[command]]++;
    // The session logs the bind once it is answered (category ["smppgw", "session"]).
    return { status: Status.ESME_ROK, account: systemId, window: account.window };
  }

  /** The account a bound session authenticated as. */
  accountOf(s: S): AccountRecord | undefined {
    return this.#accountOf.get(s);
  }

  /**
   * An account was changed through the admin API: its bound sessions use the new settings at
   * once; when it was removed or disabled they are unbound and closed.
   */
  accountChanged(systemId: string, record: AccountRecord | null): void {
    this.#changes.set(systemId, (this.#changes.get(systemId) ?? 0) + 1);
    for (const s of this.registry.all()) {
      if (s.account !== systemId) continue;
      if (record && !record.disabled) {
        this.#accountOf.set(s, record);
        continue;
      }
      log.info("session {id} of {systemId}: account {what}; unbinding", {
        id: s.id,
        systemId,
        what: record ? "disabled" : "removed",
      });
      s.unbind().catch((e) => log.error("unbinding failed: {error}", { error: String(e) }));
    }
    if (record && !record.disabled) {
      this.admission.prepare(record).catch((e) =>
        log.error("loading the quota of {systemId} failed: {error}", { systemId, error: String(e) })
      );
    }
  }

  /** Forgets a session that ended. */
  release(s: S) {
    const account = this.#accountOf.get(s);
    if (!account) return;
    this.#accountOf.delete(s);
    this.registry.remove(account.systemId, s);
  }
}
