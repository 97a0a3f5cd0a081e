/**
 * The admin API under `/v1` (bearer token): accounts, sessions, messages, the receipt outbox and
 * a status summary. JSON in and out; errors are `{ error, path? }` with 400/401/404/409.
 */
import { getLogger } from "@logtape/logtape";
import { type Context, Hono } from "hono";
import { AccountAdmin, AdminError } from "../accounts/admin.ts";
import type { Counters } from "../core/counters.ts";
import { VERSION } from "../core/version.ts";
import {
  type FinishedIn,
  messageTrace,
  messageView,
  outboxViews,
  recentMessages,
} from "../delivery/views.ts";
import type { SessionStats } from "../session/contract.ts";
import type { SessionState } from "../smpp/states.ts";
import type { Store } from "../store/store.ts";
import type { Route } from "../delivery/route.ts";

const log = getLogger(["smppgw", "http"]);

/** What the admin API needs of a bound session. */
export interface AdminSession {
  readonly id: number;
  readonly account: string;
  readonly state: SessionState;
  readonly remote: string;
  readonly stats: SessionStats;
  readonly window: number;
  unbind(): Promise<void>;
}

/** What the admin API works on. */
export interface AdminParts {
  accounts: AccountAdmin;
  sessions(): readonly AdminSession[];
  store: Store;
  finished: FinishedIn;
  /** The outboxes as held in memory (see the dispatcher's `outboxes()`). */
  outboxes(): readonly { account: string; depth: number; oldestAt: number; unloaded: boolean }[];
  counters: Counters;
  node: number;
  startedAt: number;
  /** Checks a bearer token. */
  verifyToken(token: string | null): Promise<boolean>;
  /** The gateway's routes, for `/status` (none listed when absent). */
  routes?: () => readonly Route[];
}

const BIND_TYPES: Partial<Record<SessionState, string>> = {
  BOUND_TX: "transmitter",
  BOUND_RX: "receiver",
  BOUND_TRX: "transceiver",
};

/** A session as the API shows it. */
function sessionView(s: AdminSession) {
  return {
    id: s.id,
    systemId: s.account,
    bindType: BIND_TYPES[s.state] ?? s.state.toLowerCase(),
    remote: s.remote,
    since: new Date(s.stats.boundAt).toISOString(),
    submitted: s.stats.submitted,
    receiptsSent: s.stats.delivered,
    window: s.window,
  };
}

/** The JSON body of a request, or an AdminError 400. */
async function body(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new AdminError(400, "body must be JSON");
  }
}

/** A whole number query parameter within bounds, or an AdminError 400 naming it. */
function intParam(c: Context, name: string, min: number, max: number): number | undefined {
  const v = c.req.query(name);
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new AdminError(400, `must be a whole number from ${min} to ${max}`, name);
  }
  return n;
}

/** A time query parameter: ms since the epoch, or an ISO 8601 date. */
function timeParam(c: Context, name: string): number | undefined {
  const v = c.req.query(name);
  if (v === undefined || v === "") return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (Number.isNaN(n)) throw new AdminError(400, "must be ms since the epoch or an ISO date", name);
  return n;
}

/**
 * The `/v1` app.
 *
 * @example
 * ```ts ignore
 * app.route("/v1", adminApp(parts));
 * ```
 */
export function adminApp(p: AdminParts): Hono {
  const app = new Hono();
  app.use("*", async (c, next) => {
    const auth = c.req.header("authorization");
    const token = auth?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim() ?? null;
    if (!(await p.verifyToken(token))) {
      return c.json({ error: "missing or wrong bearer token", path: "Authorization" }, 401);
    }
    await next();
  });
  app.onError((e, c) => {
    if (e instanceof AdminError) {
      return c.json(e.path ? { error: e.message, path: e.path } : { error: e.message }, e.status);
    }
    throw e;
  });

  app.get("/accounts", async (c) => c.json(await p.accounts.list()));
  app.get("/accounts/:id", async (c) => c.json(await p.accounts.get(c.req.param("id"))));
  app.post("/accounts", async (c) => c.json(await p.accounts.create(await body(c)), 201));
  app.patch(
    "/accounts/:id",
    async (c) => c.json(await p.accounts.update(c.req.param("id"), await body(c))),
  );
  app.delete("/accounts/:id", async (c) => {
    await p.accounts.remove(c.req.param("id"));
    return c.body(null, 204);
  });

  app.get("/sessions", (c) => c.json(p.sessions().map(sessionView)));
  app.delete("/sessions/:id", (c) => {
    const id = Number(c.req.param("id"));
    const s = p.sessions().find((s) => s.id === id);
    if (!s) throw new AdminError(404, `no session ${c.req.param("id")}`, "id");
    // unbind, then close: the answer does not wait for the client's unbind_resp.
    s.unbind().catch((e) =>
      log.error("unbinding session {id} failed: {error}", { id, error: String(e) })
    );
    return c.body(null, 204);
  });

  app.get("/messages/:id/trace", async (c) => {
    const t = await messageTrace(p.store, c.req.param("id"), p.finished);
    if (!t) throw new AdminError(404, `no message ${c.req.param("id")}`, "id");
    return c.json(t);
  });
  app.get("/messages/:id", async (c) => {
    const m = await messageView(p.store, c.req.param("id"), p.finished);
    if (!m) throw new AdminError(404, `no message ${c.req.param("id")}`, "id");
    return c.json(m);
  });
  app.get("/messages", async (c) =>
    c.json(
      await recentMessages(p.store, {
        account: c.req.query("account") || undefined,
        since: timeParam(c, "since"),
        limit: intParam(c, "limit", 1, 1000) ?? 100,
      }, p.finished),
    ));

  // From memory (cheap enough to poll); `?exact=1` reads every outbox page in KV instead.
  app.get("/receipts", async (c) => {
    if (c.req.query("exact") === "1") return c.json(await outboxViews(p.store, p.finished));
    const now = Date.now();
    return c.json(
      p.outboxes().filter((o) => o.depth > 0 || o.unloaded).map((o) => ({
        account: o.account,
        depth: o.depth,
        oldestAgeMs: Number.isFinite(o.oldestAt) ? now - o.oldestAt : null,
        ...(o.unloaded ? { unloaded: true } : {}),
      })),
    );
  });
  app.get("/status", (c) =>
    c.json({
      version: VERSION,
      uptimeSec: Math.round((Date.now() - p.startedAt) / 1000),
      node: p.node,
      sessions: p.sessions().length,
      counters: p.counters,
      routes: (p.routes?.() ?? []).map((r) => ({
        name: r.name,
        mode: r.mode ?? "parts",
        callbacks: r.callback !== undefined,
      })),
    }));
  return app;
}
