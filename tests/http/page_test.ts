/** The status page at `GET /`, in a real headless Chromium against a real gateway and SMPP client. */
import assert from "node:assert/strict";
import { ACCOUNT, TestClient, testGateway } from "../support/client.ts";
import { launchBrowser } from "../support/browser.ts";

const TOKEN = "page-admin-token-0123456789";
const WAIT_MS = 10_000;
/** The README's screenshot is rewritten only when asked (SMPPGW_SCREENSHOT=1); else a temp file. */
const SCREENSHOT = Deno.env.get("SMPPGW_SCREENSHOT") === "1"
  ? new URL("../../docs/status-page.png", import.meta.url).pathname
  : `${Deno.makeTempDirSync()}/status-page.png`;

Deno.test("GET / serves the self-contained page as HTML with a CSP that allows only itself", async () => {
  await using gw = await testGateway({ http: { port: 0, adminToken: TOKEN } });
  const res = await fetch(`http://127.0.0.1:${gw.httpAddr!.port}/`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
  const csp = res.headers.get("content-security-policy") ?? "";
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/=]+'/);
  assert.match(csp, /connect-src 'self'/);
  assert.doesNotMatch(csp, /unsafe/);
  const html = await res.text();
  assert.match(html, /^<!doctype html>/);
  assert.doesNotMatch(html, /(src|href)=["']?(https?:)?\/\//, "no external requests");
});

Deno.test("launching the browser without Chromium fails saying how to install it", async () => {
  await assert.rejects(
    launchBrowser("/nonexistent/chromium"),
    /Chromium is not installed .*apt-get install -y chromium/,
  );
});

Deno.test("the status page asks for the token, shows sessions, rates, outbox, routes and traces", async () => {
  await using gw = await testGateway({ http: { port: 0, adminToken: TOKEN } });
  const base = `http://127.0.0.1:${gw.httpAddr!.port}`;
  await using b = await launchBrowser();
  const context = await b.browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const problems: string[] = [];
  const requests: string[] = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(`${base}/`);

  // A wrong token is refused and asked for again.
  await page.locator("#token").fill("not-the-token");
  await page.locator("#login-form button").click();
  await page.locator("#login-error", { hasText: "Wrong token" }).waitFor();
  assert.equal(await page.locator("#status").isVisible(), false);

  // The right one opens the page and stays in sessionStorage: a reload does not ask again.
  await page.locator("#token").fill(TOKEN);
  await page.locator("#login-form button").click();
  await page.locator("#sessions td", { hasText: "No open sessions" }).waitFor();
  await page.reload();
  await page.locator("#submitted", { hasText: /^0$/ }).waitFor();
  assert.equal(await page.locator("#login").isVisible(), false);
  assert.equal(await page.evaluate(() => sessionStorage.getItem("smppgw.adminToken")), TOKEN);
  await page.locator("#version", { hasText: /\d/ }).waitFor();
  await page.locator("#routes td", { hasText: "simulator" }).waitFor();

  // A bound session submitting moves the session list, the counters and the rate chart.
  const c = await TestClient.connect(gw.addr.port);
  try {
    assert.equal((await c.bind(ACCOUNT.systemId, ACCOUNT.password, "transceiver")).status, 0);
    const ids: string[] = [];
    for (const text of ["hello", "status", "page"]) {
      ids.push((await c.submit(text)).body.message_id as string);
    }
    for (let i = 0; i < ids.length; i++) await c.next();
    const row = page.locator("#sessions tbody tr", { hasText: ACCOUNT.systemId });
    await row.filter({ hasText: "transceiver" }).filter({ hasText: "127.0.0.1" }).waitFor();
    await page.locator("#submitted", { hasText: /^3$/ }).waitFor();
    await page.locator("#receipts-sent", { hasText: /^3$/ }).waitFor();
    // The peak rate leaves 0.0 once a sample after the submits is compared with one before.
    await page.locator("#submit-peak", { hasText: /^(?!0\.0$)\d/ }).waitFor();
    assert.ok(Number(await page.locator("#submit-peak").textContent()) > 0);
    // ... and the current rate falls back to 0.0 at the next sample without submits.
    await page.locator("#submit-rate", { hasText: /^0\.0$/ }).waitFor();
    assert.deepEqual(
      await row.locator("td.num").allTextContents(),
      ["3", "3"],
      "the session's submitted and receipts columns",
    );

    // The lookup says when a message is unknown, and shows a known one with its trace.
    await page.locator("#lookup-id").fill("nope");
    await page.locator("#lookup-form button").click();
    await page.locator("#lookup", { hasText: "No message nope" }).waitFor();
    await page.locator("#lookup-id").fill(ids[0]);
    await page.locator("#lookup-form button").click();
    await page.locator("#trace").waitFor();
    const shown = await page.locator("#lookup .message").textContent();
    assert.match(shown ?? "", new RegExp(ids[0]));
    assert.match(shown ?? "", /DELIVERED \(DELIVRD, err 000\)/);
    const events = await page.locator("#trace tbody tr td:nth-child(2)").allTextContents();
    for (const e of ["received", "routed", "final", "receipt queued", "receipt acknowledged"]) {
      assert.ok(events.includes(e), `the trace shows "${e}" (got ${events.join(", ")})`);
    }

    await Deno.mkdir(SCREENSHOT.slice(0, SCREENSHOT.lastIndexOf("/")), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
  } finally {
    c.close();
  }
  assert.deepEqual(problems, [], "no script errors or CSP violations");
  const foreign = requests.filter((u) => !u.startsWith(`${base}/`) && !u.startsWith("data:"));
  assert.deepEqual(foreign, [], "the page asks nothing of other origins");
});
