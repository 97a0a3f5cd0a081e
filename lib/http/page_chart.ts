/**
 * The status page's rate chart (plain browser JavaScript on a <canvas>, no library), spliced into
 * the page's script (`page_script.ts`): submits/s and receipts/s over the last minutes.
 */

/** Browser JavaScript defining `drawRateChart(canvas, rates, first, windowMs)`. */
export const PAGE_CHART = `
  /** A y scale from 0 past v: { max, step } with steps of 1, 2 or 5 × 10^n. */
  function niceScale(v) {
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const [m, step] of [[1, 0.2], [2, 0.5], [5, 1], [10, 2]]) {
      if (m * p >= v) return { max: m * p, step: step * p };
    }
    return { max: 10 * p, step: 2 * p };
  }
  const fmtTick = (v) => String(Number(v.toFixed(2)));
  /** "-30s", "-2m" or "now" for a time ms before now. */
  const fmtAgo = (ms) =>
    ms === 0 ? "now" : ms % 60000 === 0 ? "-" + ms / 60000 + "m" : "-" + ms / 1000 + "s";

  /**
   * Draws rates ([{ t, submits, receipts }]) on the canvas over the span from "first" (at least
   * 1 minute, at most windowMs) up to now; returns the span in ms.
   */
  function drawRateChart(canvas, rates, first, windowMs) {
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth;
    const h = canvas.clientHeight;
    if (canvas.width !== Math.round(w * dpr)) canvas.width = Math.round(w * dpr);
    if (canvas.height !== Math.round(h * dpr)) canvas.height = Math.round(h * dpr);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const css = getComputedStyle(document.documentElement);
    const color = (name) => css.getPropertyValue(name).trim();
    const left = 40, right = 16, top = 8, bottom = 20;
    const pw = w - left - right, ph = h - top - bottom;
    const now = Date.now();
    const span = Math.min(windowMs, Math.max(60000, now - first));
    const xOf = (t) => left + (pw * (t - (now - span))) / span;
    const y = niceScale(Math.max(1, ...rates.map((r) => Math.max(r.submits, r.receipts))));
    const yOf = (v) => top + ph - (ph * v) / y.max;
    ctx.font = "11px system-ui, sans-serif";
    ctx.lineWidth = 1;
    ctx.strokeStyle = color("--line");
    ctx.fillStyle = color("--muted");
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (let v = 0; v <= y.max + y.step / 2; v += y.step) {
      const py = Math.round(yOf(v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(left, py);
      ctx.lineTo(left + pw, py);
      ctx.stroke();
      ctx.fillText(fmtTick(v), left - 6, py);
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const tick = span <= 60000 ? 10000 : span <= 180000 ? 30000 : 60000;
    for (let ago = 0; ago <= span; ago += tick) {
      ctx.fillText(fmtAgo(ago), xOf(now - ago), top + ph + 5);
    }
    const line = (key, stroke, width) => {
      ctx.strokeStyle = stroke;
      ctx.fillStyle = stroke;
      ctx.lineWidth = width;
      ctx.beginPath();
      rates.forEach((r, i) => (i === 0 ? ctx.moveTo : ctx.lineTo).call(ctx, xOf(r.t), yOf(r[key])));
      ctx.stroke();
      for (const r of rates) {
        ctx.beginPath();
        ctx.arc(xOf(r.t), yOf(r[key]), width + 0.5, 0, 2 * Math.PI);
        ctx.fill();
      }
    };
    // Receipts wider and underneath, so both show where they coincide.
    line("receipts", color("--receipts"), 4);
    line("submits", color("--submits"), 2);
    return span;
  }
`;
