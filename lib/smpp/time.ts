/**
 * SMPP times (spec §7.1.1): absolute `YYMMDDhhmmsstnnp` (t tenths of a second, nn the offset from
 * UTC in quarter hours, p `+` or `-`) and relative `YYMMDDhhmmss000R` (years, months, days, … from
 * now). Parsed strictly: anything else is refused.
 */

/** Why an SMPP time was refused. */
export class SmppTimeError extends Error {
  /** A refused time; `message` says what is wrong. */
  constructor(message: string) {
    super(message);
    this.name = "SmppTimeError";
  }
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The time an SMPP time string stands for (ms since the epoch), relative ones from `now`; null for
 * an empty string (not given). Throws {@link SmppTimeError} on a malformed one.
 *
 * @example
 * ```ts
 * import { parseSmppTime } from "./time.ts";
 * parseSmppTime("251224103000004+", 0); // 2025-12-24 10:30:00 at UTC+1 → 09:30:00 UTC
 * parseSmppTime("000000000500000R", 1000); // 1000 + 5 minutes
 * ```
 */
export function parseSmppTime(s: string, now: number): number | null {
  if (s === "") return null;
  const m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d)(\d\d)([+\-R])$/.exec(s);
  if (!m) throw new SmppTimeError(`"${s}" is not YYMMDDhhmmsstnn followed by +, - or R`);
  const [yy, mo, dd, hh, mi, ss, t, nn] = m.slice(1, 9).map(Number);
  const p = m[9];
  if (hh > 23 || mi > 59 || ss > 59) {
    throw new SmppTimeError(`"${s}" has a time of day out of range`);
  }
  if (p === "R") {
    if (t !== 0 || nn !== 0) throw new SmppTimeError(`relative time "${s}" must end in 000R`);
    const d = new Date(now);
    d.setUTCFullYear(d.getUTCFullYear() + yy, d.getUTCMonth() + mo, d.getUTCDate() + dd);
    return d.getTime() + ((hh * 60 + mi) * 60 + ss) * 1000;
  }
  if (mo < 1 || mo > 12 || dd < 1 || dd > DAYS[mo - 1]) {
    throw new SmppTimeError(`"${s}" has no such date`);
  }
  if (nn > 48) throw new SmppTimeError(`"${s}" has a UTC offset over 12 hours`);
  const local = Date.UTC(2000 + yy, mo - 1, dd, hh, mi, ss, t * 100);
  if (new Date(local).getUTCDate() !== dd) throw new SmppTimeError(`"${s}" has no such date`);
  const offset = nn * 15 * 60_000;
  return p === "+" ? local - offset : local + offset;
}
