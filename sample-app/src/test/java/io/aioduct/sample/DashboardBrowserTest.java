package io.aioduct.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.sample.testing.Browser;
import io.aioduct.sample.testing.Quiet;
import io.aioduct.sample.testing.RuntimeTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/**
 * Drives the dashboard page in headless Chromium as a user would: choose the client that runs on a runtime,
 * set a short load, press start, wait until it has finished by itself, then check that the charts hold
 * non-zero data for that client, and keep a screenshot in {@code target/screenshots/}.
 */
class DashboardBrowserTest {

    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    /** What the page has charted, read from window.aioductDashboard and the canvases' data-max. */
    private static final String CHARTED = """
            const d = window.aioductDashboard;
            const max = (values) => values.reduce((a, b) => Math.max(a, b), 0);
            const cores = {};
            for (const [core, values] of Object.entries(d.series.cores)) cores[core] = max(values);
            const canvas = (id) => Number(document.getElementById(id).dataset.max || 0);
            return {
              client: d.client, runtime: d.runtime, polls: d.polls, run: d.run,
              throughput: max(d.series.throughput), p50: max(d.series.p50), p99: max(d.series.p99),
              active: max(d.series.active), idle: max(d.series.idle), cores: cores,
              throughputCanvas: canvas('chart-throughput'), latencyCanvas: canvas('chart-latency'),
              connectionsCanvas: canvas('chart-connections'),
              status: document.getElementById('status').dataset.state,
              shownRequests: document.getElementById('requests').textContent
            };
            """;

    private static Browser browser;
    private static List<RuntimeTarget> targets;

    @BeforeAll
    static void start() throws Exception {
        targets = RuntimeTarget.startCompare();
        browser = Browser.start(1400, 1600);
    }

    @AfterAll
    static void close() throws Exception {
        try {
            browser.close();
        } finally {
            targets.get(0).app().close();
        }
        Quiet.assertNothingLeft();
    }

    private static RuntimeTarget target(String runtime) {
        return targets.stream()
                .filter(t -> t.runtime().equals(runtime))
                .findFirst()
                .orElseThrow();
    }

    @ParameterizedTest
    @CsvSource({"pooled, rest-client", "virtual, web-client", "io-uring, http-interface"})
    void shortLoadChartsNonZeroDataForTheChosenRuntime(String runtime, String via) throws Exception {
        RuntimeTarget target = target(runtime);
        browser.navigate(target.app().url("/?client=" + target.client()));
        await(
                "the page polled the app",
                Duration.ofSeconds(20),
                () -> browser.execute("return window.aioductDashboard && window.aioductDashboard.polls > 0")
                        .asBoolean());
        browser.execute("document.getElementById('via').value = arguments[0]", via);
        browser.typeInto("concurrency", "8");
        browser.typeInto("duration", "3");
        browser.clickById("start");

        await(
                "the load started",
                Duration.ofSeconds(10),
                () -> "running".equals(browser.execute(CHARTED).path("status").asString()));
        browser.screenshot(SCREENSHOTS.resolve("dashboard-" + runtime + "-running.png"));
        await(
                "the load finished by itself",
                Duration.ofSeconds(30),
                () -> "finished".equals(browser.execute(CHARTED).path("status").asString()));
        // One more poll after the end, so the last counts are in.
        long polls = browser.execute(CHARTED).path("polls").asLong();
        await(
                "one more poll",
                Duration.ofSeconds(10),
                () -> browser.execute(CHARTED).path("polls").asLong() > polls + 1);

        JsonNode charted = browser.execute(CHARTED);
        Path shot = SCREENSHOTS.resolve("dashboard-" + runtime + ".png");
        browser.screenshot(shot);
        assertThat(Files.size(shot)).isPositive();

        assertThat(charted.path("client").asString()).isEqualTo(target.client());
        assertThat(charted.path("runtime").asString()).startsWith(runtime);
        JsonNode run = charted.path("run");
        assertThat(run.path("via").asString()).isEqualTo(via);
        assertThat(run.path("concurrency").asInt()).isEqualTo(8);
        assertThat(run.path("durationSeconds").asInt()).isEqualTo(3);
        assertThat(run.path("elapsedMs").asLong()).isGreaterThanOrEqualTo(3000);
        assertThat(run.path("requests").asLong()).isPositive();
        assertThat(charted.path("shownRequests").asString())
                .isEqualTo(run.path("requests").asString());
        assertThat(charted.path("throughput").asDouble()).as(charted.toString()).isPositive();
        assertThat(charted.path("p50").asDouble()).as(charted.toString()).isPositive();
        assertThat(charted.path("p99").asDouble())
                .isGreaterThanOrEqualTo(charted.path("p50").asDouble());
        assertThat(charted.path("throughputCanvas").asDouble()).isPositive();
        assertThat(charted.path("latencyCanvas").asDouble()).isPositive();
        // The starter's aioduct.connections gauges for this client: the pool held connections.
        assertThat(charted.path("active").asDouble() + charted.path("idle").asDouble())
                .as("connections charted: " + charted)
                .isPositive();
        assertThat(charted.path("connectionsCanvas").asDouble()).isPositive();
        if (runtime.equals("io-uring")) {
            // Per-core aioduct.core.requests: some core served requests.
            assertThat(charted.path("cores").properties())
                    .as("cores charted: " + charted)
                    .isNotEmpty();
            double busiest = 0;
            for (var core : charted.path("cores").properties()) {
                busiest = Math.max(busiest, core.getValue().asDouble());
            }
            assertThat(busiest).isPositive();
        }
    }

    @Test
    void startOnEveryClientChartsThemSideBySide() throws Exception {
        browser.navigate(targets.get(0).app().url("/"));
        await(
                "the page polled the app",
                Duration.ofSeconds(20),
                () -> browser.execute("return window.aioductDashboard && window.aioductDashboard.polls > 0")
                        .asBoolean());
        browser.typeInto("concurrency", "4");
        browser.typeInto("duration", "3");
        // The runs each client had before (none on a fresh app), so only the new ones count as finished.
        browser.execute("""
                window.runsBefore = {};
                for (const [name, c] of Object.entries(window.aioductDashboard.clients)) {
                  window.runsBefore[name] = c.run ? c.run.id : null;
                }
                """);
        browser.clickById("start-all");
        String allFinished = """
                const all = Object.entries(window.aioductDashboard.clients);
                return all.length > 1 && all.every(([name, c]) =>
                    c.run && c.run.id !== window.runsBefore[name] && c.run.state === 'finished');
                """;
        await(
                "every client's load finished",
                Duration.ofSeconds(40),
                () -> browser.execute(allFinished).asBoolean());
        Thread.sleep(1200); // one more poll after the end
        browser.execute("document.getElementById('side-by-side').scrollIntoView()");
        browser.screenshot(SCREENSHOTS.resolve("dashboard-compare.png"));
        JsonNode peaks = browser.execute("""
                const peaks = {};
                for (const [name, c] of Object.entries(window.aioductDashboard.clients)) {
                  peaks[name] = c.series.throughput.reduce((a, b) => Math.max(a, b), 0);
                }
                peaks.canvas = Number(document.getElementById('chart-compare-throughput').dataset.max || 0);
                return peaks;
                """);
        for (String runtime : RuntimeTarget.RUNTIMES) {
            assertThat(peaks.path(target(runtime).client()).asDouble())
                    .as("throughput charted for " + runtime + ": " + peaks)
                    .isPositive();
        }
        assertThat(peaks.path("canvas").asDouble()).isPositive();
    }

    private static void await(String what, Duration timeout, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline)
                    .as("timed out waiting until " + what)
                    .isNegative();
            Thread.sleep(100);
        }
    }
}
