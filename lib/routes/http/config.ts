/** Config of an HTTP route: where and how each message is sent, and how receipts and MO come back. */
import {
  ConfigError,
  integer,
  known,
  num,
  type Obj,
  obj,
  required,
  str,
} from "../../core/validate.ts";
import { type Stat, STAT_STATES } from "../../store/records.ts";
import { parseRetry, type RetryPolicy } from "../retry.ts";

/** How the params are sent: a JSON object, a form body, or the query string. */
export type HttpFormat = "json" | "form" | "query";

/** The `dlr` part: field names of receipt callbacks and how their status maps to a stat. */
export interface DlrConfig {
  /** Callbacks must carry it (`Authorization: Bearer …` or `?token=`); anyone may call without. */
  token?: string;
  /** Field holding our id or the provider's id. */
  id: string;
  /** Field whose value `stat` maps to a receipt stat. */
  status: string;
  /** Field holding the error code (optional). */
  err?: string;
  /** Provider status value → receipt stat. */
  stat: Record<string, Stat>;
}

/** The `mo` part: field names of inbound-message callbacks. */
export interface MoConfig {
  /** Callbacks must carry it (`Authorization: Bearer …` or `?token=`); anyone may call without. */
  token?: string;
  /** Field holding the sender. */
  from: string;
  /** Field holding the number it was sent to (matched against `inbound`). */
  to: string;
  /** Field holding the text. */
  text: string;
}

/** One HTTP route, as parsed (defaults filled in). Times in ms. */
export interface HttpRouteConfig {
  /** The route's name. */
  name: string;
  /** Where each message is sent. */
  url: string;
  /** GET, POST (default) or PUT. */
  method: string;
  /** How the params are sent (default json; GET: query). */
  format: HttpFormat;
  /** Sent with every request, as given. */
  headers: Record<string, string>;
  /** Request fields, each a template with {id}, {dest}, {source}, {text}, … */
  params: Record<string, string>;
  /** Dotted path of the provider's id in a JSON reply. */
  providerId?: string;
  /** A request without an answer by then is retried. */
  timeoutMs: number;
  /** Requests per second at most; 0 = unlimited. */
  tps: number;
  /** Requests in flight at most. */
  concurrency: number;
  /** Backoff of temporary failures. */
  retry: RetryPolicy;
  /** Receipt callbacks; without them a 2xx settles the message ACCEPTD. */
  dlr?: DlrConfig;
  /** Inbound-message callbacks. */
  mo?: MoConfig;
}

/** Defaults of the optional keys of an HTTP route. */
export const HTTP_ROUTE_DEFAULTS = {
  method: "POST",
  format: "json",
  timeoutMs: 10_000,
  tps: 0,
  concurrency: 10,
} as const;

const KEYS = [
  "name",
  "type",
  "match",
  "url",
  "method",
  "format",
  "headers",
  "params",
  "providerId",
  "timeoutMs",
  "tps",
  "concurrency",
  "retry",
  "dlr",
  "mo",
];

const STATS = Object.keys(STAT_STATES);

/** An object of strings at `path`. */
function strings(v: unknown, path: string): Record<string, string> {
  const o = obj(v, path);
  for (const [k, x] of Object.entries(o)) {
    if (typeof x !== "string") throw new ConfigError(`${path}.${k}: must be a string`);
  }
  return o as Record<string, string>;
}

function field(o: Obj, key: string, p: string, needed: boolean): void {
  if (needed) required(o, key, p);
  str(o, key, p, 100);
}

function token(o: Obj, p: string): void {
  if (o.token !== undefined && (typeof o.token !== "string" || o.token === "")) {
    throw new ConfigError(`${p}token: must be a string, not empty`);
  }
}

function parseDlr(v: unknown, path: string): DlrConfig {
  const o = obj(v, path);
  known(o, path, ["token", "id", "status", "err", "stat"]);
  const p = `${path}.`;
  token(o, p);
  field(o, "id", p, true);
  field(o, "status", p, true);
  field(o, "err", p, false);
  required(o, "stat", p);
  const stat = strings(o.stat, `${path}.stat`);
  for (const [k, s] of Object.entries(stat)) {
    if (!STATS.includes(s)) {
      throw new ConfigError(`${p}stat.${k}: must be one of ${STATS.join(", ")}`);
    }
  }
  return o as unknown as DlrConfig;
}

function parseMo(v: unknown, path: string): MoConfig {
  const o = obj(v, path);
  known(o, path, ["token", "from", "to", "text"]);
  const p = `${path}.`;
  token(o, p);
  for (const k of ["from", "to", "text"]) field(o, k, p, true);
  return o as unknown as MoConfig;
}

/**
 * Checks one HTTP route of the config and fills in its defaults; a ConfigError names the key
 * (`path` is the route's own, e.g. "routes[0]"). `name`, `type` and `match` are the router's.
 *
 * @example
 * ```ts
 * import { parseHttpRoute } from "./config.ts";
 * const c = parseHttpRoute({ name: "uk", url: "http://127.0.0.1:9000/send" }, "routes[0]");
 * console.log(c.method, c.format, c.concurrency); // "POST" "json" 10
 * ```
 */
export function parseHttpRoute(v: unknown, path: string): HttpRouteConfig {
  const o = obj(v, path);
  known(o, path, KEYS);
  const p = `${path}.`;
  required(o, "url", p);
  if (typeof o.url !== "string" || !/^https?:\/\/[^\s]+$/.test(o.url) || !URL.canParse(o.url)) {
    throw new ConfigError(`${p}url: must be an http(s) URL`);
  }
  if (o.method !== undefined && !["GET", "POST", "PUT"].includes(o.method as string)) {
    throw new ConfigError(`${p}method: must be GET, POST or PUT`);
  }
  if (o.format !== undefined && !["json", "form", "query"].includes(o.format as string)) {
    throw new ConfigError(`${p}format: must be json, form or query`);
  }
  if (o.method === "GET" && o.format !== undefined && o.format !== "query") {
    throw new ConfigError(`${p}format: a GET sends its params as "query"`);
  }
  field(o, "providerId", p, false);
  num(o, "timeoutMs", p, 10, 600_000);
  num(o, "tps", p, 0, 1_000_000);
  num(o, "concurrency", p, 1, 1000);
  integer(o, "concurrency", p);
  const d = HTTP_ROUTE_DEFAULTS;
  return {
    name: o.name as string,
    url: o.url,
    method: (o.method as string | undefined) ?? d.method,
    format: (o.format as HttpFormat | undefined) ?? (o.method === "GET" ? "query" : d.format),
    headers: o.headers === undefined ? {} : strings(o.headers, `${p}headers`),
    params: o.params === undefined ? {} : strings(o.params, `${p}params`),
    ...(o.providerId === undefined ? {} : { providerId: o.providerId as string }),
    timeoutMs: (o.timeoutMs as number | undefined) ?? d.timeoutMs,
    tps: (o.tps as number | undefined) ?? d.tps,
    concurrency: (o.concurrency as number | undefined) ?? d.concurrency,
    retry: parseRetry(o.retry, `${p}retry`),
    ...(o.dlr === undefined ? {} : { dlr: parseDlr(o.dlr, `${p}dlr`) }),
    ...(o.mo === undefined ? {} : { mo: parseMo(o.mo, `${p}mo`) }),
  };
}
