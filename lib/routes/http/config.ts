/** Config of an HTTP route: where and how each message is sent, and how receipts and MO come back. */
import { z } from "zod";
import { dict, number, object, oneOf, parse, required, text, whole } from "../../core/schema.ts";
import { type Stat, STAT_STATES } from "../../store/records.ts";
import { RETRY, type RetryPolicy } from "../retry.ts";
import { templateProblems } from "./template.ts";

/** How the params are sent: a JSON object, a form body, or the query string. */
export type HttpFormat = "json" | "form" | "query";

/** The `dlr` part: field names of receipt callbacks and how their status maps to a stat. */
export interface DlrConfig {
  /** Callbacks must carry it (`Authorization: Bearer …` or `?token=`): nobody else may post. */
  token: string;
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
  /** Callbacks must carry it (`Authorization: Bearer …` or `?token=`): nobody else may post. */
  token: string;
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
  /** Request fields, each a template with {id}, {dest}, {source}, {text}, {tlv.NAME}, {tlvs}, … */
  params: Record<string, string>;
  /** Dotted path of the provider's id in a JSON reply. */
  providerId?: string;
  /** A request without an answer by then is retried. */
  timeoutMs: number;
  /** Requests per second at most; 0 = unlimited. */
  tps: number;
  /** Requests in flight at most. */
  concurrency: number;
  /**
   * "join" (default): the parts of a concatenated message are joined first and sent in one
   * request with the whole text; "parts": each part is a request of its own (`{hex}` and
   * `{esmClass}` carry its UDH).
   */
  concat: "join" | "parts";
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
  concat: "join",
} as const;

const STATS = Object.keys(STAT_STATES) as Stat[];

/** A provider's status value → a receipt stat. */
const STAT = z.enum(STATS, {
  error: (iss) =>
    typeof iss.input === "string" ? `must be one of ${STATS.join(", ")}` : "must be a string",
});
const STRINGS = dict(z.string({ error: "must be a string" }));
/** Request fields: templates whose `{tlv.…}` placeholders name a TLV a route gets. */
const PARAMS = dict(
  z.string({ error: "must be a string" }).superRefine((t, ctx) => {
    for (const message of templateProblems(t)) ctx.addIssue({ code: "custom", message });
  }),
);
/** A field name of a callback. */
const FIELD = text(100);
const TOKEN_ERROR = "must be a string, not empty";
/** What a callback must carry. */
const TOKEN = required(
  z.string({ error: TOKEN_ERROR }).min(1, { error: TOKEN_ERROR, abort: true }),
);
const URL_ERROR = "must be an http(s) URL";

/** The `dlr` key. */
const DLR = object({
  token: TOKEN,
  id: required(FIELD),
  status: required(FIELD),
  err: FIELD.optional(),
  stat: required(dict(STAT)),
});

/** The `mo` key. */
const MO = object({
  token: TOKEN,
  from: required(FIELD),
  to: required(FIELD),
  text: required(FIELD),
});

const D = HTTP_ROUTE_DEFAULTS;

/** One HTTP route's keys, with their checks and defaults; `type` and `match` are dropped. */
export const HTTP_ROUTE = object({
  // The router's keys, kept as given: the routes table checks them.
  name: z.unknown().optional().transform((name) => name as string),
  type: z.custom<"http">().optional(),
  match: z.unknown().optional(),
  url: required(
    z.string({ error: URL_ERROR }).refine(
      (u) => /^https?:\/\/[^\s]+$/.test(u) && URL.canParse(u),
      { error: URL_ERROR, abort: true },
    ),
  ),
  method: oneOf(["GET", "POST", "PUT"], "must be GET, POST or PUT").default(D.method),
  format: oneOf(["json", "form", "query"], "must be json, form or query").optional(),
  headers: STRINGS.default(() => ({})),
  params: PARAMS.default(() => ({})),
  providerId: FIELD.optional(),
  timeoutMs: number(10, 600_000).default(D.timeoutMs),
  tps: number(0, 1_000_000).default(D.tps),
  concurrency: whole(1, 1000).default(D.concurrency),
  concat: oneOf(["join", "parts"], "must be join or parts").default(D.concat),
  retry: RETRY,
  dlr: DLR.optional(),
  mo: MO.optional(),
}).superRefine((r, ctx) => {
  if (r.method === "GET" && r.format !== undefined && r.format !== "query") {
    ctx.addIssue({
      code: "custom",
      path: ["format"],
      message: 'a GET sends its params as "query"',
    });
  }
}).transform(({ type: _type, match: _match, ...r }): HttpRouteConfig => ({
  ...r,
  format: r.format ?? (r.method === "GET" ? "query" : D.format),
}));

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
  return parse(HTTP_ROUTE, v, path);
}
