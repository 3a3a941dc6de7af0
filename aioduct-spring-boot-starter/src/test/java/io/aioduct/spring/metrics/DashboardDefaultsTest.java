package io.aioduct.spring.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.aioduct.engine.HttpEngine;
import io.aioduct.spring.autoconfigure.AioductClients;
import io.aioduct.spring.http.AioductClientHttpRequestFactory;
import io.aioduct.spring.testing.NoLeaks;
import io.aioduct.testing.TestServer;
import io.micrometer.common.KeyValues;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.pause.PauseDetector;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.boot.webclient.autoconfigure.WebClientObservationAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.observation.ClientRequestObservationContext;
import org.springframework.http.client.observation.ClientRequestObservationConvention;
import org.springframework.http.client.observation.DefaultClientRequestObservationConvention;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * What makes the Grafana dashboard fill for a plain RestClient app with no property: Spring's {@code
 * http.client.requests} tagged with the aioduct client and runtime that carried each request, and percentile
 * histograms with bounded ranges on aioduct's latency timers and Spring's request timer,
 * which {@code management.metrics.distribution.*} still overrides. The registry records the final distribution
 * config of every timer it makes, after every filter, as a Prometheus registry would receive it.
 */
class DashboardDefaultsTest extends NoLeaks {

    /** A simple registry that keeps the distribution config each timer was made with, by meter id. */
    static final class RecordingRegistry extends SimpleMeterRegistry {
        final Map<Meter.Id, DistributionStatisticConfig> configs = new ConcurrentHashMap<>();

        RecordingRegistry() {
            super(SimpleConfig.DEFAULT, Clock.SYSTEM);
        }

        @Override
        protected Timer newTimer(Meter.Id id, DistributionStatisticConfig config, PauseDetector pauseDetector) {
            configs.put(id, config);
            return super.newTimer(id, config, pauseDetector);
        }

        /** The config of the timer {@code name} with tag {@code key=value}. */
        DistributionStatisticConfig config(String name, String key, String value) {
            return configs.entrySet().stream()
                    .filter(e -> e.getKey().getName().equals(name)
                            && value.equals(e.getKey().getTag(key)))
                    .map(Map.Entry::getValue)
                    .findFirst()
                    .orElseThrow(() ->
                            new AssertionError("no timer " + name + " " + key + "=" + value + ": " + configs.keySet()));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Recording {
        @Bean
        RecordingRegistry recordingRegistry() {
            return new RecordingRegistry();
        }
    }

    private static final ApplicationContextRunner RUNNER =
            AioductMetricsTest.RUNNER.withUserConfiguration(Recording.class);

    /** With WebClient and its observation: Boot's customizer takes the reactive convention bean. */
    private static final ApplicationContextRunner WEB_CLIENT = RUNNER.withConfiguration(AutoConfigurations.of(
            ReactiveHttpClientAutoConfiguration.class,
            WebClientAutoConfiguration.class,
            WebClientObservationAutoConfiguration.class));

    private TestServer server;

    @BeforeEach
    void startServer() {
        server = TestServer.start();
        server.route("/hello", (req, ex) -> ex.respond(200, "hello"));
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private static boolean histogram(DistributionStatisticConfig config) {
        return Boolean.TRUE.equals(config.isPercentileHistogram());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pooled", "virtual", "io-uring"})
    void aRestClientRequestIsTaggedWithItsClientAndRuntimeAndGetsABoundedHistogram(String kind) {
        RUNNER.withPropertyValues("aioduct.runtime.kind=" + kind).run(context -> {
            RecordingRegistry registry = context.getBean(RecordingRegistry.class);
            RestClient rest = context.getBean(RestClient.Builder.class).build();
            assertThat(rest.get().uri(server.uri("/hello")).retrieve().body(String.class))
                    .isEqualTo("hello");
            awaitQuiet(context.getBean(HttpEngine.class));

            Timer spring = registry.get("http.client.requests").timer();
            assertThat(spring.getId().getTag("aioduct.client")).isEqualTo("default");
            assertThat(spring.getId().getTag("aioduct.runtime")).isEqualTo(kind);
            assertThat(spring.count()).isEqualTo(1);
            DistributionStatisticConfig requests = registry.config("http.client.requests", "aioduct.client", "default");
            assertThat(histogram(requests)).isTrue();
            assertThat(requests.getHistogramBuckets(true)).hasSize(68); // 1 ms .. 30 s
            // Counted once: the engine's request timer leaves Spring's requests out.
            assertThat(registry.find("aioduct.client.requests").meters()).isEmpty();

            DistributionStatisticConfig acquire = registry.config("aioduct.pool.acquire", "runtime", kind);
            assertThat(histogram(acquire)).isTrue();
            assertThat(acquire.getMinimumExpectedValueAsDouble()).isEqualTo(100_000.0);
            assertThat(acquire.getHistogramBuckets(true)).hasSize(76); // 100 us .. 10 s
            assertThat(histogram(registry.config("aioduct.connect", "outcome", "success")))
                    .isTrue();
        });
    }

    @Test
    void aNamedClientsRequestsCarryItsNameAndARestClientOnAnotherFactoryIsTaggedNone() {
        RUNNER.withPropertyValues("aioduct.runtime.kind=pooled", "aioduct.clients.edge.runtime.kind=virtual")
                .run(context -> {
                    RecordingRegistry registry = context.getBean(RecordingRegistry.class);
                    AioductClients clients = context.getBean(AioductClients.class);
                    RestClient.Builder builder = context.getBean(RestClient.Builder.class);
                    RestClient edge = builder.clone()
                            .requestFactory(new AioductClientHttpRequestFactory(clients.client("edge")))
                            // An interceptor wraps the request: the client is then found from the response.
                            .requestInterceptor((request, body, execution) -> execution.execute(request, body))
                            .build();
                    RestClient jdk = builder.clone()
                            .requestFactory(new JdkClientHttpRequestFactory())
                            .build();
                    assertThat(edge.get().uri(server.uri("/hello")).retrieve().body(String.class))
                            .isEqualTo("hello");
                    assertThat(jdk.get().uri(server.uri("/hello")).retrieve().body(String.class))
                            .isEqualTo("hello");
                    awaitQuiet(clients.engine("edge"));

                    Timer viaEdge = registry.find("http.client.requests")
                            .tag("aioduct.client", "edge")
                            .timer();
                    assertThat(viaEdge).isNotNull();
                    assertThat(viaEdge.getId().getTag("aioduct.runtime")).isEqualTo("virtual");
                    Timer viaJdk = registry.find("http.client.requests")
                            .tag("aioduct.client", "none")
                            .timer();
                    assertThat(viaJdk).isNotNull();
                    assertThat(viaJdk.getId().getTag("aioduct.runtime")).isEqualTo("none");
                    // Spring's timer of requests aioduct did not carry gets the same histogram: Prometheus cannot
                    // expose one name partly as histograms and partly as summaries (the scrape would fail).
                    assertThat(histogram(registry.config("http.client.requests", "aioduct.client", "none")))
                            .isTrue();
                });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pooled", "virtual", "io-uring"})
    void aWebClientRequestIsTaggedWithItsClientAndRuntime(String kind) {
        WEB_CLIENT.withPropertyValues("aioduct.runtime.kind=" + kind).run(context -> {
            assertThat(context).hasSingleBean(AioductWebClientRequestObservationConvention.class);
            RecordingRegistry registry = context.getBean(RecordingRegistry.class);
            WebClient web = context.getBean(WebClient.Builder.class).build();
            assertThat(web.get()
                            .uri(server.uri("/hello"))
                            .retrieve()
                            .bodyToMono(String.class)
                            .block(Duration.ofSeconds(10)))
                    .isEqualTo("hello");
            awaitQuiet(context.getBean(HttpEngine.class));
            // WebClient stops its observation in a finally signal that may come after block() returned.
            AioductMetricsTest.await(
                    "WebClient's timer",
                    () -> registry.find("http.client.requests").timer() != null);

            Timer spring = registry.get("http.client.requests").timer();
            assertThat(spring.getId().getTag("aioduct.client")).isEqualTo("default");
            assertThat(spring.getId().getTag("aioduct.runtime")).isEqualTo(kind);
            assertThat(spring.count()).isEqualTo(1);
            assertThat(histogram(registry.config("http.client.requests", "aioduct.client", "default")))
                    .isTrue();
            assertThat(registry.find("aioduct.client.requests").meters()).isEmpty();
        });
    }

    @Test
    void aWebClientOnAnotherConnectorIsTaggedNone() {
        WEB_CLIENT.withPropertyValues("aioduct.runtime.kind=pooled").run(context -> {
            RecordingRegistry registry = context.getBean(RecordingRegistry.class);
            WebClient jdk = context.getBean(WebClient.Builder.class)
                    .clone()
                    .clientConnector(new JdkClientHttpConnector())
                    .build();
            assertThat(jdk.get()
                            .uri(server.uri("/hello"))
                            .retrieve()
                            .bodyToMono(String.class)
                            .block(Duration.ofSeconds(10)))
                    .isEqualTo("hello");
            AioductMetricsTest.await(
                    "WebClient's timer",
                    () -> registry.find("http.client.requests").timer() != null);
            Timer viaJdk = registry.get("http.client.requests").timer();
            assertThat(viaJdk.getId().getTag("aioduct.client")).isEqualTo("none");
            assertThat(viaJdk.getId().getTag("aioduct.runtime")).isEqualTo("none");
        });
    }

    @Test
    void distributionPropertiesOverrideTheDefaults() {
        RUNNER.withPropertyValues(
                        "aioduct.runtime.kind=pooled",
                        "management.metrics.distribution.percentiles-histogram.aioduct.connect=false",
                        "management.metrics.distribution.minimum-expected-value.aioduct.pool.acquire=5ms")
                .run(context -> {
                    RecordingRegistry registry = context.getBean(RecordingRegistry.class);
                    try (Response r = context.getBean(AioductClient.class)
                            .get(server.uri("/hello"))
                            .execute()) {
                        assertThat(r.body().string()).isEqualTo("hello");
                    }
                    awaitQuiet(context.getBean(HttpEngine.class));
                    assertThat(histogram(registry.config("aioduct.connect", "outcome", "success")))
                            .isFalse();
                    DistributionStatisticConfig acquire = registry.config("aioduct.pool.acquire", "runtime", "pooled");
                    assertThat(histogram(acquire)).isTrue();
                    assertThat(acquire.getMinimumExpectedValueAsDouble())
                            .isEqualTo((double) Duration.ofMillis(5).toNanos());
                    DistributionStatisticConfig direct =
                            registry.config("aioduct.client.requests", "runtime", "pooled");
                    assertThat(histogram(direct)).isTrue();
                });
    }

    @Test
    void anApplicationsOwnConventionWins() {
        ClientRequestObservationConvention own = new DefaultClientRequestObservationConvention() {
            @Override
            public KeyValues getLowCardinalityKeyValues(ClientRequestObservationContext context) {
                return super.getLowCardinalityKeyValues(context).and("team", "blue");
            }
        };
        RUNNER.withBean(ClientRequestObservationConvention.class, () -> own).run(context -> {
            assertThat(context).doesNotHaveBean(AioductClientRequestObservationConvention.class);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            RestClient rest = context.getBean(RestClient.Builder.class).build();
            assertThat(rest.get().uri(server.uri("/hello")).retrieve().body(String.class))
                    .isEqualTo("hello");
            awaitQuiet(context.getBean(HttpEngine.class));
            Timer timer = registry.get("http.client.requests").timer();
            assertThat(timer.getId().getTag("team")).isEqualTo("blue");
            assertThat(timer.getId().getTag("aioduct.client")).isNull();
        });
    }
}
