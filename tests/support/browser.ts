/**
 * A real headless Chromium for page tests (tests only): npm:playwright-core drives the system's
 * Chromium (Debian's `/usr/bin/chromium`; `CHROMIUM_PATH` overrides). Without it the launch fails
 * saying how to install it; CI (`.ci/run`) installs it first.
 */
import { type Browser, chromium } from "playwright-core";

/** Where the Chromium binary is expected. */
export const CHROMIUM_PATH: string = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

/** A launched browser, closed by `await using`. */
export interface TestBrowser extends AsyncDisposable {
  browser: Browser;
}

/**
 * Launches headless Chromium from `path`; rejects with install instructions when it is missing.
 *
 * @example
 * ```ts ignore
 * await using b = await launchBrowser();
 * const page = await b.browser.newPage();
 * ```
 */
export async function launchBrowser(path: string = CHROMIUM_PATH): Promise<TestBrowser> {
  try {
    await Deno.stat(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    throw new Error(
      `Chromium is not installed (no ${path}); the status page test needs it. Install it with ` +
        "`apt-get update && apt-get install -y chromium` (CI's .ci/run does), or point " +
        "CHROMIUM_PATH at a Chromium binary.",
    );
  }
  const browser = await chromium.launch({
    executablePath: path,
    args: ["--no-sandbox"],
    timeout: 30_000,
  });
  return { browser, [Symbol.asyncDispose]: () => browser.close() };
}
