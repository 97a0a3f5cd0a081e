/**
 * An HTTP route's callbacks: receipts (`/routes/{name}/dlr`) and inbound messages
 * (`/routes/{name}/mo`), authorised by the route's token and read with its field names.
 */
import type { CallbackAnswer, CallbackRequest, RouteHost } from "../../delivery/route.ts";
import { sameSecret } from "../../accounts/password.ts";
import type { DlrConfig, MoConfig } from "./config.ts";

const answer = (status: number, body: Record<string, unknown>): CallbackAnswer => ({
  status,
  body,
});

/** 401 unless the request carries the configured token (none configured: anyone may call). */
async function unauthorised(token: string | undefined, req: CallbackRequest) {
  if (token === undefined) return null;
  if (req.token !== null && await sameSecret(req.token, token)) return null;
  return answer(401, { error: "bad or missing token" });
}

/** The value of a required field, or the 400 answer naming it. */
function need(req: CallbackRequest, name: string): string | CallbackAnswer {
  const v = req.fields[name];
  return v === undefined || v === "" ? answer(400, { error: "missing field", path: name }) : v;
}

/**
 * A receipt callback: finds the message by our id or the provider's, maps the status to a stat.
 * 200 `{status:"ok"}` (or `"ignored"` for a repeat), 400 naming a bad field, 401, 404 (503 while
 * `busy()`: requests in flight, so the id may be one whose hand-over is not stored yet).
 */
export async function dlrCallback(
  name: string,
  dlr: DlrConfig | undefined,
  host: RouteHost | undefined,
  req: CallbackRequest,
  busy: () => boolean = () => false,
): Promise<CallbackAnswer> {
  if (!dlr) return answer(404, { error: `route ${name} takes no receipts` });
  const denied = await unauthorised(dlr.token, req);
  if (denied) return denied;
  if (!host) return answer(503, { error: `route ${name} is not started` });
  const id = need(req, dlr.id);
  if (typeof id !== "string") return id;
  const status = need(req, dlr.status);
  if (typeof status !== "string") return status;
  const stat = Object.hasOwn(dlr.stat, status) ? dlr.stat[status] : undefined;
  if (!stat) {
    return answer(400, {
      error: `unknown status "${status}" (expected one of ${Object.keys(dlr.stat).join(", ")})`,
      path: dlr.status,
    });
  }
  let err = "000";
  const rawErr = dlr.err === undefined ? undefined : req.fields[dlr.err];
  if (rawErr !== undefined && rawErr !== "") {
    if (!/^\d{1,3}$/.test(rawErr)) {
      return answer(400, { error: "must be 1 to 3 digits", path: dlr.err });
    }
    err = rawErr.padStart(3, "0");
  }
  const result = await host.receipt({ id, providerId: id, stat, err });
  if (result === "unknown") {
    return busy()
      ? answer(503, { error: "unknown message (yet): try again", path: dlr.id })
      : answer(404, { error: "unknown message", path: dlr.id });
  }
  return answer(200, { status: result === "repeat" ? "ignored" : "ok" });
}

/** An inbound-message callback: 200, 400 naming a missing field, 401, 404 with no inbound rule. */
export async function moCallback(
  name: string,
  mo: MoConfig | undefined,
  host: RouteHost | undefined,
  req: CallbackRequest,
): Promise<CallbackAnswer> {
  if (!mo) return answer(404, { error: `route ${name} takes no inbound messages` });
  const denied = await unauthorised(mo.token, req);
  if (denied) return denied;
  if (!host) return answer(503, { error: `route ${name} is not started` });
  const source = need(req, mo.from);
  if (typeof source !== "string") return source;
  const dest = need(req, mo.to);
  if (typeof dest !== "string") return dest;
  const text = req.fields[mo.text];
  if (text === undefined) return answer(400, { error: "missing field", path: mo.text });
  const result = await host.inbound({ source, dest, text });
  if (result === "no-rule") {
    return answer(404, { error: `no inbound rule for ${dest}`, path: mo.to });
  }
  return answer(200, { status: "ok" });
}
