/**
 * The newest pending message of each (account, service_type, source, destination), for
 * submit_sm's replace_if_present_flag. Only accounts that used the flag are tracked (so other
 * submits cost one Set lookup): a Map entry per message added, entries of settled messages swept
 * out once the map outgrows its limit (so it stays about as large as what is pending).
 *
 * ```ts
 * import { LatestByAddress } from "./latest.ts";
 * const latest = new LatestByAddress();
 * latest.track("acme");
 * const m = { id: "1", account: "acme", serviceType: "", source: { addr: "A" }, dest: { addr: "B" } };
 * latest.add(m);
 * console.log(latest.find(m, (id) => id === "1")); // "1"
 * ```
 */
import { compareIds } from "../store/pages.ts";

/** The fields a message is matched on. */
export interface AddressedMessage {
  id: string;
  account: string;
  serviceType: string;
  source: { addr: string };
  dest: { addr: string };
}

/** Entries kept before settled ones are swept out. */
const LIMIT = 50_000;

/** Newest pending message id by account, service_type, source and destination. */
export class LatestByAddress {
  readonly #ids = new Map<string, string>();
  readonly #tracked = new Set<string>();
  #limit = LIMIT;

  /** Whether messages of `account` are noted (it used replace_if_present_flag since start). */
  tracks(account: string): boolean {
    return this.#tracked.has(account);
  }

  /** Notes messages of `account` from now on (its pending ones are to be added by the caller). */
  track(account: string): void {
    this.#tracked.add(account);
  }

  #key(m: AddressedMessage): string {
    return `${m.account}\0${m.serviceType}\0${m.source.addr}\0${m.dest.addr}`;
  }

  /**
   * Notes `m` (of a tracked account) as the newest message between its addresses, unless a newer
   * one is noted already.
   */
  add(m: AddressedMessage, pending?: (id: string) => boolean): void {
    if (!this.#tracked.has(m.account)) return;
    const key = this.#key(m);
    const noted = this.#ids.get(key);
    if (noted !== undefined && compareIds(noted, m.id) > 0) return;
    this.#ids.delete(key); // re-inserted last: the sweep keeps the newest
    this.#ids.set(key, m.id);
    if (this.#ids.size > this.#limit && pending) this.#sweep(pending);
  }

  /** The newest message with `m`'s account, service_type and addresses that is still pending. */
  find(m: AddressedMessage, pending: (id: string) => boolean): string | undefined {
    const id = this.#ids.get(this.#key(m));
    return id !== undefined && pending(id) ? id : undefined;
  }

  /** Entries held. */
  get size(): number {
    return this.#ids.size;
  }

  #sweep(pending: (id: string) => boolean) {
    for (const [key, id] of this.#ids) if (!pending(id)) this.#ids.delete(key);
    // Mostly pending: let it grow with what waits (bounded by the routes' backlogs).
    this.#limit = Math.max(LIMIT, this.#ids.size * 2);
  }
}
