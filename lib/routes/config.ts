/**
 * The `routes` and `inbound` config keys: the routing table (each route's name, type and match,
 * then its type's own keys) and the inbound rules, validated with messages that name the key.
 */
import type { RouteMatch } from "../delivery/router.ts";
import type { SimulatorRule } from "../delivery/simulator.ts";
import { z } from "zod";
import {
  addIssues,
  array,
  looseObject,
  nonEmptyStrings,
  number,
  object,
  oneOf,
  pattern,
  text,
  unique,
} from "../core/schema.ts";
import { type Stat, STAT_STATES } from "../store/records.ts";

const STATS = Object.keys(STAT_STATES) as Stat[];

/** A route type. */
export type RouteType = "simulator" | "http" | "smpp";

/** Route types. */
export const ROUTE_TYPES: readonly RouteType[] = ["simulator", "http", "smpp"];

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

/** A regular expression over an address (a route's `match.dest`, an inbound rule's `dest`). */
const ADDRESS_PATTERN = pattern("must be a regular expression string");

/** One rule of the simulator. */
const SIMULATOR_RULE = object({
  prefix: z.string({ error: "must be a string" }),
  stat: oneOf(STATS),
  err: z.string({ error: 'must be 1 to 3 digits, e.g. "001"' })
    .regex(/^\d{1,3}$/, { error: 'must be 1 to 3 digits, e.g. "001"', abort: true })
    .optional(),
});

const SIMULATOR_KEYS = {
  delayMs: number(0, 86_400_000).optional(),
  rules: array(SIMULATOR_RULE).optional(),
};

/** The top-level `simulator` key. */
export const SIMULATOR = object(SIMULATOR_KEYS);

/** A route's `match`. */
const MATCH = object({
  dest: ADDRESS_PATTERN.optional(),
  accounts: nonEmptyStrings("must be an array of system_ids").optional(),
});

/** The keys every route has. */
const ROUTE_BASE_KEYS = {
  name: text(64).regex(/^[A-Za-z0-9_-]+$/, {
    error: 'only letters, digits, "-" and "_"',
    abort: true,
  }),
  type: oneOf(ROUTE_TYPES),
  match: MATCH.optional(),
};

/** A route of type simulator. */
const SIMULATOR_ROUTE = object({ ...ROUTE_BASE_KEYS, ...SIMULATOR_KEYS });

/**
 * The `routes` table: unique names (letters, digits, `-`, `_`), a known type, a valid match, and
 * each type's own keys (`types` gives the schemas of the types other than simulator, each
 * knowing `name`, `type` and `match` besides its own keys).
 */
export function routeTable(types: Readonly<Record<"http" | "smpp", z.ZodType>>) {
  const schemas: Readonly<Record<RouteType, z.ZodType>> = { simulator: SIMULATOR_ROUTE, ...types };
  const route = looseObject(ROUTE_BASE_KEYS).superRefine((r, ctx) => {
    const own = schemas[r.type].safeParse(r);
    if (!own.success) addIssues(ctx, own.error.issues);
  });
  return array(route).superRefine(unique("name"));
}

/** The `inbound` rules: `{ dest: pattern, account: system_id }` each. */
export const INBOUND = array(object({ dest: ADDRESS_PATTERN, account: text(15) }));
