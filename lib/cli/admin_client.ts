/** A small client of the gateway's admin API for the command line (account, trace). */
import { ExitError } from "./errors.ts";

/**
 * Calls `method path` (under `/v1`) of the admin API at `url` with the bearer `token`; resolves
 * the JSON answer. A refused request or an unreachable gateway throws an ExitError (code 1) with
 * one line: the status, the error and the field it names.
 */
export async function adminRequest<T>(
  o: { url: string; token: string; fetch: typeof fetch },
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  let res: Response;
  try {
    res = await o.fetch(`${o.url.replace(/\/$/, "")}/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${o.token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ExitError(`cannot reach ${o.url}: ${(e as Error).message}`, 1);
  }
  const text = await res.text();
  let json: { error?: string; path?: string } | null = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    if (res.ok) throw new ExitError(`${o.url} answered something that is not JSON`, 1);
  }
  if (!res.ok) {
    const where = json?.path ? ` (${json.path})` : "";
    throw new ExitError(`${res.status}: ${json?.error ?? res.statusText}${where}`, 1);
  }
  return json as T;
}
