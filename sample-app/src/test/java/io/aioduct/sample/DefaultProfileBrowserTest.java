package io.aioduct.sample;

import static io.aioduct.sample.DashboardBrowserTest.CHARTED;
import static io.aioduct.sample.DashboardBrowserTest.SCREENSHOTS;
import static io.aioduct.sample.DashboardBrowserTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.sample.testing.Browser;
import io.aioduct.sample.testing.Quiet;
import io.aioduct.sample.testing.SampleApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The page as a newcomer first sees it: the sample app on its embedded defaults (what {@code scripts/run}
 * starts: no profile, one client on the pooled runtime), a short load with the page's own default choices,
 * then the charts and a screenshot ({@code target/screenshots/dashboard-default.png}, the first picture in
 * docs/sample-app.md).
 */
class DefaultProfileBrowserTest {

    private static SampleApp app;
    private static Browser browser;

    @BeforeAll
    static void start() throws Exception {
        app = SampleApp.start();
        browser = Browser.start(1400, 1600);
    }

    @AfterAll
    static void close() throws Exception {
        try {
            browser.close();
        } finally {
            app.close();
        }
        Quiet.assertNothingLeft();
    }

    @Test
    void onTheDefaultsOneClientRunsALoadAndTheChartsFill() throws Exception {
        browser.navigate(app.url("/"));
        await(
                "the page polled the app",
                Duration.ofSeconds(20),
                () -> browser.execute("return window.aioductDashboard && window.aioductDashboard.polls > 0")
                        .asBoolean());
        JsonNode page = browser.execute("""
                return {
                  clients: Array.from(document.querySelectorAll('#clients-list li')).map((li) => li.textContent),
                  startAll: !document.getElementById('start-all').hidden,
                  sharedNote: !document.getElementById('shared-note').hidden
                };
                """);
        // One auto-configured client, on the pooled runtime; nothing to compare, so no "start on every client".
        assertThat(page.path("clients").size()).as(page.toString()).isEqualTo(1);
        assertThat(page.path("clients").get(0).asString())
                .startsWith("default: the auto-configured client")
                .contains("pooled");
        assertThat(page.path("startAll").asBoolean()).isFalse();
        assertThat(page.path("sharedNote").asBoolean()).isFalse();

        browser.typeInto("duration", "3");
        browser.clickById("start");
        await(
                "the load finished by itself",
                Duration.ofSeconds(40),
                () -> "finished".equals(browser.execute(CHARTED).path("status").asString()));
        long polls = browser.execute(CHARTED).path("polls").asLong();
        await(
                "one more poll",
                Duration.ofSeconds(10),
                () -> browser.execute(CHARTED).path("polls").asLong() > polls + 1);

        JsonNode charted = browser.execute(CHARTED);
        Path shot = SCREENSHOTS.resolve("dashboard-default.png");
        browser.screenshot(shot);
        assertThat(Files.size(shot)).isPositive();
        assertThat(charted.path("client").asString()).isEqualTo("default");
        assertThat(charted.path("runtime").asString()).startsWith("pooled");
        assertThat(charted.path("run").path("requests").asLong()).isPositive();
        assertThat(charted.path("throughput").asDouble()).as(charted.toString()).isPositive();
        assertThat(charted.path("p50").asDouble()).as(charted.toString()).isPositive();
        assertThat(charted.path("throughputCanvas").asDouble()).isPositive();
        assertThat(charted.path("latencyCanvas").asDouble()).isPositive();
        assertThat(charted.path("active").asDouble() + charted.path("idle").asDouble())
                .as("connections charted: " + charted)
                .isPositive();
    }
}
