package io.aioduct.spring.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.aioduct.AioductClient;
import io.aioduct.Request;
import io.aioduct.Response;
import io.aioduct.engine.HttpEngine;
import io.aioduct.event.EventListener;
import io.aioduct.runtime.RuntimeCompletion;
import io.aioduct.runtime.RuntimeStats;
import io.aioduct.spring.autoconfigure.AioductAutoConfiguration;
import io.aioduct.spring.autoconfigure.AioductClients;
import io.aioduct.spring.autoconfigure.AioductEngineConfigCustomizer;
import io.aioduct.spring.autoconfigure.AioductHttpClientAutoConfiguration;
import io.aioduct.spring.metrics.autoconfigure.AioductMetricsAutoConfiguration;
import io.aioduct.spring.testing.NoLeaks;
import io.aioduct.testing.ServerExchange;
import io.aioduct.testing.TestServer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestClientObservationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.client.RestClient;

/**
 * The Micrometer binding in a context with Spring Boot's metrics and observation auto-configuration, on each
 * runtime: the meters docs/metrics.md lists appear with their tags after traffic and move with it; Spring's
 * clients are counted once, by Spring; origins are capped; {@code aioduct.metrics.enabled=false} binds nothing.
 */
class AioductMetricsTest extends NoLeaks {

    static final ApplicationContextRunner RUNNER = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    MetricsAutoConfiguration.class,
                    CompositeMeterRegistryAutoConfiguration.class,
                    SimpleMetricsExportAutoConfiguration.class,
                    ObservationAutoConfiguration.class,
                    HttpClientAutoConfiguration.class,
                    ImperativeHttpClientAutoConfiguration.class,
                    RestClientAutoConfiguration.class,
                    RestClientObservationAutoConfiguration.class,
                    AioductAutoConfiguration.class,
                    AioductHttpClientAutoConfiguration.class,
                    AioductMetricsAutoConfiguration.class))
            .withPropertyValues("aioduct.runtime.threads=2");

    private TestServer server;
    private final BlockingQueue<ServerExchange> held = new LinkedBlockingQueue<>();

    @BeforeEach
    void startServer() {
        server = TestServer.start();
        server.route("/hello", (req, ex) -> ex.respond(200, "hello"));
        server.route("/hold", (req, ex) -> held.add(ex));
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private static ApplicationContextRunner on(String kind) {
        return RUNNER.withPropertyValues("aioduct.runtime.kind=" + kind);
    }

    /** Reads every meter, as a registry's scrape does (the runtime gauge's read picks up new pools). */
    static void scrape(MeterRegistry registry) {
        for (int i = 0; i < 2; i++) {
            for (Meter m : registry.getMeters()) {
                m.measure().forEach(Measurement::getValue);
            }
        }
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) fail("timed out waiting for " + what);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    private String address() {
        return "127.0.0.1:" + server.port();
    }

    private double connections(MeterRegistry registry, String state) {
        scrape(registry);
        Gauge g = registry.find("aioduct.connections")
                .tags("name", "default", "remote.address", address(), "protocol", "http/1.1", "state", state)
                .gauge();
        return g == null ? -1 : g.value();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pooled", "virtual", "io-uring"})
    void poolAndRuntimeGaugesAppearWithTheirTagsAfterTraffic(String kind) {
        on(kind).run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            AioductClient client = context.getBean(AioductClient.class);
            try (Response r = client.get(server.uri("/hello")).execute()) {
                assertThat(r.body().string()).isEqualTo("hello");
            }
            awaitQuiet(context.getBean(HttpEngine.class));
            scrape(registry);
            for (String state : List.of("active", "idle", "pending", "max")) {
                assertThat(registry.find("aioduct.connections")
                                .tags(
                                        "name",
                                        "default",
                                        "runtime",
                                        kind,
                                        "remote.address",
                                        address(),
                                        "protocol",
                                        "http/1.1",
                                        "state",
                                        state)
                                .gauge())
                        .as("aioduct.connections state=%s", state)
                        .isNotNull();
            }
            assertThat(connections(registry, "idle")).isEqualTo(1);
            assertThat(connections(registry, "max")).isGreaterThanOrEqualTo(256);
            assertThat(registry.find("aioduct.runtime.threads")
                            .tags("name", "default", "runtime", kind)
                            .gauge())
                    .isNotNull();
            assertThat(registry.find("aioduct.runtime.tasks").gauges())
                    .extracting(g -> g.getId().getTag("state"))
                    .containsExactlyInAnyOrder("running", "pending");
            assertThat(registry.find("aioduct.runtime.tasks.spawned").functionCounter())
                    .isNotNull();
            if (kind.equals("io-uring")) {
                for (String name :
                        List.of("aioduct.core.tasks.pending", "aioduct.core.connections", "aioduct.core.requests")) {
                    assertThat(registry.find(name).meters())
                            .as(name)
                            .extracting(m -> m.getId().getTag("core"))
                            .containsExactlyInAnyOrder("0", "1");
                }
            } else {
                assertThat(registry.find("aioduct.core.connections").meters()).isEmpty();
            }
        });
    }

    /** The runtime gauges show what RuntimeCompletion.stats() reports, never NaN for the built-in runtimes. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pooled", "virtual", "io-uring"})
    void runtimeGaugesReadTheRuntimesStats(String kind) {
        on(kind).run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            AioductClient client = context.getBean(AioductClient.class);
            try (Response r = client.get(server.uri("/hello")).execute()) {
                r.body().string();
            }
            awaitQuiet(context.getBean(HttpEngine.class));
            scrape(registry);
            RuntimeCompletion runtime = context.getBean(HttpEngine.class).runtime();
            double threads = registry.get("aioduct.runtime.threads").gauge().value();
            double spawned = registry.get("aioduct.runtime.tasks.spawned")
                    .functionCounter()
                    .count();
            RuntimeStats after = runtime.stats();
            assertThat(threads).isNotNaN().isGreaterThanOrEqualTo(0);
            if (!kind.equals("virtual")) {
                // Event-loop threads do not come and go: the gauge shows what the runtime reports.
                assertThat(threads).isEqualTo(after.threads()).isGreaterThanOrEqualTo(2);
            }
            assertThat(spawned).isNotNaN().isBetween(0.0, (double) after.tasksSpawned());
            assertThat(registry.get("aioduct.runtime.tasks")
                            .tag("state", "running")
                            .gauge()
                            .value())
                    .isNotNaN()
                    .isGreaterThanOrEqualTo(0);
            assertThat(registry.get("aioduct.runtime.tasks")
                            .tag("state", "pending")
                            .gauge()
                            .value())
                    .isNotNaN()
                    .isGreaterThanOrEqualTo(0);
            if (kind.equals("io-uring")) {
                await(
                        "a request served by a core",
                        () -> registry.find("aioduct.core.requests").functionCounters().stream()
                                        .mapToDouble(c -> c.count())
                                        .sum()
                                == 1);
                assertThat(registry.find("aioduct.core.connections").gauges().stream()
                                .mapToDouble(Gauge::value)
                                .sum())
                        .isEqualTo(1);
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pooled", "virtual", "io-uring"})
    void theConnectionsGaugeMovesBetweenStates(String kind) {
        on(kind).withPropertyValues("aioduct.pool.max-connections-per-origin=1").run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            AioductClient client = context.getBean(AioductClient.class);
            HttpEngine engine = context.getBean(HttpEngine.class);
            // io-uring: one pool per core; pin both requests to one core's pool by sending from one thread is not
            // guaranteed, so count across cores: the sums are what the gauge shows.
            CompletableFuture<Response> first = client.get(server.uri("/hold")).send();
            ServerExchange firstExchange = held.poll(10, TimeUnit.SECONDS);
            assertThat(firstExchange).isNotNull();
            await("one active connection", () -> connections(registry, "active") == 1);
            assertThat(connections(registry, "idle")).isZero();
            firstExchange.respond(200, "done");
            try (Response r = first.get(10, TimeUnit.SECONDS)) {
                assertThat(r.body().string()).isEqualTo("done");
            }
            awaitQuiet(engine);
            await("the connection idle", () -> connections(registry, "idle") == 1);
            assertThat(connections(registry, "active")).isZero();
        });
    }

    @Test
    void aRequestWaitingForAConnectionIsPending() {
        on("pooled")
                .withPropertyValues("aioduct.pool.max-connections-per-origin=1")
                .run(context -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    AioductClient client = context.getBean(AioductClient.class);
                    CompletableFuture<Response> first =
                            client.get(server.uri("/hold")).send();
                    ServerExchange firstExchange = held.poll(10, TimeUnit.SECONDS);
                    CompletableFuture<Response> second =
                            client.get(server.uri("/hello")).send();
                    await("one pending request", () -> connections(registry, "pending") == 1);
                    firstExchange.respond(200, "done");
                    first.get(10, TimeUnit.SECONDS).close();
                    second.get(10, TimeUnit.SECONDS).close();
                    awaitQuiet(context.getBean(HttpEngine.class));
                    await("nothing pending", () -> connections(registry, "pending") == 0);
                });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pooled", "virtual", "io-uring"})
    void aRestClientRequestIsCountedOnceBySpringAndNotByTheEngineTimer(String kind) {
        on(kind).run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            RestClient rest = context.getBean(RestClient.Builder.class).build();
            assertThat(rest.get().uri(server.uri("/hello")).retrieve().body(String.class))
                    .isEqualTo("hello");
            awaitQuiet(context.getBean(HttpEngine.class));
            assertThat(registry.get("http.client.requests").timer().count()).isEqualTo(1);
            assertThat(registry.find("aioduct.client.requests").meters()).isEmpty();
        });
    }

    /** From the engine's own events, end to end; MetricsEventListenerTest covers every event's mapping. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pooled", "virtual", "io-uring"})
    void aDirectRequestIsTimedByTemplateAndItsPhasesAreRecorded(String kind) {
        on(kind).run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            AioductClient client = context.getBean(AioductClient.class);
            try (Response r = client.get(server.uri("/hello?who=me"))
                    .uriTemplate("/hello?who={who}")
                    .execute()) {
                assertThat(r.body().string()).isEqualTo("hello");
            }
            awaitQuiet(context.getBean(HttpEngine.class));
            await(
                    "the request timer",
                    () -> registry.find("aioduct.client.requests").timer() != null);
            assertThat(registry.get("aioduct.client.requests")
                            .tags(
                                    "name", "default",
                                    "runtime", kind,
                                    "method", "GET",
                                    "uri", "/hello?who={who}",
                                    "status", "200",
                                    "outcome", "SUCCESS",
                                    "exception", "none",
                                    "remote.address", address())
                            .timer()
                            .count())
                    .isEqualTo(1);
            String[] origin = {"remote.address", address()};
            assertThat(registry.get("aioduct.pool.acquire").tags(origin).timer().count())
                    .isEqualTo(1);
            assertThat(registry.get("aioduct.connect")
                            .tags(origin)
                            .tag("outcome", "success")
                            .timer()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get("aioduct.bytes.sent").tags(origin).counter().count())
                    .isPositive();
            assertThat(registry.get("aioduct.bytes.received")
                            .tags(origin)
                            .counter()
                            .count())
                    .isGreaterThanOrEqualTo("hello".length());
            assertThat(registry.find("aioduct.errors").counters())
                    .allSatisfy(c -> assertThat(c.count()).isZero());
        });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pooled", "virtual", "io-uring"})
    void aRefusedConnectionIsAConnectErrorAndAFailedConnect(String kind) {
        on(kind).run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            AioductClient client = context.getBean(AioductClient.class);
            TestServer gone = TestServer.start();
            String uri = gone.uri("/x");
            gone.close();
            assertThat(client.get(java.net.URI.create(uri)).send()).failsWithin(Duration.ofSeconds(10));
            await(
                    "a connect error",
                    () -> registry.get("aioduct.errors")
                                    .tag("kind", "connect")
                                    .counter()
                                    .count()
                            == 1);
            assertThat(registry.get("aioduct.connect")
                            .tag("outcome", "failure")
                            .timer()
                            .count())
                    .isPositive();
        });
    }

    @Test
    void aRedirectARestClientFollowsIsCountedAndAnApplicationListenerHearsItToo() {
        server.route("/moved", (req, ex) -> ex.respond(302, new byte[0], "Location", "/hello"));
        List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        EventListener own = new EventListener() {
            @Override
            public void redirect(Request request, int status, java.net.URI location) {
                heard.add(status + " " + location.getPath());
            }
        };
        on("pooled")
                .withBean(AioductEngineConfigCustomizer.class, () -> b -> b.eventListener(own))
                .run(context -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    RestClient rest = context.getBean(RestClient.Builder.class).build();
                    assertThat(rest.get().uri(server.uri("/moved")).retrieve().body(String.class))
                            .isEqualTo("hello");
                    awaitQuiet(context.getBean(HttpEngine.class));
                    assertThat(registry.get("aioduct.redirects").counter().count())
                            .isEqualTo(1);
                    assertThat(heard).containsExactly("302 /hello");
                    // Both hops were a Spring client's: Spring timed the request once, the engine timer not at all.
                    assertThat(registry.get("http.client.requests").timer().count())
                            .isEqualTo(1);
                    assertThat(registry.find("aioduct.client.requests").meters())
                            .isEmpty();
                });
    }

    @Test
    void originsBeyondTheCapAreCollapsedIntoOther() {
        List<TestServer> servers = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                TestServer s = TestServer.start();
                s.route("/hello", (req, ex) -> ex.respond(200, "hello"));
                servers.add(s);
            }
            on("pooled").withPropertyValues("aioduct.metrics.max-origins=2").run(context -> {
                MeterRegistry registry = context.getBean(MeterRegistry.class);
                AioductClient client = context.getBean(AioductClient.class);
                for (TestServer s : servers) {
                    try (Response r = client.get(s.uri("/hello")).execute()) {
                        r.body().string();
                    }
                }
                awaitQuiet(context.getBean(HttpEngine.class));
                scrape(registry);
                assertThat(registry.find("aioduct.connections")
                                .tag("state", "idle")
                                .gauges())
                        .extracting(g -> g.getId().getTag("remote.address"))
                        .hasSize(3)
                        .contains("OTHER");
                assertThat(registry.get("aioduct.connections")
                                .tags("remote.address", "OTHER", "state", "idle")
                                .gauge()
                                .value())
                        .isEqualTo(2);
            });
        } finally {
            servers.forEach(TestServer::close);
        }
    }

    @Test
    void metricsDisabledRegistersNoAioductMeter() {
        on("pooled").withPropertyValues("aioduct.metrics.enabled=false").run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            try (Response r = context.getBean(AioductClient.class)
                    .get(server.uri("/hello"))
                    .execute()) {
                r.body().string();
            }
            awaitQuiet(context.getBean(HttpEngine.class));
            scrape(registry);
            assertThat(context).doesNotHaveBean(AioductMeterBinder.class);
            assertThat(registry.getMeters()).noneMatch(m -> m.getId().getName().startsWith("aioduct."));
        });
    }

    @Test
    void withoutAMeterRegistryNothingIsBound() {
        new ApplicationContextRunner()
                .withConfiguration(
                        AutoConfigurations.of(AioductAutoConfiguration.class, AioductMetricsAutoConfiguration.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(AioductMeterBinder.class));
    }

    @Test
    void aNamedClientsMetersCarryItsNameAndRuntime() {
        on("pooled")
                .withPropertyValues("aioduct.clients.edge.runtime.kind=virtual")
                .run(context -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    AioductClients clients = context.getBean(AioductClients.class);
                    try (Response r =
                            clients.client("edge").get(server.uri("/hello")).execute()) {
                        r.body().string();
                    }
                    awaitQuiet(clients.engine("edge"));
                    scrape(registry);
                    Search edge = registry.find("aioduct.connections").tags("name", "edge", "state", "idle");
                    assertThat(edge.gauge()).isNotNull();
                    assertThat(edge.gauge().getId().getTag("runtime")).isEqualTo("virtual");
                    assertThat(edge.gauge().value()).isEqualTo(1);
                    assertThat(registry.find("aioduct.runtime.threads").gauges())
                            .extracting(g ->
                                    g.getId().getTag("name") + "/" + g.getId().getTag("runtime"))
                            .containsExactlyInAnyOrder("default/pooled", "edge/virtual");
                });
    }
}
