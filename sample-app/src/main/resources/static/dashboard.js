// The dashboard: fills the form from /api/clients, starts a load with POST /api/load, and polls
// /api/stats for every client every POLL_MS, keeping the last KEEP points of each series: the chosen
// client's in the main charts, every client's throughput and p99 side by side when there are several. Everything it
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
  polls: 0,          // polls of the chosen client since it was chosen
  run: null,         // its latest load's progress, as /api/stats reports it
  series: emptySeries(),
  clients: {},       // every client by name: {runtime, run, series, last, polls}, for the side-by-side charts
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
  for (const c of info.clients) {
    option($("client"), c.name, c.name + " (" + c.runtime + ")");
    dashboard.clients[c.name] = { runtime: c.runtime, run: null, series: emptySeries(), last: null, polls: 0 };
  }
  for (const v of info.vias) option($("via"), v, v);
  for (const e of info.endpoints) option($("endpoint"), e, e);
  $("concurrency").max = info.maxConcurrency;
  $("duration").max = info.maxDurationSeconds;
  $("start-all").hidden = info.clients.length < 2;
  const wanted = new URLSearchParams(location.search).get("client");
  if (wanted) $("client").value = wanted;
  $("client").addEventListener("change", () => choose($("client").value));
  $("load-form").addEventListener("submit", (event) => { event.preventDefault(); start([dashboard.client]); });
  $("start-all").addEventListener("click", () => start(Object.keys(dashboard.clients)));
  $("stop").addEventListener("click", stop);
  choose($("client").value);
  setInterval(poll, POLL_MS);
}

function choose(client) {
  dashboard.client = client;
  dashboard.polls = 0;
  select();
  render();
}

/** Points the top-level fields at the chosen client's state. */
function select() {
  const c = dashboard.clients[dashboard.client];
  dashboard.runtime = c.runtime;
  dashboard.run = c.run;
  dashboard.series = c.series;
}

async function start(clients) {
  $("message").textContent = "";
  const messages = [];
  for (const client of clients) {
    const params = new URLSearchParams(new FormData($("load-form")));
    params.set("client", client);
    const response = await fetch("api/load?" + params, { method: "POST" });
    const body = await response.json();
    if (!response.ok) {
      messages.push((clients.length > 1 ? client + ": " : "") + (body.field ? body.field + ": " : "") + body.error);
      continue;
    }
    dashboard.clients[client].run = body;
  }
  $("message").textContent = messages.join("; ");
  select();
  showRun();
}

async function stop() {
  await fetch("api/load/stop?client=" + encodeURIComponent(dashboard.client), { method: "POST" });
}

async function poll() {
  const names = Object.keys(dashboard.clients);
  let answers;
  try {
    answers = await Promise.all(names.map(async (name) =>
      (await fetch("api/stats?client=" + encodeURIComponent(name))).json()));
  } catch (e) {
    $("message").textContent = "cannot reach the app: " + e;
    return;
  }
  answers.forEach((stats) => record(dashboard.clients[stats.client], stats));
  dashboard.polls++;
  select();
  render();
}

function record(c, stats) {
  c.polls++;
  c.runtime = stats.runtime;
  c.run = stats.run;
  const s = c.series;
  const last = c.last;
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
  c.last = stats;
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
  const names = Object.keys(dashboard.clients);
  $("side-by-side").hidden = names.length < 2;
  if (names.length > 1) {
    const by = (key) => names.map((name, i) => ({
      label: name, color: CHART_COLORS[i % CHART_COLORS.length], values: dashboard.clients[name].series[key],
    }));
    drawChart($("chart-compare-throughput"), by("throughput"), "req/s");
    drawChart($("chart-compare-p99"), by("p99"), "ms");
  }
  const cores = Object.keys(s.cores).sort((a, b) => Number(a) - Number(b));
  $("cores-note").hidden = cores.length > 0;
  drawChart($("chart-cores"), cores.map((core, i) => ({
    label: "core " + core, color: CHART_COLORS[i % CHART_COLORS.length], values: s.cores[core],
  })), "req/s");
}

init();
