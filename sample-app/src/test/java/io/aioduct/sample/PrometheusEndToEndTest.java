package io.aioduct.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.sample.testing.PrometheusServer;
import io.aioduct.sample.testing.Quiet;
import io.aioduct.sample.testing.RuntimeTarget;
import io.aioduct.sample.testing.SampleApp;
import io.aioduct.sample.testing.Traffic;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * End to end: the sample app with a client on every runtime ({@code compare} profile), a real Prometheus scraping their management ports on loopback,
 * requests driven through every gateway, and Prometheus's HTTP API answering with the aioduct series and the
 * labels the dashboard filters on.
 */
class PrometheusEndToEndTest {

    @Test
    void aioductSeriesArriveInPrometheusWithTheirLabelsForEveryRuntime() throws Exception {
        List<RuntimeTarget> targets = RuntimeTarget.startCompare();
        try (SampleApp app = targets.get(0).app()) {
            List<String> scraped = targets.stream()
                    .map(t -> "127.0.0.1:" + t.app().managementPort())
                    .distinct()
                    .toList();
            try (PrometheusServer prometheus = PrometheusServer.start(scraped)) {
                targets.forEach(Traffic::drive);
                for (RuntimeTarget target : targets) {
                    String selector = "{name=\"" + target.client() + "\", runtime=\"" + target.runtime() + "\"}";
                    // The pipeline itself first: Spring's own client timer reaches Prometheus from this app.
                    await(
                            prometheus,
                            "http_client_requests_seconds_count{instance=\"127.0.0.1:"
                                    + target.app().managementPort() + "\"}",
                            Duration.ofSeconds(30));
                    JsonNode connections = await(prometheus, "aioduct_connections" + selector, Duration.ofSeconds(30));
                    Set<String> states = new TreeSet<>();
                    for (JsonNode series : connections) {
                        JsonNode labels = series.path("metric");
                        assertThat(labels.path("remote_address").asString())
                                .as("remote_address of " + labels)
                                .matches("127\\.0\\.0\\.1:[0-9]+");
                        states.add(labels.path("state").asString());
                    }
                    assertThat(states).as(target.runtime()).contains("active", "idle", "pending", "max");

                    JsonNode requests = await(
                            prometheus, "aioduct_client_requests_seconds_count" + selector, Duration.ofSeconds(30));
                    assertThat(requests.get(0)
                                    .path("metric")
                                    .path("remote_address")
                                    .asString())
                            .startsWith("127.0.0.1:");
                    await(prometheus, "aioduct_tls_handshake_seconds_count" + selector, Duration.ofSeconds(30));
                    if (target.runtime().equals("io-uring")) {
                        JsonNode cores =
                                await(prometheus, "aioduct_core_requests_total" + selector, Duration.ofSeconds(30));
                        assertThat(cores.get(0).path("metric").has("core"))
                                .as(cores.toString())
                                .isTrue();
                    }
                }
            }
        }
        Quiet.assertNothingLeft();
    }

    /** Queries until the result is non-empty (Prometheus scrapes every second), or fails after {@code timeout}. */
    private static JsonNode await(PrometheusServer prometheus, String promql, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode result = prometheus.query(promql);
            if (!result.isEmpty()) {
                return result;
            }
            JsonNode up = prometheus.query("up");
            assertThat(System.nanoTime() - deadline)
                    .as("no series for " + promql + " after " + timeout + "; targets up: " + up)
                    .isNegative();
            Thread.sleep(500);
        }
    }
}
