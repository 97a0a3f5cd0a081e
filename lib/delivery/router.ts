/** Routing: the first route whose `match` fits a message's destination and account takes it. */
import type { Route } from "./route.ts";

/** Which messages a route takes; an empty match takes every message. */
export interface RouteMatch {
  /** Regular expression over destination_addr (unanchored: use ^ and $ as needed). */
  dest?: string;
  /** system_ids whose messages it takes (all when absent). */
  accounts?: readonly string[];
}

/** A route with its match, in routing order. */
export interface RoutingEntry {
  /** The route. */
  route: Route;
  /** Which messages it takes (every message when absent). */
  match?: RouteMatch;
}

/**
 * Picks the route of each message: the first entry whose match fits, in order.
 *
 * @example
 * ```ts
 * import { Router } from "./router.ts";
 * import { simulatorRoute } from "./simulator.ts";
 * const router = new Router([{ route: simulatorRoute(), match: { dest: "^44" } }]);
 * console.log(router.pick("acme", "447700900123")?.name); // "simulator"
 * console.log(router.pick("acme", "33612345678")); // null
 * ```
 */
export class Router {
  /** The routes, in routing order. */
  readonly routes: readonly Route[];
  readonly #rules: { route: Route; dest?: RegExp; accounts?: ReadonlySet<string> }[];

  /** Throws when two routes share a name or a pattern does not compile. */
  constructor(entries: readonly RoutingEntry[]) {
    const names = new Set<string>();
    for (const { route } of entries) {
      if (names.has(route.name)) throw new Error(`two routes are named "${route.name}"`);
      names.add(route.name);
    }
    this.routes = entries.map((e) => e.route);
    this.#rules = entries.map(({ route, match }) => ({
      route,
      dest: match?.dest !== undefined ? new RegExp(match.dest) : undefined,
      accounts: match?.accounts ? new Set(match.accounts) : undefined,
    }));
  }

  /** The route for a message of `account` to `dest`, or null when none matches. */
  pick(account: string, dest: string): Route | null {
    for (const r of this.#rules) {
      if (r.accounts && !r.accounts.has(account)) continue;
      if (r.dest && !r.dest.test(dest)) continue;
      return r.route;
    }
    return null;
  }

  /** The route named `name`, or undefined. */
  byName(name: string): Route | undefined {
    return this.routes.find((r) => r.name === name);
  }
}
