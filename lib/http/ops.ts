/**
 * Operating endpoints, without auth: `GET /healthz` (200 `{"status":"ok"}`, else 503
 * `{"status":"unhealthy","error":...}`) and `GET /metrics` (Prometheus text format 0.0.4).
 *
 * ```ts
 * import { Hono } from "hono";
 * import { opsRoutes } from "./ops.ts";
 * const app = new Hono();
 * opsRoutes(app, {
 *   health: () => Promise.resolve({ status: "ok" }),
 *   metrics: () => "# nothing yet\n",
 * });
 * const res = await app.fetch(new Request("http://x/healthz"));
 * console.log(res.status, await res.json()); // 200 { status: "ok" }
 * ```
 */
import type { Hono } from "hono";
import { EXPOSITION_CONTENT_TYPE } from "../core/exposition.ts";
import type { Health } from "../store/health.ts";

/** What the operating endpoints read. */
export interface OpsParts {
  /** The health check (see `Gateway.health()`). */
  health: () => Promise<Health>;
  /** The metrics exposition, computed at each scrape. */
  metrics: () => string;
}

/** Adds `GET /healthz` and `GET /metrics` to `app`. */
export function opsRoutes(app: Hono, parts: OpsParts): void {
  app.get("/healthz", async (c) => {
    const health = await parts.health();
    return c.json(health, health.status === "ok" ? 200 : 503);
  });
  app.get("/metrics", (c) => {
    return c.body(parts.metrics(), 200, { "content-type": EXPOSITION_CONTENT_TYPE });
  });
}
