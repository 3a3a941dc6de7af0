package io.aioduct.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.sample.testing.Browser;
import io.aioduct.sample.testing.Quiet;
import io.aioduct.sample.testing.RuntimeTarget;
import io.aioduct.sample.testing.SampleApp;
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
import tools.jackson.databind.json.JsonMapper;

/**
 * Drives the dashboard page in headless Chromium as a user would: choose the client that runs on a runtime,
 * set a short load, press start, wait until it has finished by itself, then check that the charts hold
 * non-zero data for that client, and keep a screenshot in {@code target/screenshots/}.
 */
class DashboardBrowserTest {

    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    /** What the page has charted, read from window.aioductDashboard and the canvases' data-max. */
    static final String CHARTED = """
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

    /** Waits until the page has asked the app for its clients and polled once. */
    private static void openPage(String path) throws InterruptedException {
        browser.navigate(targets.get(0).app().url(path));
        await(
                "the page polled the app",
                Duration.ofSeconds(20),
                () -> browser.execute("return window.aioductDashboard && window.aioductDashboard.polls > 0")
                        .asBoolean());
    }

    @Test
    void theChoicesAndTheClientsAreExplainedOnThePage() throws Exception {
        openPage("/");
        JsonNode help = browser.execute("""
                const text = (id) => document.getElementById(id).textContent.trim();
                const terms = (id) => Array.from(document.querySelectorAll('#' + id + ' dt')).map((dt) => ({
                  name: dt.textContent, text: dt.nextElementSibling.textContent }));
                const note = document.getElementById('shared-note');
                return {
                  vias: terms('via-list'), endpoints: terms('endpoint-list'),
                  clients: Array.from(document.querySelectorAll('#clients-list li')).map((li) => li.textContent),
                  clientHelp: text('client-help'), viaHelp: text('via-help'), endpointHelp: text('endpoint-help'),
                  via: document.getElementById('via').value, endpoint: document.getElementById('endpoint').value,
                  labelTitles: Array.from(document.querySelectorAll('#load-form label')).map((l) => l.title),
                  note: note.hidden ? '' : note.textContent
                };
                """);
        JsonNode api = JsonMapper.builder()
                .build()
                .readTree(
                        SampleApp.get(targets.get(0).app().url("/api/clients")).body());
        // Every via and endpoint the app offers has a line of its own saying what it is, not only its name.
        assertTerms(help.path("vias"), api.path("vias"));
        assertTerms(help.path("endpoints"), api.path("endpoints"));
        assertThat(help.path("viaHelp").asString()).isNotBlank();
        assertThat(help.path("endpointHelp").asString()).isNotBlank();
        assertThat(help.path("clientHelp").asString()).startsWith("auto-configured");
        assertThat(help.path("labelTitles").values())
                .allSatisfy(title -> assertThat(title.asString()).isNotBlank());
        // The compare profile's four clients, the two pooled ones told apart.
        List<String> clients =
                help.path("clients").values().stream().map(JsonNode::asString).toList();
        assertThat(clients).hasSize(api.path("clients").size()).hasSize(4);
        assertThat(clients.get(0))
                .startsWith("default: the auto-configured client")
                .contains("pooled");
        assertThat(clients)
                .filteredOn(c -> c.startsWith("pooled: "))
                .singleElement()
                .asString()
                .contains("aioduct.clients.pooled", "the same runtime as default");
        assertThat(clients)
                .anySatisfy(c -> assertThat(c).startsWith("io-uring: ").contains("own engine"));
        assertThat(help.path("note").asString()).contains("one JVM and the same CPU cores");
    }

    private static void assertTerms(JsonNode shown, JsonNode offered) {
        assertThat(shown.values().stream().map(t -> t.path("name").asString()).toList())
                .containsExactlyElementsOf(
                        offered.values().stream().map(JsonNode::asString).toList());
        for (JsonNode term : shown.values()) {
            assertThat(term.path("text").asString())
                    .as(term.toString())
                    .hasSizeGreaterThan(20)
                    .doesNotContain(term.path("name").asString() + ": ");
        }
    }

    @Test
    void atTheBrowserTestWidthTheControlsKeepOneRow() throws Exception {
        openPage("/");
        JsonNode layout = browser.execute("""
                const tops = Array.from(document.getElementById('load-form').children).map((c) => c.offsetTop);
                const buttons = Array.from(document.querySelectorAll('#load-form button'))
                    .filter((b) => !b.hidden).map((b) => b.getBoundingClientRect().top);
                return { width: window.innerWidth, tops: tops, buttons: buttons,
                         startAll: !document.getElementById('start-all').hidden };
                """);
        assertThat(layout.path("width").asInt()).as(layout.toString()).isBetween(1300, 1400);
        assertThat(layout.path("startAll").asBoolean()).isTrue();
        assertThat(layout.path("tops").size()).isEqualTo(7);
        assertThat(layout.path("tops").values().stream().map(JsonNode::asInt).distinct())
                .as("the controls' tops: " + layout)
                .hasSize(1);
        assertThat(layout.path("buttons").size()).isEqualTo(3);
        assertThat(layout.path("buttons").values().stream()
                        .map(JsonNode::asDouble)
                        .distinct())
                .as("the buttons' tops: " + layout)
                .hasSize(1);
    }

    @Test
    void aLongErrorMessageDoesNotMoveTheCharts() throws Exception {
        openPage("/");
        String chartTop =
                "return document.getElementById('chart-throughput').getBoundingClientRect().top + window.scrollY";
        double before = browser.execute(chartTop).asDouble();
        // A real 400 from the app whose message is long: it quotes the unknown endpoint back.
        String unknown = "no-such-endpoint-" + "x".repeat(1500);
        browser.execute("""
                const o = document.createElement('option');
                o.value = arguments[0];
                o.textContent = 'unknown';
                document.getElementById('endpoint').appendChild(o);
                document.getElementById('endpoint').value = arguments[0];
                """, unknown);
        browser.clickById("start");
        await(
                "the app's 400 is shown",
                Duration.ofSeconds(10),
                () -> !browser.execute("return document.getElementById('message').textContent")
                        .asString()
                        .isEmpty());
        JsonNode message = browser.execute("""
                const m = document.getElementById('message');
                return { text: m.textContent, title: m.title, height: m.offsetHeight,
                         clipped: m.scrollWidth > m.clientWidth };
                """);
        assertThat(message.path("text").asString())
                .startsWith("endpoint: endpoint must be one of")
                .contains(unknown);
        assertThat(message.path("title").asString())
                .isEqualTo(message.path("text").asString());
        assertThat(message.path("clipped").asBoolean())
                .as(message.path("height").toString())
                .isTrue();
        assertThat(browser.execute(chartTop).asDouble()).isEqualTo(before);
        browser.screenshot(SCREENSHOTS.resolve("dashboard-long-error.png"));

        // Opened, the full text lies over the charts rather than pushing them down.
        browser.clickById("message");
        JsonNode opened = browser.execute(
                "const m = document.getElementById('message'); return { open: m.classList.contains('open'), height: m.offsetHeight }");
        assertThat(opened.path("open").asBoolean()).isTrue();
        assertThat(opened.path("height").asInt())
                .isGreaterThan(message.path("height").asInt());
        assertThat(browser.execute(chartTop).asDouble()).isEqualTo(before);

        // The last error of a run (an exception's message) in the status row: one line too.
        double withLongLastError = browser.execute(
                        """
                        const e = document.getElementById('last-error');
                        e.textContent = arguments[0];
                        return document.getElementById('chart-throughput').getBoundingClientRect().top + window.scrollY;
                        """, "java.io.IOException: " + "connection closed before the body ended ".repeat(40))
                .asDouble();
        assertThat(withLongLastError).isEqualTo(before);
    }

    static void await(String what, Duration timeout, java.util.function.BooleanSupplier condition)
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
