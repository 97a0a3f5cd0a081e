/**
 * An account's settings as written in the config file or sent to the admin API, checked with
 * messages that name the key.
 */
import type { AccountConfig } from "./accounts.ts";
import { validIpEntry } from "./limits.ts";
import { ConfigError, known, num, obj, str } from "../core/validate.ts";

/** Largest window an account or the session settings may set. */
export const MAX_WINDOW = 100_000;

/** Account keys besides systemId and password. */
export const ACCOUNT_KEYS = [
  "maxSessions",
  "sourceAddrs",
  "window",
  "tps",
  "burst",
  "dailyQuota",
  "allowedIps",
  "gsmPacked",
] as const;

/**
 * Checks an account object at `path` (e.g. "accounts[0]"); with `partial`, systemId and password
 * may be absent (an update); `extra` keys are allowed and left to the caller. Throws ConfigError naming the bad key.
 *
 * @example
 * ```ts
 * import { parseAccount } from "./account_config.ts";
 * parseAccount({ systemId: "acme", password: "secret", tps: 50 }, "accounts[0]");
 * ```
 */
export function parseAccount(
  v: unknown,
  path: string,
  opts: { partial?: boolean; extra?: readonly string[] } = {},
): AccountConfig {
  const o = obj(v, path);
  known(o, path, ["systemId", "password", ...ACCOUNT_KEYS, ...(opts.extra ?? [])]);
  num(o, "tps", `${path}.`, 0.001, 1_000_000);
  num(o, "burst", `${path}.`, 1, 10_000_000);
  num(o, "dailyQuota", `${path}.`, 0, 1e12);
  if (o.gsmPacked !== undefined && typeof o.gsmPacked !== "boolean") {
    throw new ConfigError(`${path}.gsmPacked: must be true or false`);
  }
  if (o.allowedIps !== undefined) {
    if (!Array.isArray(o.allowedIps)) {
      throw new ConfigError(`${path}.allowedIps: must be an array of addresses`);
    }
    o.allowedIps.forEach((ip, i) => {
      if (typeof ip !== "string" || !validIpEntry(ip)) {
        throw new ConfigError(
          `${path}.allowedIps[${i}]: not an IP address or IPv4 CIDR: ${JSON.stringify(ip)}`,
        );
      }
    });
  }
  str(o, "systemId", `${path}.`, 15, !opts.partial);
  str(o, "password", `${path}.`, 8, !opts.partial);
  num(o, "maxSessions", `${path}.`, 1, 10_000);
  num(o, "window", `${path}.`, 1, MAX_WINDOW);
  if (o.sourceAddrs !== undefined) {
    if (!Array.isArray(o.sourceAddrs)) {
      throw new ConfigError(`${path}.sourceAddrs: must be an array of patterns`);
    }
    o.sourceAddrs.forEach((p, i) => {
      try {
        if (typeof p !== "string") throw new Error("not a string");
        new RegExp(p);
      } catch (e) {
        throw new ConfigError(
          `${path}.sourceAddrs[${i}]: not a valid pattern (${(e as Error).message})`,
        );
      }
    });
  }
  return o as unknown as AccountConfig;
}
