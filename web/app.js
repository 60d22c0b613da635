// SPDX-License-Identifier: Apache-2.0
// custos dashboard: a little JavaScript over the JSON API (docs/api.md).
// Charts are SVG drawn by the server (the library's chart module); this
// file only fetches them and puts them in the page.  All text from the
// server goes in through textContent, never as HTML.
"use strict";

const TOKEN_KEY = "custos-token";
let me = null;

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

// A request carries the token of the session that makes it.  Signed out,
// nothing is asked (a page still loading for the user who signed out would
// otherwise go on without a token); and a 401 ends the session only if it
// answers the session's own token: the reply to a request of an earlier
// session, arriving once the next user has signed in, does not sign that
// user out.
async function api(path, opts = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) throw new Error("unauthorised");
  const headers = Object.assign({}, opts.headers || {});
  headers.Authorization = "Bearer " + token;
  const res = await fetch(path, Object.assign({}, opts, { headers }));
  if (res.status === 401 && path !== "/api/me") {
    if (sessionStorage.getItem(TOKEN_KEY) === token) {
      logout("Your session ended: " + ((await res.json()).error || "sign in again"));
    }
    throw new Error("unauthorised");
  }
  return res;
}

async function json(path) {
  const res = await api(path);
  const body = await res.json();
  if (!res.ok) throw new Error(body.error || res.statusText);
  return body;
}

// An SVG chart from the server, parsed as XML and adopted into the page.
async function chart(container, path, stale = () => false) {
  container.textContent = "";
  const res = await api(path);
  const text = await res.text();
  if (stale()) return;
  if (!res.ok) {
    let msg = res.statusText;
    try { msg = JSON.parse(text).error; } catch (e) { /* not JSON */ }
    container.append(el("p", { class: "error" }, msg));
    return;
  }
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  const svg = doc.documentElement;
  if (svg.nodeName !== "svg") {
    container.append(el("p", { class: "error" }, "the chart could not be read"));
    return;
  }
  container.append(document.importNode(svg, true));
}

const kg = (mg) => (mg / 1e6).toFixed(3);
const grams = (mg) => (mg / 1e3).toFixed(3);

function table(headers, rows) {
  const t = el("table", {}, el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", {}, h)))));
  const body = el("tbody");
  for (const r of rows) {
    body.append(el("tr", {}, ...r.map((c) => {
      const num = typeof c === "number" || /^-?[0-9.]+$/.test(String(c));
      return el("td", num ? { class: "num" } : {}, c === null || c === undefined ? "" : c);
    })));
  }
  t.append(body);
  return t;
}

// Every navigation (route, refresh, sign-out) starts a new view; a load
// still running for an earlier one stops at its next await instead of
// writing into the page (a slow State's panels under another State's
// title, or its modules clearing the next State's).
let view = 0;
const staleCheck = () => {
  const mine = view;
  return () => mine !== view;
};

// A load that ends because the user signed out ends quietly.
const quiet = (e) => { if (e.message !== "unauthorised") console.error(e); };

function show(section) {
  for (const id of ["welcome", "state-view", "admin-view"]) $(id).hidden = id !== section;
}

// Signing out forgets what the user was shown: the next user of this
// browser starts from an empty page, not from the last one's States.
function logout(message) {
  view++;
  sessionStorage.removeItem(TOKEN_KEY);
  me = null;
  for (const id of ["state-list", "state-title", "verify-status", "state-chart", "mba-panels",
    "modules", "admin-body"]) $(id).textContent = "";
  $("mba-table").querySelector("tbody").textContent = "";
  show("welcome");
  $("app").hidden = true;
  $("login").hidden = false;
  $("who").hidden = $("logout").hidden = true;
  const err = $("login-error");
  err.hidden = !message;
  err.textContent = message || "";
}

async function login(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  const res = await api("/api/me");
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    logout(body.error || "sign-in failed");
    return;
  }
  me = await res.json();
  $("login").hidden = true;
  $("app").hidden = false;
  $("who").hidden = $("logout").hidden = false;
  $("who").textContent = me.name + " (" + me.role + ")";
  await loadNav();
  route();
}

async function loadNav() {
  const list = $("state-list");
  list.textContent = "";
  const isAdmin = role() === "admin";
  $("admin-title").hidden = $("admin-list").hidden = !isAdmin;
  if (isAdmin) {
    $("no-states").hidden = true;
    return;
  }
  const data = await json("/api/states");
  for (const s of data.states) {
    list.append(el("li", {}, el("a", { href: "#state/" + s.state, "data-state": s.state },
      s.state + " (" + s.mbas.length + " MBA" + (s.mbas.length === 1 ? "" : "s") + ")")));
  }
  $("no-states").hidden = data.states.length > 0;
}

async function showState(code, stale) {
  show("state-view");
  for (const a of document.querySelectorAll("nav a")) {
    a.classList.toggle("active", a.getAttribute("href") === "#state/" + code);
  }
  $("state-title").textContent = "State " + code;
  const data = await json("/api/states");
  if (stale()) return;
  const st = data.states.find((s) => s.state === code);
  const tbody = $("mba-table").querySelector("tbody");
  tbody.textContent = "";
  const panels = $("mba-panels");
  panels.textContent = "";
  $("state-chart").hidden = !(st && st.can_read_state);
  if (!st) {
    $("state-title").textContent = "State " + code + ": nothing readable";
    return;
  }
  if (st.can_read_state) {
    chart($("state-chart"), "/api/charts/mbas.svg?state=" + code, stale).catch(quiet);
  }
  for (const m of st.mbas) {
    tbody.append(el("tr", {}, el("td", {}, code + "/" + m.mba), el("td", {}, m.facility),
      el("td", {}, m.type), el("td", { class: "num" }, m.reports),
      el("td", {}, m.last_period_end || "")));
    const panel = await mbaPanel(code + "/" + m.mba, stale);
    if (stale()) return;
    panels.append(panel);
  }
  verifyStatus(stale);
  await modules(code, stale);
}

// Paths, evaluation, agreements and information items, for the roles
// that may read them; a module without data for this State stays quiet.
async function modules(code, stale) {
  const box = $("modules");
  box.textContent = "";
  if (!inspectorate()) return;
  const q = "?state=" + encodeURIComponent(code);
  let res = await api("/api/evaluation" + q);
  if (stale()) return;
  if (res.ok) {
    const e = await res.json();
    if (stale()) return;
    const p = el("div", { class: "panel", id: "evaluation" }, el("h3", {}, "State-level conclusions"));
    const ul = el("ul");
    for (const c of e.conclusions) {
      ul.append(el("li", { class: c.drawn ? "ok" : "error" },
        (c.drawn ? "\u2713 " : "\u2717 ") + c.statement));
    }
    p.append(ul);
    if (e.reader && e.reader.hidden_evidence) {
      p.append(el("p", { class: "muted" }, e.reader.hidden_evidence +
        " piece(s) of evidence outside your compartments are counted but not shown."));
    }
    const b = el("button", { type: "button", class: "secondary" }, "Open the full report (HTML)");
    b.addEventListener("click", async () => {
      const r = await api("/api/evaluation/report.html" + q);
      const url = URL.createObjectURL(new Blob([await r.text()], { type: "text/html" }));
      window.open(url, "_blank", "noopener");
    });
    p.append(b);
    box.append(p);
  }
  res = await api("/api/paths" + q);
  if (stale()) return;
  if (res.ok) {
    const d = await res.json();
    if (stale()) return;
    const p = el("div", { class: "panel", id: "paths" },
      el("h3", {}, "Acquisition paths (weakest first)"));
    p.append(table(["Rank", "Steps", "Feasible", "P(detect)", "P(timely)", "Days", "Undeclared"],
      d.paths.slice(0, 10).map((x) => [x.rank, x.steps.join(" \u2192 "), x.feasible ? "yes" : "no",
        x.p_detect.toFixed(3), x.p_timely.toFixed(3), x.time_days.toFixed(1),
        x.undeclared ? "yes" : "no"])));
    box.append(p);
  }
  if (role() === "analyst") {
    res = await api("/api/info" + q);
    if (stale()) return;
    if (res.ok) {
      const d = await res.json();
      if (stale()) return;
      const p = el("div", { class: "panel", id: "info" }, el("h3", {}, "Information items"));
      p.append(table(["Id", "Title", "Source", "Grade", "Compartment", "Date"], d.items.map((i) =>
        [i.id, i.title, i.source, i.grade, i.compartment || "public", i.date])));
      if (d.hidden) p.append(el("p", { class: "muted" }, d.hidden + " item(s) outside your compartments."));
      box.append(p);
    }
  }
  res = await api("/api/agreements");
  if (stale()) return;
  if (res.ok) {
    const d = await res.json();
    if (stale()) return;
    if (d.commitments.length) {
      const p = el("div", { class: "panel", id: "agreements" }, el("h3", {}, "Agreements"));
      p.append(table(["Agreement", "Commitment", "Status", "Value", "Bound", "Unit", "Why"],
        d.commitments.map((c) => [c.agreement, c.title || c.id, c.status,
          c.value === null ? "" : c.value.toFixed(3), c.bound === null ? "" : c.bound.toFixed(3),
          c.unit, c.reason])));
      box.append(p);
    }
  }
}

// (me is null again once the user signs out while a page is still loading)
const role = () => (me ? me.role : "");
const stateReader = () => ["authority", "inspector", "analyst"].includes(role());
const inspectorate = () => ["inspector", "analyst"].includes(role());

// (a panel whose view went stale is returned unfinished, and dropped)
async function mbaPanel(mba, stale) {
  const panel = el("div", { class: "panel", "data-mba": mba });
  panel.append(el("h3", {}, "MBA " + mba));
  const bal = await json("/api/balances?mba=" + encodeURIComponent(mba));
  if (stale()) return panel;
  if (bal.balances.length) {
    const c = el("div", { class: "chart muf-chart" });
    panel.append(c);
    await chart(c, "/api/charts/muf.svg?mba=" + encodeURIComponent(mba), stale);
    if (stale()) return panel;
  }
  if (stateReader() && bal.balances.length) {
    // near-real-time accountancy, where the measurement model allows it:
    // one sequence per element category the MBA balances
    const cats = [...new Set(bal.balances.filter((b) => b.label === 0).map((b) => b.element))];
    for (const cat of cats) {
      const q = "mba=" + encodeURIComponent(mba) + "&element=" + encodeURIComponent(cat);
      const res = await api("/api/nrta?" + q);
      if (stale()) return panel;
      if (!res.ok) continue;
      const n = await res.json();
      const alarms = n.periods.filter((p) => p.page_alarm).length;
      const c2 = el("div", { class: "chart nrta-chart", "data-element": cat });
      panel.append(c2);
      await chart(c2, "/api/charts/nrta.svg?" + q, stale);
      if (stale()) return panel;
      panel.append(el("p", { class: alarms ? "error" : "muted" },
        "Page's test on SITMUF, category " + cat + " (k = " + n.k + ", h = " + n.h.toFixed(2) +
        ", campaign false-alarm probability " + n.page_false_alarm.toFixed(3) + "): " +
        (alarms ? alarms + " period(s) in alarm" : "no alarm")));
    }
  }

  const rows = bal.balances.filter((b) => b.label === 0).slice(-8).map((b) =>
    [b.start + " to " + b.end, b.element, grams(b.pb_mg), grams(b.ba_mg), grams(b.pe_mg),
      grams(b.muf_mg)]);
  panel.append(el("h4", {}, "Material balances (grams)"));
  panel.append(rows.length ? table(["Period", "Category", "PB", "BA", "PE", "MUF"], rows)
    : el("p", { class: "muted" }, "No closed balance period yet."));
  for (const f of bal.findings) panel.append(el("p", { class: "error" }, "Finding: " + f));

  const reps = await json("/api/reports?mba=" + encodeURIComponent(mba));
  const rr = reps.reports.slice(-10).reverse().map((r) =>
    [r.state + ";" + r.number, r.type, r.start ? r.start + " to " + r.end : r.end, r.entries]);
  panel.append(el("h4", {}, "Latest reports"));
  const t = table(["Report", "Type", "Period", "Entries"], rr);
  t.classList.add("reports");
  panel.append(t);
  return panel;
}

async function verifyStatus(stale) {
  const s = $("verify-status");
  if (!me || role() === "operator") { s.textContent = ""; return; }
  try {
    const v = await json("/api/verify");
    if (stale()) return;
    s.className = "ok";
    s.textContent = "Ledger intact: " + v.items + " links, head " + v.head.slice(0, 16) + "\u2026";
  } catch (e) {
    if (stale()) return;
    s.className = "error";
    s.textContent = "Ledger check failed: " + e.message;
  }
}

async function showAdmin(what, stale) {
  show("admin-view");
  const body = $("admin-body");
  body.textContent = "";
  if (what === "users") {
    $("admin-view-title").textContent = "Users";
    const d = await json("/api/users");
    if (stale()) return;
    body.append(table(["Name", "Role", "Status", "Version", "Scope"], d.users.map((u) =>
      [u.name, u.role, u.active ? "active" : "revoked", u.version,
        u.states.concat(u.mbas, u.compartments.map((c) => "compartment " + c)).join(", ")])));
  } else if (what === "audit") {
    $("admin-view-title").textContent = "Audit log (latest 100)";
    const d = await json("/api/audit?limit=10000");
    if (stale()) return;
    body.append(table(["#", "When (UTC)", "Who", "Role", "Outcome", "Action", "Target", "Detail"],
      d.records.slice(-100).reverse().map((r) =>
        [r.seq, r.at, r.who, r.role, r.outcome, r.action, r.target, r.detail])));
  } else {
    $("admin-view-title").textContent = "Verify the ledger";
    const res = await api("/api/verify");
    const v = await res.json();
    if (stale()) return;
    body.append(el("p", { class: v.ok ? "ok" : "error" }, v.ok
      ? "Intact: " + v.items + " chain links (" + v.reports + " reports), audit log " +
        v.audit_records + " records. Head " + v.head
      : "Integrity check failed: " + v.error));
  }
}

function route() {
  if (!me) return;
  view++;
  const stale = staleCheck();
  const h = location.hash.replace(/^#/, "");
  const p = h.split("/");
  const run = p[0] === "state" && p[1] ? showState(p[1], stale)
    : p[0] === "admin" ? showAdmin(p[1] || "users", stale) : Promise.resolve(show("welcome"));
  run.catch(quiet);
}

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    login($("token").value.trim());
    $("token").value = "";
  });
  $("logout").addEventListener("click", () => logout());
  $("refresh").addEventListener("click", route);
  window.addEventListener("hashchange", route);
  fetch("/api/health").then((r) => r.json()).then((h) => {
    $("version").textContent = "custos " + h.version;
  }).catch(() => {});
  if (sessionStorage.getItem(TOKEN_KEY)) login(sessionStorage.getItem(TOKEN_KEY));
});
