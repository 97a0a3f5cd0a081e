/**
 * Bound sessions per account. Kept behind this small interface so the registry can later move
 * into KV (entries with a heartbeat expiry) when several nodes share one store.
 */
import { canReceive, type SessionState } from "../smpp/states.ts";

/** What the registry needs of a session. */
export interface RegisteredSession {
  readonly id: number;
  readonly account: string;
  readonly state: SessionState;
}

/** In-process registry of bound sessions. */
export class SessionRegistry<S extends RegisteredSession = RegisteredSession> {
  #byAccount = new Map<string, Set<S>>();

  /** Number of sessions bound (or binding) for an account. */
  count(account: string): number {
    return this.#byAccount.get(account)?.size ?? 0;
  }

  /** Adds a session unless the account already has `max`; returns whether it was added. */
  tryAdd(account: string, s: S, max: number): boolean {
    let set = this.#byAccount.get(account);
    if (!set) this.#byAccount.set(account, set = new Set());
    if (set.size >= max) return false;
    set.add(s);
    return true;
  }

  /** Removes a session. */
  remove(account: string, s: S) {
    const set = this.#byAccount.get(account);
    if (!set) return;
    set.delete(s);
    if (set.size === 0) this.#byAccount.delete(account);
  }

  /** The account's sessions that may receive deliver_sm (RX and TRX). */
  receivers(account: string): S[] {
    const out: S[] = [];
    for (const s of this.#byAccount.get(account) ?? []) {
      if (canReceive(s.state)) out.push(s);
    }
    return out;
  }

  /** Every registered session. */
  all(): S[] {
    return [...this.#byAccount.values()].flatMap((set) => [...set]);
  }
}
