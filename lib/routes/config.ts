/**
 * The `routes` and `inbound` config keys: the routing table (each route's name, type and match,
 * then its type's own keys) and the inbound rules, validated with messages that name the key.
 */
import type { InboundRule } from "../delivery/inbound.ts";
import type { RouteMatch } from "../delivery/router.ts";
import type { SimulatorRule } from "../delivery/simulator.ts";
import { ConfigError, known, num, type Obj, obj, str } from "../core/validate.ts";
import { type Stat, STAT_STATES } from "../store/records.ts";

const STATS = Object.keys(STAT_STATES) as Stat[];

/** A route type. */
export type RouteType = "simulator" | "http" | "smpp";

/** Route types and the keys every route has. */
export const ROUTE_TYPES: readonly RouteType[] = ["simulator", "http", "smpp"];
const COMMON = ["name", "type", "match"];

/** The simulator's own settings (the top-level `simulator` key, or a route of type simulator). */
export interface SimulatorConfig {
  /** Time from acceptance to the final state. */
  delayMs?: number;
  /** Destination-prefix rules; the first match wins. */
  rules?: SimulatorRule[];
}

/** What every route config has. */
export interface RouteBase {
  /** Unique; the route's jobs and checkpoint are stored under it, so keep it stable. */
  name: string;
  /** simulator, http or smpp. */
  type: RouteType;
  /** Which messages it takes (every message when absent). */
  match?: RouteMatch;
}

/** A route of type simulator. */
export interface SimulatorRouteConfig extends RouteBase, SimulatorConfig {
  /** Always "simulator". */
  type: "simulator";
}

/** Checks the simulator keys of `s` (at `path`, e.g. "simulator" or "routes[2]"). */
export function parseSimulator(s: Obj, path: string, extra: readonly string[] = []): void {
  known(s, path, [...extra, "delayMs", "rules"]);
  num(s, "delayMs", `${path}.`, 0, 86_400_000);
  if (s.rules === undefined) return;
  if (!Array.isArray(s.rules)) throw new ConfigError(`${path}.rules: must be an array`);
  s.rules.forEach((r, i) => {
    const p = `${path}.rules[${i}]`;
    const rule = obj(r, p);
    known(rule, p, ["prefix", "stat", "err"]);
    if (typeof rule.prefix !== "string") throw new ConfigError(`${p}.prefix: must be a string`);
    if (!STATS.includes(rule.stat as Stat)) {
      throw new ConfigError(`${p}.stat: must be one of ${STATS.join(", ")}`);
    }
    if (rule.err !== undefined && !(typeof rule.err === "string" && /^\d{1,3}$/.test(rule.err))) {
      throw new ConfigError(`${p}.err: must be 1 to 3 digits, e.g. "001"`);
    }
  });
}

/** Checks that `v` is a regular expression that compiles. */
export function pattern(v: unknown, path: string): string {
  if (typeof v !== "string") throw new ConfigError(`${path}: must be a regular expression string`);
  try {
    new RegExp(v);
  } catch (e) {
    throw new ConfigError(`${path}: not a valid pattern (${(e as Error).message})`);
  }
  return v;
}

/** Checks a route's `match`. */
function parseMatch(v: unknown, path: string): void {
  const m = obj(v, path);
  known(m, path, ["dest", "accounts"]);
  if (m.dest !== undefined) pattern(m.dest, `${path}.dest`);
  if (m.accounts !== undefined) {
    if (!Array.isArray(m.accounts) || m.accounts.some((a) => typeof a !== "string" || a === "")) {
      throw new ConfigError(`${path}.accounts: must be an array of system_ids`);
    }
  }
}

/** Checks one route's type-specific keys; given by the config layer for http and smpp. */
export type RouteKeysParser = (o: Obj, path: string) => void;

/**
 * Checks the `routes` array: unique names (letters, digits, `-`, `_`), a known type, a valid
 * match, and each type's own keys (`parsers` for the types other than simulator).
 */
export function parseRoutes(
  v: unknown,
  parsers: Readonly<Record<"http" | "smpp", RouteKeysParser>>,
): void {
  if (!Array.isArray(v)) throw new ConfigError("routes: must be an array");
  const names = new Set<string>();
  v.forEach((r, i) => {
    const path = `routes[${i}]`;
    const o = obj(r, path);
    str(o, "name", `${path}.`, 64, true);
    if (!/^[A-Za-z0-9_-]+$/.test(o.name as string)) {
      throw new ConfigError(`${path}.name: only letters, digits, "-" and "_"`);
    }
    if (names.has(o.name as string)) {
      throw new ConfigError(`${path}.name: "${o.name}" appears twice`);
    }
    names.add(o.name as string);
    if (!ROUTE_TYPES.includes(o.type as RouteType)) {
      throw new ConfigError(`${path}.type: must be one of ${ROUTE_TYPES.join(", ")}`);
    }
    if (o.match !== undefined) parseMatch(o.match, `${path}.match`);
    if (o.type === "simulator") parseSimulator(o, path, COMMON);
    else parsers[o.type as "http" | "smpp"](o, path);
  });
}

/** Checks the `inbound` rules: `{ dest: pattern, account: system_id }` each. */
export function parseInbound(v: unknown): InboundRule[] {
  if (!Array.isArray(v)) throw new ConfigError("inbound: must be an array");
  v.forEach((r, i) => {
    const path = `inbound[${i}]`;
    const o = obj(r, path);
    known(o, path, ["dest", "account"]);
    pattern(o.dest, `${path}.dest`);
    str(o, "account", `${path}.`, 15, true);
  });
  return v as InboundRule[];
}
