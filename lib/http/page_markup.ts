/** The status page's HTML skeleton; the script fills it from the admin API (see `page.ts`). */

/** The body of the status page: a token form, and the status sections (hidden until signed in). */
const BODY = `
<header>
  <h1>smppgw</h1>
  <span id="about"></span>
  <span class="grow"></span>
  <span id="updated" role="status"></span>
  <button id="forget" type="button" hidden>Forget token</button>
</header>
<section id="login" hidden>
  <h2>Admin token</h2>
  <form id="login-form">
    <input id="token" type="password" autocomplete="off" required
      placeholder="the admin API token (Authorization: Bearer ...)" aria-label="Admin token">
    <button type="submit">Open</button>
  </form>
  <p id="login-error" class="error" role="alert"></p>
  <p>The token stays in this tab only (sessionStorage).</p>
</section>
<main id="status" hidden>
  <div class="row top">
    <section>
      <h2>Gateway</h2>
      <dl class="facts">
        <div><dt>version</dt><dd id="version">-</dd></div>
        <div><dt>uptime</dt><dd id="uptime">-</dd></div>
        <div><dt>node</dt><dd id="node">-</dd></div>
        <div><dt>sessions</dt><dd id="session-count">-</dd></div>
        <div><dt>submitted</dt><dd id="submitted">-</dd></div>
        <div><dt>receipts sent</dt><dd id="receipts-sent">-</dd></div>
      </dl>
    </section>
    <section>
      <h2>Traffic per second <span id="span" class="muted"></span></h2>
      <canvas id="chart" aria-label="submits and receipts per second"></canvas>
      <p class="legend">
        <span><i class="swatch submits"></i>submits/s <b id="submit-rate">0</b>
          (peak <b id="submit-peak">0</b>)</span>
        <span><i class="swatch receipts"></i>receipts/s <b id="receipt-rate">0</b>
          (peak <b id="receipt-peak">0</b>)</span>
      </p>
    </section>
  </div>
  <div class="row lists">
    <section>
      <h2>Open sessions</h2>
      <table id="sessions">
        <thead><tr><th>system_id</th><th>bind type</th><th>remote</th><th>since</th>
          <th class="num">submitted</th><th class="num">receipts</th></tr></thead>
        <tbody></tbody>
      </table>
    </section>
    <section>
      <h2>Receipt outbox</h2>
      <table id="outbox">
        <thead><tr><th>account</th><th class="num">depth</th><th class="num">oldest</th></tr>
        </thead>
        <tbody></tbody>
      </table>
    </section>
    <section>
      <h2>Routes</h2>
      <table id="routes">
        <thead><tr><th>name</th><th>mode</th><th>callbacks</th></tr></thead>
        <tbody></tbody>
      </table>
    </section>
  </div>
  <section>
    <h2>Message lookup</h2>
    <form id="lookup-form">
      <input id="lookup-id" required placeholder="message id" aria-label="Message id">
      <button type="submit">Look up</button>
    </form>
    <div id="lookup"></div>
  </section>
</main>
`;

/** The whole page with its stylesheet and script inline. */
export function pageMarkup(style: string, script: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>smppgw status</title>
<link rel="icon" href="data:,">
<style>${style}</style>
</head>
<body>${BODY}<script>${script}</script>
</body>
</html>
`;
}
