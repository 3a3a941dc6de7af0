package io.aioduct.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.sample.plain.PlainRestClientApp;
import io.aioduct.sample.testing.PromQl;
import io.aioduct.sample.testing.PrometheusServer;
import io.aioduct.sample.testing.Quiet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Grafana dashboard in {@code docs/dashboards/aioduct.json}: every query filters by the dashboard's variables,
 * and every query returns series in a real Prometheus scraping a plain RestClient app with no metrics property.
 */
class DashboardQueriesTest {

    static final Path DASHBOARD = Path.of("..", "docs", "dashboards", "aioduct.json");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)");
    private static final Pattern NAME_AND_RUNTIME =
            Pattern.compile("(name|aioduct_client)=~\"\\$name\", (runtime|aioduct_runtime)=~\"\\$runtime\"");

    @Test
    void promQlReaderFindsMetricNamesOnly() {
        assertThat(
                        PromQl.metricNames(
                                "histogram_quantile(0.99, sum by (le, name, remote_address) (rate(aioduct_pool_acquire_seconds_bucket{name=~\"$name\", state=\"max\"}[$__rate_interval])))"))
                .containsExactly("aioduct_pool_acquire_seconds_bucket");
        assertThat(PromQl.metricNames(
                        "sum by (name) (rate(a_sum{x=\"1\"}[1m])) / sum by (name) (rate(a_count[5m])) or vector(0)"))
                .containsExactly("a_count", "a_sum");
    }

    @Test
    void everyPanelQueryFiltersByTheNameAndRuntimeVariables() throws IOException {
        JsonNode dashboard = readDashboard();
        List<PanelQuery> queries = panelQueries(dashboard);
        assertThat(queries).isNotEmpty().allSatisfy(query -> {
            // Every selector of the query, not just one: count them against the filters (aioduct's tags, or the
            // ones the starter's convention puts on Spring's http.client.requests).
            int selectors = PromQl.metricNames(query.expr()).size();
            assertThat(NAME_AND_RUNTIME.split(query.expr(), -1))
                    .as(query.expr())
                    .hasSizeGreaterThan(selectors);
        });
        List<String> variables = new ArrayList<>();
        dashboard
                .path("templating")
                .path("list")
                .forEach(v -> variables.add(v.path("name").asString()));
        assertThat(variables).contains("datasource", "name", "runtime");
    }

    /**
     * The "dashboard that fills for a normal app": a plain RestClient app (no metrics property, see {@link
     * PlainRestClientApp}) on each runtime, scraped by a real Prometheus, and every panel query of the dashboard
     * evaluated for that runtime (all client names) returns series, at least one of each panel with a value (a
     * panel of NaNs draws nothing). The io-uring panels are asked of the io-uring runtime only.
     */
    @Test
    void everyPanelQueryReturnsSeriesForAPlainRestClientApp() throws Exception {
        JsonNode dashboard = readDashboard();
        List<PanelQuery> queries = new ArrayList<>(panelQueries(dashboard));
        assertThat(queries).as("PromQL expressions in the dashboard").hasSizeGreaterThan(10);
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            Matcher m =
                    LABEL_VALUES.matcher(variable.path("query").path("query").asString(""));
            if (m.find()) {
                queries.add(new PanelQuery("variable " + variable.path("name").asString(), m.group(1)));
            }
        }
        Map<String, ConfigurableApplicationContext> apps = new LinkedHashMap<>();
        try {
            apps.put("pooled", PlainRestClientApp.start()); // the default runtime: no aioduct property at all
            apps.put("virtual", PlainRestClientApp.start("--aioduct.runtime.kind=virtual"));
            apps.put("io-uring", PlainRestClientApp.start("--aioduct.runtime.kind=io-uring"));
            List<String> targets = apps.values().stream()
                    .map(app -> "127.0.0.1:" + app.getEnvironment().getRequiredProperty("local.server.port"))
                    .toList();
            try (PrometheusServer prometheus = PrometheusServer.start(targets)) {
                List<String> empty = awaitSeries(prometheus, apps, queries, Duration.ofSeconds(90));
                assertThat(empty)
                        .as("dashboard queries without a series (or a panel without a value)")
                        .isEmpty();
            }
        } finally {
            apps.values().forEach(ConfigurableApplicationContext::close);
        }
        Quiet.assertNothingLeft();
    }

    /**
     * Drives work through every app and evaluates the queries until each has its series, or {@code timeout}
     * passed; returns what is still missing ({@code runtime: panel: query}).
     */
    private static List<String> awaitSeries(
            PrometheusServer prometheus,
            Map<String, ConfigurableApplicationContext> apps,
            List<PanelQuery> queries,
            Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            apps.values().forEach(PlainRestClientApp::work);
            List<String> missing = new ArrayList<>();
            for (String runtime : apps.keySet()) {
                Map<String, Boolean> panelHasValue = new LinkedHashMap<>();
                for (PanelQuery query : queries) {
                    if (query.panel().startsWith("io-uring") && !runtime.equals("io-uring")) {
                        continue;
                    }
                    JsonNode result = prometheus.query(query.forRuntime(runtime));
                    if (result.isEmpty()) {
                        missing.add(runtime + ": " + query.panel() + ": " + query.expr());
                    }
                    boolean value = false;
                    for (JsonNode series : result) {
                        value |= !series.path("value").path(1).asString().equals("NaN");
                    }
                    panelHasValue.merge(query.panel(), value, Boolean::logicalOr);
                }
                panelHasValue.forEach((panel, value) -> {
                    if (!value) missing.add(runtime + ": " + panel + ": only NaN");
                });
            }
            if (missing.isEmpty() || System.nanoTime() - deadline > 0) {
                return missing;
            }
            Thread.sleep(1000); // Prometheus scrapes every second
        }
    }

    /** One PromQL expression of the dashboard and the panel (or variable) it belongs to. */
    record PanelQuery(String panel, String expr) {
        /** The expression as Grafana sends it with every client name and {@code runtime} selected. */
        String forRuntime(String runtime) {
            return expr.replace("$name", ".*").replace("$runtime", runtime).replace("$__rate_interval", "10s");
        }
    }

    static JsonNode readDashboard() throws IOException {
        return JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
    }

    /** The queries of every panel's targets, rows' nested panels included. */
    static List<PanelQuery> panelQueries(JsonNode dashboard) {
        List<PanelQuery> into = new ArrayList<>();
        collectQueries(dashboard.path("panels"), into);
        return into;
    }

    private static void collectQueries(JsonNode panels, List<PanelQuery> into) {
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                if (target.has("expr")) {
                    into.add(new PanelQuery(
                            panel.path("title").asString(), target.path("expr").asString()));
                }
            }
            collectQueries(panel.path("panels"), into);
        }
    }
}
