/**
 * Reading a provider's callback request: its fields from the query string and a JSON or form
 * body (values as strings), and its token from `Authorization: Bearer …` or `?token=`.
 */
import type { CallbackRequest } from "../delivery/route.ts";
import { parseJson } from "../core/json.ts";

/** The callback body could not be read; the message says why (answered 400). */
export class CallbackError extends Error {
  /** A bad callback request; `message` says what is wrong. */
  constructor(message: string) {
    super(message);
    this.name = "CallbackError";
  }
}

/** A field value as a string: numbers and booleans as written, objects as JSON. */
function text(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null || v === undefined) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/**
 * The fields and token of a callback request. Query parameters come first; body fields (JSON
 * object, or `application/x-www-form-urlencoded` / `multipart/form-data`) override them.
 * Throws {@link CallbackError} on a body that is not valid JSON or not an object.
 *
 * @example
 * ```ts
 * import { readCallback } from "./callbacks.ts";
 * const req = new Request("http://x/routes/uk/dlr?token=T", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify({ ref: 42, status: "delivered" }),
 * });
 * const { fields, token } = await readCallback(req);
 * console.log(fields.ref, fields.status, token); // "42" "delivered" "T"
 * ```
 */
export async function readCallback(req: Request): Promise<CallbackRequest> {
  const url = new URL(req.url);
  const fields: Record<string, string> = {};
  for (const [k, v] of url.searchParams) if (k !== "token") fields[k] = v;
  const type = (req.headers.get("content-type") ?? "").toLowerCase();
  if (req.method !== "GET" && req.method !== "HEAD" && req.body !== null) {
    if (type.includes("application/json")) {
      let body: unknown;
      try {
        body = parseJson(await req.text());
      } catch (e) {
        throw new CallbackError(`body is not valid JSON: ${(e as Error).message}`);
      }
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        throw new CallbackError("body must be a JSON object");
      }
      for (const [k, v] of Object.entries(body)) fields[k] = text(v);
    } else if (
      type.includes("application/x-www-form-urlencoded") || type.includes("multipart/form-data")
    ) {
      const form = await req.formData();
      for (const [k, v] of form) if (typeof v === "string") fields[k] = v;
    } else {
      const raw = await req.text();
      if (raw.trim() !== "") {
        throw new CallbackError(
          `unsupported content-type "${type}" (send JSON, a form, or query parameters)`,
        );
      }
    }
  }
  const auth = req.headers.get("authorization");
  const bearer = auth?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  return { fields, token: bearer ?? url.searchParams.get("token") };
}
