/**
 * The live status page served at `GET /`: one self-contained HTML document (stylesheet and script
 * inline, no build step, no files read at run time, no external requests), so it also works from a
 * compiled binary. It reads the admin API with the token the operator types in.
 */
import { pageMarkup } from "./page_markup.ts";
import { PAGE_SCRIPT } from "./page_script.ts";
import { PAGE_STYLE } from "./page_style.ts";

/** The status page's HTML. */
export const STATUS_PAGE_HTML: string = pageMarkup(PAGE_STYLE, PAGE_SCRIPT);

/** The CSP source expression of `text`: `'sha256-<base64>'`. */
async function hashSource(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return `'sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}'`;
}

let csp: Promise<string> | undefined;

/**
 * The page's Content-Security-Policy: only its own inline script and stylesheet (by hash), fetches
 * to the same origin, nothing else (no frames, no form posts, no other scripts or images).
 */
export function statusPageCsp(): Promise<string> {
  csp ??= Promise.all([hashSource(PAGE_SCRIPT), hashSource(PAGE_STYLE)]).then(([js, css]) =>
    [
      "default-src 'none'",
      `script-src ${js}`,
      `style-src ${css}`,
      "connect-src 'self'",
      "img-src data:",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join("; ")
  );
  return csp;
}

/**
 * The response to `GET /`: the page, `text/html; charset=utf-8`, with its CSP and no caching.
 *
 * @example
 * ```ts
 * import { statusPage } from "./page.ts";
 * const res = await statusPage();
 * console.log(res.headers.get("content-type")); // text/html; charset=utf-8
 * ```
 */
export async function statusPage(): Promise<Response> {
  return new Response(STATUS_PAGE_HTML, {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": await statusPageCsp(),
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    },
  });
}
