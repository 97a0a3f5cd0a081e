/** The status page's stylesheet (inline in the page; see `page.ts`). */

/** The CSS of the status page: plain, readable, no external fonts or images. */
export const PAGE_STYLE = `
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #f6f8fa; --card: #fff;
  --submits: #0969da; --receipts: #1a7f37; --bad: #cf222e; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--fg); background: var(--bg); }
header { display: flex; align-items: baseline; gap: 16px; padding: 10px 20px;
  background: var(--card); border-bottom: 1px solid var(--line); }
header h1 { font-size: 18px; margin: 0; }
header .grow { flex: 1; }
#updated { color: var(--muted); font-size: 12px; }
#updated.error { color: var(--bad); }
main { padding: 12px 20px; display: grid; gap: 12px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 6px;
  padding: 10px 14px; min-width: 0; }
h2 { font-size: 15px; margin: 0 0 8px; }
.row { display: grid; gap: 12px; align-items: start; }
.top { grid-template-columns: 250px 1fr; }
.lists { grid-template-columns: 2fr 1fr 1fr; }
.muted { color: var(--muted); font-weight: normal; font-size: 12px; }
.facts { display: grid; grid-template-columns: 1fr 1fr; gap: 10px 16px; margin: 0; }
.facts div { display: flex; flex-direction: column; }
.facts dt { color: var(--muted); font-size: 12px; }
.facts dd { margin: 0; font-size: 18px; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 3px 10px 3px 0; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; }
td.num, th.num { text-align: right; }
td.empty { color: var(--muted); font-style: italic; }
canvas { width: 100%; height: 150px; display: block; }
.legend { display: flex; gap: 20px; margin: 6px 0 0; color: var(--muted); }
.legend b { color: var(--fg); font-variant-numeric: tabular-nums; }
.swatch { display: inline-block; width: 12px; height: 3px; vertical-align: middle;
  margin-right: 6px; }
.swatch.submits { background: var(--submits); }
.swatch.receipts { background: var(--receipts); }
form { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
input { font: inherit; padding: 4px 8px; border: 1px solid var(--line); border-radius: 4px;
  min-width: 280px; }
button { font: inherit; padding: 4px 12px; border: 1px solid var(--line); border-radius: 4px;
  background: var(--bg); cursor: pointer; }
#login { max-width: 460px; margin: 60px auto; }
#login p { margin: 8px 0 0; }
.error { color: var(--bad); }
.result { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); gap: 20px;
  margin-top: 10px; align-items: start; }
.message { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; }
.message dt { color: var(--muted); }
.message dd { margin: 0; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
@media (max-width: 900px) { .top, .lists, .result { grid-template-columns: 1fr; } }
`;
