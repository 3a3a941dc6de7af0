// The dashboard: fills the form from /api/clients, starts a load with POST /api/load, and polls
// /api/stats for the chosen client every POLL_MS, keeping the last KEEP points of each series. Everything it
// charts is also in window.aioductDashboard (the browser test reads it there).
"use strict";

const POLL_MS = 500;
const KEEP = 240;

function emptySeries() {
  return { throughput: [], p50: [], p95: [], p99: [], errors: [], active: [], idle: [], pending: [], cores: {} };
}

const dashboard = {
  client: null,      // the chosen client's name (the `name` tag of its meters)
  runtime: null,     // what its runtime calls itself, e.g. io-uring(io_uring)
  polls: 0,
  run: null,         // the latest load's progress, as /api/stats reports it
  series: emptySeries(),
  last: null,        // the previous /api/stats answer, for rates
};
window.aioductDashboard = dashboard;

const $ = (id) => document.getElementById(id);

function push(list, value) {
  list.push(value);
  if (list.length > KEEP) list.shift();
}

function option(select, value, text) {
  const o = document.createElement("option");
  o.value = value;
  o.textContent = text;
  select.appendChild(o);
}

async function init() {
  const info = await (await fetch("api/clients")).json();
  for (const c of info.clients) option($("client"), c.name, c.name + " (" + c.runtime + ")");
  for (const v of info.vias) option($("via"), v, v);
  for (const e of info.endpoints) option($("endpoint"), e, e);
  $("concurrency").max = info.maxConcurrency;
  $("duration").max = info.maxDurationSeconds;
  const wanted = new URLSearchParams(location.search).get("client");
  if (wanted) $("client").value = wanted;
  $("client").addEventListener("change", () => choose($("client").value));
  $("load-form").addEventListener("submit", (event) => { event.preventDefault(); start(); });
  $("stop").addEventListener("click", stop);
  choose($("client").value);
  setInterval(poll, POLL_MS);
}

function choose(client) {
  dashboard.client = client;
  dashboard.series = emptySeries();
  dashboard.last = null;
  dashboard.run = null;
  render();
}

async function start() {
  $("message").textContent = "";
  const params = new URLSearchParams(new FormData($("load-form")));
  const response = await fetch("api/load?" + params, { method: "POST" });
  const body = await response.json();
  if (!response.ok) {
    $("message").textContent = (body.field ? body.field + ": " : "") + body.error;
    return;
  }
  dashboard.run = body;
  showRun();
}

async function stop() {
  await fetch("api/load/stop?client=" + encodeURIComponent(dashboard.client), { method: "POST" });
}

async function poll() {
  if (!dashboard.client) return;
  const client = dashboard.client;
  let stats;
  try {
    stats = await (await fetch("api/stats?client=" + encodeURIComponent(client))).json();
  } catch (e) {
    $("message").textContent = "cannot reach the app: " + e;
    return;
  }
  if (client !== dashboard.client) return; // the choice changed while this poll was out
  dashboard.polls++;
  dashboard.runtime = stats.runtime;
  dashboard.run = stats.run;
  const s = dashboard.series;
  const last = dashboard.last;
  const seconds = last ? Math.max((stats.timeMs - last.timeMs) / 1000, 0.001) : 0;
  const rate = (now, before) => (last ? Math.max(now - before, 0) / seconds : 0);
  push(s.throughput, rate(stats.load.requests, last ? last.load.requests : 0));
  push(s.errors, rate(stats.load.errors, last ? last.load.errors : 0));
  push(s.p50, stats.load.p50Ms);
  push(s.p95, stats.load.p95Ms);
  push(s.p99, stats.load.p99Ms);
  push(s.active, stats.connections.active);
  push(s.idle, stats.connections.idle);
  push(s.pending, stats.connections.pending);
  for (const [core, values] of Object.entries(stats.cores)) {
    const before = last && last.cores[core] ? last.cores[core].requests || 0 : values.requests || 0;
    push(s.cores[core] || (s.cores[core] = []), rate(values.requests || 0, before));
  }
  dashboard.last = stats;
  render();
}

function showRun() {
  const run = dashboard.run;
  const status = $("status");
  status.dataset.state = run ? run.state : "idle";
  status.dataset.client = dashboard.client || "";
  $("state").textContent = run ? run.state + " (" + run.via + " → " + run.endpoint + ", " + run.concurrency + " callers)" : "idle";
  $("elapsed").textContent = run ? (run.elapsedMs / 1000).toFixed(1) + " s / " + run.durationSeconds + " s" : "0.0 s";
  $("requests").textContent = run ? run.requests : 0;
  $("errors").textContent = run ? run.errors + (run.lastError ? " (last: " + run.lastError + ")" : "") : 0;
  $("runtime").textContent = dashboard.runtime || "?";
  $("start").disabled = !!(run && run.state === "running");
}

function render() {
  showRun();
  const s = dashboard.series;
  drawChart($("chart-throughput"), [{ label: "req/s", color: CHART_COLORS[0], values: s.throughput }], "req/s");
  drawChart($("chart-latency"), [
    { label: "p50", color: CHART_COLORS[0], values: s.p50 },
    { label: "p95", color: CHART_COLORS[1], values: s.p95 },
    { label: "p99", color: CHART_COLORS[2], values: s.p99 },
  ], "ms");
  drawChart($("chart-errors"), [{ label: "errors/s", color: CHART_COLORS[2], values: s.errors }], "err/s");
  drawChart($("chart-connections"), [
    { label: "active", color: CHART_COLORS[0], values: s.active },
    { label: "idle", color: CHART_COLORS[3], values: s.idle },
    { label: "pending", color: CHART_COLORS[1], values: s.pending },
  ], "conns");
  const cores = Object.keys(s.cores).sort((a, b) => Number(a) - Number(b));
  $("cores-note").hidden = cores.length > 0;
  drawChart($("chart-cores"), cores.map((core, i) => ({
    label: "core " + core, color: CHART_COLORS[i % CHART_COLORS.length], values: s.cores[core],
  })), "req/s");
}

init();
