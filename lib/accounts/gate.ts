/**
 * Bounded waiting for scarce work. {@link KeyGate} admits one holder per key at a time (a bind's
 * password check per system_id and per IP); {@link Slots} caps how many run at once overall
 * (PBKDF2 hashing). Both keep a bounded first-come line of waiters and refuse (resolve null)
 * beyond it. No timers: a waiter waits only for the holders and waiters ahead of it, each of
 * which holds its place for one check.
 */

/** Gives a held place back; calling it again does nothing. */
export type Release = () => void;

/** At most `max` holders at once; up to `maxWaiting` more wait in line, the rest are refused. */
export class Slots {
  #active = 0;
  readonly #line: ((release: Release) => void)[] = [];

  constructor(readonly max: number, readonly maxWaiting: number) {}

  /** Holders now. */
  get active(): number {
    return this.#active;
  }

  /** Waiters now. */
  get waiting(): number {
    return this.#line.length;
  }

  /** Takes a slot, waiting in line while all are taken; null (nothing taken) when the line is full. */
  acquire(): Promise<Release | null> {
    if (this.#active < this.max) {
      this.#active++;
      return Promise.resolve(this.#release());
    }
    if (this.#line.length >= this.maxWaiting) return Promise.resolve(null);
    return new Promise((resolve) => this.#line.push(resolve));
  }

  #release(): Release {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.#line.shift();
      // The slot passes straight to the next waiter, so nobody can barge in between.
      if (next) next(this.#release());
      else this.#active--;
    };
  }
}

interface Waiter {
  readonly keys: readonly string[];
  readonly grant: (release: Release) => void;
}

/**
 * Admits one holder per key at a time: {@link enter} with several keys holds all of them at once
 * (never one while waiting for another, so there is no deadlock and no holder blocks a key it does
 * not use yet). Waiters are admitted first come, first served per key; at most `maxWaitingPerKey`
 * may wait for any one key and `maxWaiting` in total, more are refused.
 */
export class KeyGate {
  readonly #held = new Set<string>();
  readonly #line: Waiter[] = [];
  readonly #waitingFor = new Map<string, number>();

  constructor(readonly maxWaitingPerKey: number, readonly maxWaiting: number) {}

  /** Waiters now. */
  get waiting(): number {
    return this.#line.length;
  }

  /** Holds every one of `keys` (distinct), waiting for them in line; null when the line is full. */
  enter(keys: readonly string[]): Promise<Release | null> {
    if (keys.every((k) => !this.#held.has(k) && !this.#waitingFor.has(k))) {
      return Promise.resolve(this.#take(keys));
    }
    if (
      this.#line.length >= this.maxWaiting ||
      keys.some((k) => (this.#waitingFor.get(k) ?? 0) >= this.maxWaitingPerKey)
    ) return Promise.resolve(null);
    for (const k of keys) this.#waitingFor.set(k, (this.#waitingFor.get(k) ?? 0) + 1);
    return new Promise((grant) => this.#line.push({ keys, grant }));
  }

  #take(keys: readonly string[]): Release {
    for (const k of keys) this.#held.add(k);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      for (const k of keys) this.#held.delete(k);
      this.#admit();
    };
  }

  /** Admits, in line order, every waiter whose keys are free and wanted by nobody ahead of it. */
  #admit() {
    const ahead = new Set<string>();
    for (let i = 0; i < this.#line.length;) {
      const w = this.#line[i];
      if (w.keys.some((k) => this.#held.has(k) || ahead.has(k))) {
        for (const k of w.keys) ahead.add(k);
        i++;
        continue;
      }
      this.#line.splice(i, 1);
      for (const k of w.keys) {
        const n = this.#waitingFor.get(k)! - 1;
        if (n > 0) this.#waitingFor.set(k, n);
        else this.#waitingFor.delete(k);
      }
      w.grant(this.#take(w.keys));
    }
  }
}
