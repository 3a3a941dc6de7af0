package io.aioduct.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.sample.testing.Quiet;
import io.aioduct.sample.testing.SampleApp;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The app on its defaults: downstream endpoints, every gateway, the load API and the actuator. */
class SampleAppTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static SampleApp app;

    @BeforeAll
    static void start() {
        app = SampleApp.start("--sample.slow-delay=20ms", "--sample.flaky-fail-rate=1");
    }

    @AfterAll
    static void stop() {
        app.close();
        Quiet.assertNothingLeft();
    }

    @ParameterizedTest
    @ValueSource(strings = {"rest-client", "web-client", "rest-template", "http-interface", "aioduct-client"})
    void everyGatewayCallsEveryEndpointOnTheAioductEngine(String via) {
        assertThat(gateway(via, "small").get("bytes").asLong()).isPositive();
        assertThat(gateway(via, "large").get("bytes").asLong()).isEqualTo(1024 * 1024);
        assertThat(gateway(via, "tls").get("bytes").asLong()).isPositive();
        JsonNode slow = gateway(via, "slow");
        assertThat(slow.get("micros").asLong()).isGreaterThanOrEqualTo(20_000);
        assertThat(slow.get("runtime").asString()).startsWith("pooled");
    }

    private static JsonNode gateway(String via, String endpoint) {
        HttpResponse<String> response = SampleApp.get(app.url("/gateway/" + via + "/" + endpoint));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("client").asString()).isEqualTo("default");
        assertThat(body.get("via").asString()).isEqualTo(via);
        return body;
    }

    @Test
    void flakyEndpointFailsBothWays() {
        // sample.flaky-fail-rate=1 (set for this app): every call fails, half with 503, half cut mid-body.
        int unavailable = 0;
        int cut = 0;
        for (int i = 0; i < 60 && (unavailable == 0 || cut == 0); i++) {
            try {
                HttpResponse<String> direct = SampleApp.get(app.url("/downstream/flaky"));
                assertThat(direct.statusCode()).isEqualTo(503);
                unavailable++;
            } catch (UncheckedIOException closedMidBody) {
                cut++;
            }
        }
        assertThat(unavailable).isPositive();
        assertThat(cut).isPositive();
        assertThat(get("/downstream/flaky?failRate=0").statusCode()).isEqualTo(200);
        assertThat(get("/downstream/flaky?failRate=2").statusCode()).isEqualTo(400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rest-client", "web-client", "rest-template", "http-interface", "aioduct-client"})
    void gatewayReportsBothFlakyFailuresAs502(String via) {
        boolean sawStatus = false;
        boolean sawCut = false;
        for (int i = 0; i < 60 && !(sawStatus && sawCut); i++) {
            HttpResponse<String> response = get("/gateway/" + via + "/flaky");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(502);
            String error = JSON.readTree(response.body()).get("error").asString();
            if (error.contains("503")) {
                sawStatus = true;
            } else {
                sawCut = true;
            }
        }
        assertThat(sawStatus).as("a 503 reached the gateway").isTrue();
        assertThat(sawCut)
                .as("a connection closed mid-body reached the gateway")
                .isTrue();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "/gateway/restclient/small|via|via must be one of",
                "/gateway/rest-client/huge|endpoint|endpoint must be one of",
                "/gateway/rest-client/small?client=nope|client|client must be one of"
            })
    void badGatewayPartsAre400NamingTheField(String path, String field, String message) {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("\"field\":\"" + field + "\"").contains(message);
    }

    private static HttpResponse<String> get(String path) {
        return SampleApp.get(app.url(path));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "concurrency=0|concurrency|concurrency must be between 1 and 256, was 0",
                "concurrency=257|concurrency|concurrency must be between 1 and 256, was 257",
                "duration=121|duration|duration must be between 1 and 120, was 121",
                "duration=soon|duration|duration must be a whole number, was 'soon'",
                "via=curl|via|via must be one of rest-client, web-client, rest-template, http-interface, aioduct-client, was 'curl'",
                "endpoint=huge|endpoint|endpoint must be one of small, large, slow, flaky, tls, was 'huge'",
                "client=nope|client|client must be one of [default], was 'nope'",
                "delayMs=-1|delayMs|delayMs must be between 0 and 10000, was -1",
            })
    void badLoadParametersAre400NamingTheField(String query, String field, String message) {
        HttpResponse<String> response = SampleApp.post(app.url("/api/load?" + query));
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("field").asString()).isEqualTo(field);
        assertThat(body.get("error").asString()).isEqualTo(message);
    }

    @Test
    void loadRunsBoundedStopsByItselfAndShowsInStats() throws InterruptedException {
        HttpResponse<String> started =
                SampleApp.post(app.url("/api/load?concurrency=4&duration=1&via=web-client&endpoint=small"));
        assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
        assertThat(JSON.readTree(started.body()).get("state").asString()).isEqualTo("running");

        HttpResponse<String> again = SampleApp.post(app.url("/api/load?duration=1"));
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.body()).contains("already running on client 'default'");

        JsonNode run = awaitFinished(Duration.ofSeconds(20));
        assertThat(run.get("elapsedMs").asLong()).isGreaterThanOrEqualTo(1000);
        assertThat(run.get("requests").asLong()).isPositive();
        assertThat(run.get("errors").asLong()).isZero();

        JsonNode stats = JSON.readTree(get("/api/stats?client=default").body());
        assertThat(stats.get("load").get("requests").asLong())
                .isGreaterThanOrEqualTo(run.get("requests").asLong());
        assertThat(stats.get("load").get("p50Ms").asDouble()).isPositive();
        assertThat(stats.get("load").get("p99Ms").asDouble())
                .isGreaterThanOrEqualTo(stats.get("load").get("p50Ms").asDouble());
    }

    private static JsonNode awaitFinished(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode run =
                    JSON.readTree(get("/api/stats?client=default").body()).get("run");
            if ("finished".equals(run.get("state").asString())) {
                return run;
            }
            assertThat(System.nanoTime() - deadline)
                    .as("load still running: " + run)
                    .isNegative();
            Thread.sleep(100);
        }
    }

    @Test
    void actuatorIsOnTheManagementPortOnly() {
        for (String path :
                new String[] {"/actuator/health", "/actuator/metrics", "/actuator/prometheus", "/actuator/aioduct"}) {
            assertThat(SampleApp.get(app.managementUrl(path)).statusCode())
                    .as(path)
                    .isEqualTo(200);
            assertThat(SampleApp.get(app.url(path)).statusCode()).as(path).isEqualTo(404);
        }
        assertThat(SampleApp.get(app.managementUrl("/actuator/aioduct")).body()).contains("\"kind\":\"pooled\"");
    }

    @Test
    void dashboardPageIsServedWithItsScripts() {
        assertThat(get("/").body()).contains("<canvas id=\"chart-throughput\"");
        assertThat(get("/dashboard.js").statusCode()).isEqualTo(200);
        assertThat(get("/charts.js").statusCode()).isEqualTo(200);
    }
}
