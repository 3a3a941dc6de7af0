package io.aioduct.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.sample.testing.PromQl;
import io.aioduct.sample.testing.Quiet;
import io.aioduct.sample.testing.RuntimeTarget;
import io.aioduct.sample.testing.SampleApp;
import io.aioduct.sample.testing.Traffic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Grafana dashboard in {@code docs/dashboards/aioduct.json} only queries meters the sample app really
 * exposes: every metric name in every PromQL expression (and template-variable query) appears in a live
 * {@code /actuator/prometheus} scrape after traffic on every runtime.
 */
class DashboardQueriesTest {

    static final Path DASHBOARD = Path.of("..", "docs", "dashboards", "aioduct.json");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)");

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
        JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
        List<String> exprs = new ArrayList<>();
        collectExprs(dashboard.path("panels"), exprs);
        assertThat(exprs).isNotEmpty().allSatisfy(expr -> {
            // Every selector of the query, not just one: count them against the filters.
            int selectors = PromQl.metricNames(expr).size();
            assertThat(expr.split("name=~\"\\$name\", runtime=~\"\\$runtime\"", -1))
                    .as(expr)
                    .hasSizeGreaterThan(selectors);
        });
        List<String> variables = new ArrayList<>();
        dashboard
                .path("templating")
                .path("list")
                .forEach(v -> variables.add(v.path("name").asString()));
        assertThat(variables).contains("datasource", "name", "runtime");
    }

    @Test
    void everyDashboardQueryNamesMetricsALiveScrapeExposes() throws IOException {
        JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
        Set<String> queried = new TreeSet<>();
        List<String> exprs = new ArrayList<>();
        collectExprs(dashboard.path("panels"), exprs);
        assertThat(exprs).as("PromQL expressions in the dashboard").hasSizeGreaterThan(10);
        exprs.forEach(expr -> queried.addAll(PromQl.metricNames(expr)));
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            Matcher m =
                    LABEL_VALUES.matcher(variable.path("query").path("query").asString(""));
            if (m.find()) {
                queried.add(m.group(1));
            }
        }
        assertThat(queried).allMatch(name -> name.startsWith("aioduct_"), "an aioduct_ metric");

        Set<String> exposed;
        List<RuntimeTarget> targets = RuntimeTarget.startCompare();
        try (SampleApp app = targets.get(0).app()) {
            targets.forEach(Traffic::drive);
            exposed = scrapedNames(app);
        }
        Quiet.assertNothingLeft();
        assertThat(exposed).as("names a live scrape exposes").containsAll(queried);
    }

    /** Every {@code expr} of every panel's targets, rows' nested panels included. */
    static void collectExprs(JsonNode panels, List<String> into) {
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                if (target.has("expr")) {
                    into.add(target.path("expr").asString());
                }
            }
            collectExprs(panel.path("panels"), into);
        }
    }

    static Set<String> scrapedNames(SampleApp app) {
        String body = SampleApp.get(app.managementUrl("/actuator/prometheus")).body();
        Set<String> names = new TreeSet<>();
        for (String line : body.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            names.add(line.substring(0, end));
        }
        return names;
    }
}
