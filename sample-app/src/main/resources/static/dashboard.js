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

// What each choice means, shown next to the controls and in the guide under them (the API only names them).
const VIAS = {
  "rest-client": "Spring's RestClient (synchronous, fluent), built on the client's request factory",
  "web-client": "Spring's reactive WebClient, on the client's ClientHttpConnector",
  "rest-template": "the classic RestTemplate, on the client's request factory",
  "http-interface": "an @HttpExchange interface (DownstreamApi) over RestClient, imported with @ImportHttpServices",
  "aioduct-client": "the AioductClient itself, no Spring client in between (timed as aioduct.client.requests)",
};
const ENDPOINTS = {
  "small": "a small JSON object: mostly per-request overhead",
  "large": "a 1 MiB body: bytes and buffers",
  "slow": "JSON after the slow delay: requests wait, connections pile up",
  "flaky": "fails a share of calls: half 503, half a connection closed mid-body",
  "tls": "the small JSON over HTTPS (self-signed, trusted via the SSL bundle)",
};

/** What a client is, from its name and runtime: why the compare profile has two pooled ones. */
function describeClient(c) {
  if (c.name === "default") {
    return "the auto-configured client (aioduct.runtime.kind), which Spring Boot's own RestClient, WebClient and "
      + "RestTemplate builders use; on " + c.runtime;
  }
  return "a named client (aioduct.clients." + c.name + ".*) on " + c.runtime + ", with its own engine, event loops, "
    + "pools and meters (name=" + c.name + ")"
    + (c.runtime.startsWith("pooled") ? ": the same runtime as default, built the same way as the other named "
      + "clients, so it compares like for like with them" : "");
}

/** The line under the client select: a short form of describeClient. */
function clientHelp(c) {
  return c.name === "default"
    ? "auto-configured; Spring Boot's builders use it"
    : "named client: own engine, pools, meters";
}

/** Sets an element's text; the full text also goes to its title, for when the element clips it. */
function setText(element, text) {
  element.textContent = text;
  element.title = text;
}

function term(list, name, text) {
  const dt = document.createElement("dt");
  dt.textContent = name;
  const dd = document.createElement("dd");
  dd.textContent = text;
  list.append(dt, dd);
}

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
    dashboard.clients[c.name] = { runtime: c.runtime, run: null, series: emptySeries(), last: null, polls: 0,
      description: describeClient(c), help: clientHelp(c) };
    const li = document.createElement("li");
    const b = document.createElement("b");
    b.textContent = c.name;
    li.append(b, ": " + dashboard.clients[c.name].description);
    $("clients-list").appendChild(li);
  }
  $("shared-note").hidden = info.clients.length < 2;
  for (const v of info.vias) {
    option($("via"), v, v);
    term($("via-list"), v, VIAS[v] || v);
  }
  for (const e of info.endpoints) {
    option($("endpoint"), e, e);
    term($("endpoint-list"), e, ENDPOINTS[e] || e);
  }
  for (const select of ["via", "endpoint"]) $(select).addEventListener("change", help);
  $("concurrency").max = info.maxConcurrency;
  $("duration").max = info.maxDurationSeconds;
  $("start-all").hidden = info.clients.length < 2;
  const wanted = new URLSearchParams(location.search).get("client");
  if (wanted) $("client").value = wanted;
  $("client").addEventListener("change", () => choose($("client").value));
  $("load-form").addEventListener("submit", (event) => { event.preventDefault(); start([dashboard.client]); });
  $("start-all").addEventListener("click", () => start(Object.keys(dashboard.clients)));
  $("stop").addEventListener("click", stop);
  $("message").addEventListener("click", () => $("message").classList.toggle("open"));
  choose($("client").value);
  setInterval(poll, POLL_MS);
}

function choose(client) {
  dashboard.client = client;
  dashboard.polls = 0;
  select();
  help();
  render();
}

/** The help lines under the selects: what the chosen option means. */
function help() {
  const c = dashboard.clients[dashboard.client];
  setText($("client-help"), c.help);
  $("client-help").title = c.description;
  setText($("via-help"), VIAS[$("via").value] || "");
  setText($("endpoint-help"), ENDPOINTS[$("endpoint").value] || "");
}

/** Points the top-level fields at the chosen client's state. */
function select() {
  const c = dashboard.clients[dashboard.client];
  dashboard.runtime = c.runtime;
  dashboard.run = c.run;
  dashboard.series = c.series;
}

async function start(clients) {
  showMessage("");
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
  showMessage(messages.join("; "));
  select();
  showRun();
}

/** One line, ellipsized when long (the full text in its title); a click opens it over the charts. */
function showMessage(text) {
  setText($("message"), text);
  $("message").classList.remove("open");
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
    showMessage("cannot reach the app: " + e);
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
  $("errors").textContent = run ? run.errors : 0;
  setText($("last-error"), run && run.lastError ? run.lastError : "none");
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
