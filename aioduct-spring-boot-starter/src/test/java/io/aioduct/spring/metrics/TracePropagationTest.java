package io.aioduct.spring.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.engine.HttpEngine;
import io.aioduct.spring.testing.NoLeaks;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.TestServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;

/**
 * With Micrometer Observation and a tracer (Spring Boot's own tracing auto-configuration, OpenTelemetry
 * bridge), a RestClient request running on the engine carries the W3C {@code traceparent} of its span to the
 * server unchanged, on every runtime: the engine adds nothing and drops nothing.
 */
class TracePropagationTest extends NoLeaks {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class TracedApplication {}

    private TestServer server;

    @BeforeEach
    void startServer() {
        server = TestServer.start();
        server.route("/traced", (req, ex) -> ex.respond(200, "traced"));
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pooled", "virtual", "io-uring"})
    void aRestClientRequestCarriesItsTraceparentToTheServer(String kind) {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(TracedApplication.class)
                .web(WebApplicationType.NONE)
                .properties(
                        "aioduct.runtime.kind=" + kind,
                        "aioduct.runtime.threads=2",
                        "management.tracing.sampling.probability=1.0",
                        // No exporter is configured (no OTLP endpoint, no Zipkin): spans go nowhere. Export stays
                        // enabled because Spring Boot propagates trace context only then.
                        "spring.main.banner-mode=off")
                .run()) {
            Tracer tracer = context.getBean(Tracer.class);
            ObservationRegistry observations = context.getBean(ObservationRegistry.class);
            RestClient rest = context.getBean(RestClient.Builder.class).build();
            AtomicReference<String> traceId = new AtomicReference<>();
            Observation.createNotStarted("caller", observations).observe(() -> {
                Span current = tracer.currentSpan();
                assertThat(current).as("a span around the call").isNotNull();
                traceId.set(current.context().traceId());
                assertThat(rest.get().uri(server.uri("/traced")).retrieve().body(String.class))
                        .isEqualTo("traced");
            });
            RecordedRequest received = server.takeRequest(Duration.ofSeconds(5));
            String traceparent = received.header("traceparent");
            assertThat(traceparent)
                    .as("traceparent received")
                    .isNotNull()
                    .matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
            assertThat(traceparent.split("-")[1]).isEqualTo(traceId.get());
            assertThat(received.headers())
                    .filteredOn(h -> h.name().equalsIgnoreCase("traceparent"))
                    .hasSize(1);
            // The client span is the parent the server sees, and Spring timed the request once.
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.get("http.client.requests").timer().count()).isEqualTo(1);
            assertThat(registry.find("aioduct.client.requests").meters()).isEmpty();
            NoLeaks.awaitQuiet(context.getBean(HttpEngine.class));
        }
    }
}
