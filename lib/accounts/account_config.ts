/**
 * An account's settings as written in the config file or sent to the admin API, checked with
 * messages that name the key.
 */
import {
  array,
  bool,
  dict,
  number,
  object,
  oneOf,
  parse,
  pattern,
  text,
  unique,
} from "../core/schema.ts";
import { z } from "zod";
import type { AccountConfig } from "./accounts.ts";
import { validIpEntry } from "./limits.ts";

/** Largest window an account or the session settings may set. */
export const MAX_WINDOW = 100_000;

const ipError = (iss: { input?: unknown }) =>
  `not an IP address or IPv4 CIDR: ${JSON.stringify(iss.input)}`;

/** An account's settings besides systemId and password, with their checks. */
const SETTINGS = {
  maxSessions: number(1, 10_000).optional(),
  sourceAddrs: array(pattern("not a valid pattern (not a string)"), "must be an array of patterns")
    .optional(),
  window: number(1, MAX_WINDOW).optional(),
  tps: number(0.001, 1_000_000).optional(),
  burst: number(1, 10_000_000).optional(),
  dailyQuota: number(0, 1e12).optional(),
  allowedIps: array(
    z.string({ error: ipError }).refine(validIpEntry, { error: ipError, abort: true }),
    "must be an array of addresses",
  ).optional(),
  gsmPacked: bool().optional(),
  defaultSource: text(20).optional(),
  maxValidityHours: number(0.001, 8760).optional(),
  dataCoding0: oneOf(["gsm7", "latin1"] as const).optional(),
  distributionLists: dict(
    array(text(20), "must be an array of addresses").max(254, {
      error: "a list has at most 254 addresses (submit_multi's limit)",
    }),
  ).optional(),
};

/** Account keys besides systemId and password. */
export const ACCOUNT_KEYS = Object.keys(SETTINGS) as (keyof typeof SETTINGS)[];

/** An account of the config file. */
export const ACCOUNT = object({ systemId: text(15), password: text(8), ...SETTINGS });

/** The config file's `accounts`: each system_id once. */
export const ACCOUNTS = array(ACCOUNT).superRefine(unique("systemId"));

/** An account created through the admin API: the config's keys and `disabled`. */
export const ACCOUNT_BODY = ACCOUNT.extend({ disabled: bool().optional() });

/** A change of an account through the admin API: any key of {@link ACCOUNT_BODY}. */
export const ACCOUNT_PATCH = ACCOUNT_BODY.partial();

/**
 * Checks an account object at `path` (e.g. "accounts[0]"). Throws ConfigError naming the bad key.
 *
 * @example
 * ```ts
 * import { parseAccount } from "./account_config.ts";
 * parseAccount({ systemId: "acme", password: "secret", tps: 50 }, "accounts[0]");
 * ```
 */
export function parseAccount(v: unknown, path: string): AccountConfig {
  return parse(ACCOUNT, v, path);
}
