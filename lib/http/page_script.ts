/**
 * The status page's script (plain browser JavaScript, inline in the page; see `page.ts`): asks for
 * the admin token once (kept in sessionStorage), polls the admin API every second, keeps counter
 * samples for the rate chart, and looks messages up. Text goes in with `textContent` only.
 */

import { PAGE_CHART } from "./page_chart.ts";

/** The script of the status page. */
export const PAGE_SCRIPT = `
"use strict";
(() => {
  const KEY = "smppgw.adminToken";
  const EVERY_MS = 1000;
  const WINDOW_MS = 5 * 60 * 1000;
  const $ = (id) => document.getElementById(id);

  class Unauthorized extends Error {}

  // ---- the rate chart (page_chart.ts) ----
${PAGE_CHART}

  /** GET /v1 + path as JSON; throws Unauthorized on 401, an Error with the API's message else. */
  async function api(path) {
    const res = await fetch("/v1" + path, {
      headers: { authorization: "Bearer " + sessionStorage.getItem(KEY) },
      cache: "no-store",
    });
    if (res.status === 401) throw new Unauthorized("wrong token");
    const body = await res.json();
    if (!res.ok) {
      const e = new Error(body.error || res.status + " " + res.statusText);
      e.status = res.status;
      throw e;
    }
    return body;
  }

  // ---- formatting ----
  function fmtDuration(sec) {
    sec = Math.max(0, Math.round(sec));
    const units = [["d", 86400], ["h", 3600], ["m", 60], ["s", 1]];
    const parts = [];
    for (const [name, size] of units) {
      const n = Math.floor(sec / size);
      sec -= n * size;
      if (n > 0 || (parts.length === 0 && size === 1)) parts.push(n + name);
      if (parts.length === 2) break;
    }
    return parts.length ? parts.join(" ") : "0s";
  }
  const fmtAge = (ms) => (ms === null || ms === undefined ? "-" : fmtDuration(ms / 1000));
  const fmtRate = (v) => (v < 10 ? v.toFixed(1) : String(Math.round(v)));
  const pad = (n, w) => String(n).padStart(w || 2, "0");
  const fmtDay = (d) => d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  const fmtClock = (d, ms) =>
    pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) +
    (ms ? "." + pad(d.getMilliseconds(), 3) : "");
  /** Local time as YYYY-MM-DD HH:MM:SS (.mmm with ms). */
  const fmtTime = (iso, ms) =>
    iso ? fmtDay(new Date(iso)) + " " + fmtClock(new Date(iso), ms) : "-";
  /** Like fmtTime, without the date when it is today. */
  function fmtWhen(iso, ms) {
    if (!iso) return "-";
    const d = new Date(iso);
    return fmtDay(d) === fmtDay(new Date()) ? fmtClock(d, ms) : fmtTime(iso, ms);
  }

  // ---- DOM helpers ----
  function cell(text, cls) {
    const td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "-" : String(text);
    if (cls) td.className = cls;
    return td;
  }
  /** Replaces a table's rows; rows are arrays of [text, class?]; empty shows a note. */
  function fillTable(id, rows, empty) {
    const body = $(id).tBodies[0];
    body.replaceChildren();
    if (rows.length === 0) {
      const tr = body.insertRow();
      const td = cell(empty, "empty");
      td.colSpan = $(id).tHead.rows[0].cells.length;
      tr.append(td);
      return;
    }
    for (const r of rows) {
      const tr = body.insertRow();
      tr.append(...r.map((c) => (Array.isArray(c) ? cell(c[0], c[1]) : cell(c))));
    }
  }
  const setText = (id, text) => { $(id).textContent = String(text); };

  // ---- rates from counter deltas ----
  let samples = [];
  let rates = [];
  function addSample(counters) {
    const s = { t: Date.now(), submitted: counters.submitted, receipts: counters.receiptsSent };
    const prev = samples[samples.length - 1];
    if (prev && (s.submitted < prev.submitted || s.receipts < prev.receipts)) {
      samples = []; // the gateway restarted: counters begin again
      rates = [];
    } else if (prev && s.t > prev.t) {
      const dt = (s.t - prev.t) / 1000;
      rates.push({
        t: s.t,
        submits: (s.submitted - prev.submitted) / dt,
        receipts: (s.receipts - prev.receipts) / dt,
      });
    }
    samples.push(s);
    const from = s.t - WINDOW_MS;
    samples = samples.filter((x) => x.t >= from);
    rates = rates.filter((x) => x.t >= from);
    const last = rates[rates.length - 1] || { submits: 0, receipts: 0 };
    setText("submit-rate", fmtRate(last.submits));
    setText("receipt-rate", fmtRate(last.receipts));
    setText("submit-peak", fmtRate(Math.max(0, ...rates.map((r) => r.submits))));
    setText("receipt-peak", fmtRate(Math.max(0, ...rates.map((r) => r.receipts))));
    const first = samples.length ? samples[0].t : Date.now();
    const span = drawRateChart($("chart"), rates, first, WINDOW_MS);
    setText("span", "(last " + Math.ceil(span / 60000) + " min)");
  }

  // ---- rendering ----
  function render(status, sessions, outbox) {
    setText("about", "v" + status.version + " · node " + status.node);
    setText("version", status.version);
    setText("uptime", fmtDuration(status.uptimeSec));
    setText("node", status.node);
    setText("session-count", status.sessions);
    setText("submitted", status.counters.submitted);
    setText("receipts-sent", status.counters.receiptsSent);
    fillTable("sessions", sessions.map((s) => [
      s.systemId,
      s.bindType,
      s.remote,
      fmtWhen(s.since) + " (" + fmtAge(Date.now() - Date.parse(s.since)) + " ago)",
      [s.submitted, "num"],
      [s.receiptsSent, "num"],
    ]), "No open sessions");
    fillTable("outbox", outbox.map((o) => [
      o.account,
      [o.depth, "num"],
      [fmtAge(o.oldestAgeMs), "num"],
    ]), "Empty");
    fillTable("routes", (status.routes || []).map((r) => [
      r.name,
      r.mode,
      r.callbacks ? "yes" : "no",
    ]), "Not reported by this gateway");
    addSample(status.counters);
    const updated = $("updated");
    updated.className = "";
    updated.textContent = "updated " + fmtClock(new Date());
  }

  function showError(e) {
    console.error(e);
    const updated = $("updated");
    updated.className = "error";
    updated.textContent = "update failed: " + (e && e.message ? e.message : String(e));
  }

  // ---- polling ----
  let loop = 0;
  let timer;
  function stopPolling() {
    loop++;
    clearTimeout(timer);
  }
  function startPolling() {
    stopPolling();
    samples = [];
    rates = [];
    const mine = loop;
    const tick = async () => {
      try {
        const [status, sessions, outbox] = await Promise.all([
          api("/status"),
          api("/sessions"),
          api("/receipts"),
        ]);
        if (mine === loop) render(status, sessions, outbox);
      } catch (e) {
        if (!refused(e)) showError(e);
      }
      if (mine === loop) timer = setTimeout(tick, EVERY_MS);
    };
    tick();
  }

  // ---- token ----
  /** On a 401: forgets the token and asks again; true when it was one. */
  function refused(e) {
    if (!(e instanceof Unauthorized)) return false;
    sessionStorage.removeItem(KEY);
    showLogin("Wrong token: the gateway refused it. Enter the admin token again.");
    return true;
  }
  function showLogin(message) {
    stopPolling();
    $("status").hidden = true;
    $("forget").hidden = true;
    $("login").hidden = false;
    setText("login-error", message);
    setText("updated", "");
    $("token").focus();
  }
  function showStatus() {
    $("login").hidden = true;
    $("status").hidden = false;
    $("forget").hidden = false;
    startPolling();
  }
  $("login-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const token = $("token").value.trim();
    if (!token) return;
    sessionStorage.setItem(KEY, token);
    $("token").value = "";
    showStatus();
  });
  $("forget").addEventListener("click", () => {
    sessionStorage.removeItem(KEY);
    showLogin("");
  });

  // ---- message lookup ----
  function describe(m) {
    const dl = document.createElement("dl");
    dl.className = "message";
    const r = m.receipt;
    const fields = [
      ["id", m.id],
      ["account", m.account],
      ["from → to", m.source + " → " + m.dest],
      ["state", m.state + " (" + m.stat + (m.err ? ", err " + m.err : "") + ")"],
      ["route", m.route],
      ["parts", m.parts],
      ["submitted", fmtTime(m.submitAt)],
      ["done", fmtTime(m.doneAt)],
      ["receipt", !r.queued ? "not asked for (or not final yet)"
        : r.acknowledged ? "acknowledged" : r.sent ? "sent, not acknowledged" : "queued"],
    ];
    for (const [k, v] of fields) {
      const dt = document.createElement("dt");
      dt.textContent = k;
      const dd = document.createElement("dd");
      dd.textContent = String(v);
      dl.append(dt, dd);
    }
    return dl;
  }
  function traceTable(events) {
    const table = document.createElement("table");
    table.id = "trace";
    const head = table.createTHead().insertRow();
    for (const h of ["at", "event", "detail"]) {
      const th = document.createElement("th");
      th.textContent = h;
      head.append(th);
    }
    const body = table.createTBody();
    for (const e of events) {
      body.insertRow().append(cell(fmtWhen(e.at, true)), cell(e.event), cell(e.detail));
    }
    return table;
  }
  $("lookup-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const id = $("lookup-id").value.trim();
    const out = $("lookup");
    if (!id) return;
    out.replaceChildren(document.createTextNode("Looking up " + id + "…"));
    try {
      const t = await api("/messages/" + encodeURIComponent(id) + "/trace");
      const result = document.createElement("div");
      result.className = "result";
      result.append(describe(t.message), traceTable(t.events));
      out.replaceChildren(result);
    } catch (e) {
      if (refused(e)) return;
      const p = document.createElement("p");
      p.className = "error";
      p.textContent = e.status === 404 ? "No message " + id : "Lookup failed: " + e.message;
      out.replaceChildren(p);
    }
  });

  if (sessionStorage.getItem(KEY)) showStatus();
  else showLogin("");
})();
`;
