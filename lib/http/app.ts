/**
 * The gateway's HTTP app (web-standard `fetch` handler, npm:hono): route callbacks for receipts
 * and inbound messages, and the health check. Runtime adapters serve it (`lib/deno.ts`).
 */
import { getLogger } from "@logtape/logtape";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Route } from "../delivery/route.ts";
import { CallbackError, readCallback } from "./callbacks.ts";
import { adminApp, type AdminParts } from "./admin.ts";
import { statusPage } from "./page.ts";
import { type OpsParts, opsRoutes } from "./ops.ts";

/** Largest request body the app reads (callbacks and admin requests). */
export const MAX_BODY = 64 * 1024;

/** What the app serves. */
export interface HttpAppParts {
  /** The gateway's routes, by name. */
  routes: () => readonly Route[];
  /** The admin API under `/v1` (off when absent). */
  admin?: AdminParts;
  /** `GET /healthz` and `GET /metrics`, without auth (off when absent). */
  ops?: OpsParts;
}

/**
 * The app: `POST|GET /routes/{name}/dlr` and `/routes/{name}/mo` hand the parsed request to the
 * route's `callback`; errors are JSON `{ error, path? }`.
 *
 * @example
 * ```ts
 * import { httpApp } from "./app.ts";
 * const app = httpApp({ routes: () => [] });
 * const res = await app.fetch(new Request("http://x/routes/none/dlr", { method: "POST" }));
 * console.log(res.status); // 404
 * ```
 */
export function httpApp(parts: HttpAppParts): Hono {
  const app = new Hono();
  // Callback and admin bodies are small: a larger one is refused before it is read.
  for (const path of ["/routes/*", "/v1/*"]) {
    app.use(
      path,
      bodyLimit({
        maxSize: MAX_BODY,
        onError: (c) => c.json({ error: `body too large (${MAX_BODY} bytes at most)` }, 413),
      }),
    );
  }
  for (const kind of ["dlr", "mo"] as const) {
    app.on(["GET", "POST"], `/routes/:name/${kind}`, async (c) => {
      const name = c.req.param("name");
      const route = parts.routes().find((r) => r.name === name);
      if (!route?.callback) {
        return c.json({
          error: route ? `route ${name} takes no callbacks` : `no route named ${name}`,
          path: "name",
        }, 404);
      }
      let req;
      try {
        req = await readCallback(c.req.raw);
      } catch (e) {
        if (e instanceof CallbackError) return c.json({ error: e.message }, 400);
        throw e;
      }
      const answer = await route.callback(kind, req);
      return c.json(answer.body, answer.status as 200);
    });
  }
  if (parts.ops) opsRoutes(app, parts.ops);
  app.get("/", () => statusPage());
  if (parts.admin) app.route("/v1", adminApp({ routes: parts.routes, ...parts.admin }));
  app.notFound((c) => c.json({ error: `no such endpoint: ${c.req.method} ${c.req.path}` }, 404));
  app.onError((e, c) => {
    getLogger(["smppgw", "http"]).error("{method} {path} failed: {error}", {
      method: c.req.method,
      path: c.req.path,
      error: String(e),
    });
    return c.json({ error: `internal error: ${e.message}` }, 500);
  });
  return app;
}
