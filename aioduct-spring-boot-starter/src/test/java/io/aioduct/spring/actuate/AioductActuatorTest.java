package io.aioduct.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.aioduct.engine.HttpEngine;
import io.aioduct.spring.actuate.autoconfigure.AioductEndpointAutoConfiguration;
import io.aioduct.spring.actuate.autoconfigure.AioductHealthContributorAutoConfiguration;
import io.aioduct.spring.autoconfigure.AioductAutoConfiguration;
import io.aioduct.spring.testing.NoLeaks;
import io.aioduct.testing.ServerExchange;
import io.aioduct.testing.TestServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The {@code aioduct} health indicator and actuator endpoint, over a context's own engine. */
class AioductActuatorTest extends NoLeaks {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    AioductAutoConfiguration.class,
                    AioductHealthContributorAutoConfiguration.class,
                    AioductEndpointAutoConfiguration.class))
            .withPropertyValues("management.endpoints.web.exposure.include=aioduct");

    private TestServer server;

    @BeforeEach
    void startServer() {
        server = TestServer.start();
        server.route("/ok", (req, ex) -> ex.respond(200, "ok"));
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void healthIsUpWithTheRuntimeInTheDetails() {
        runner.run(context -> {
            Health health = context.getBean(AioductHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("runtime", "pooled(epoll)");
        });
    }

    @Test
    void healthIsDownOnceTheEngineIsShutDown() {
        runner.run(context -> {
            context.getBean(HttpEngine.class).close();
            Health health = context.getBean(AioductHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        });
    }

    @Test
    void healthIsDownWhileAPoolIsExhaustedAndUpAgainAfter() {
        BlockingQueue<ServerExchange> held = new LinkedBlockingQueue<>();
        server.route("/hold", (req, ex) -> held.add(ex));
        runner.withPropertyValues("aioduct.pool.max-connections-per-origin=1", "aioduct.pool.max-pending-acquires=0")
                .run(context -> {
                    AioductClient client = context.getBean(AioductClient.class);
                    AioductHealthIndicator indicator = context.getBean(AioductHealthIndicator.class);
                    CompletableFuture<Response> busy =
                            client.get(server.uri("/hold")).send();
                    ServerExchange exchange = held.poll(10, TimeUnit.SECONDS);
                    assertThat(exchange).isNotNull();

                    Health health = indicator.health();
                    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
                    assertThat(health.getDetails().get("exhaustedPools"))
                            .isEqualTo(List.of("http://127.0.0.1:" + server.port()));

                    exchange.respond(200, "done");
                    busy.get(10, TimeUnit.SECONDS).close();
                    awaitQuiet(context.getBean(HttpEngine.class));
                    assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
                });
    }

    @Test
    void aBusyPoolWithRoomInItsQueueIsSaturatedButUp() {
        BlockingQueue<ServerExchange> held = new LinkedBlockingQueue<>();
        server.route("/hold", (req, ex) -> held.add(ex));
        runner.withPropertyValues("aioduct.pool.max-connections-per-origin=1").run(context -> {
            AioductClient client = context.getBean(AioductClient.class);
            CompletableFuture<Response> first = client.get(server.uri("/hold")).send();
            ServerExchange exchange = held.poll(10, TimeUnit.SECONDS);
            CompletableFuture<Response> waiting = client.get(server.uri("/ok")).send();
            HttpEngine engine = context.getBean(HttpEngine.class);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (engine.poolStats().stream().noneMatch(s -> s.pending() > 0) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Health health = context.getBean(AioductHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsKey("saturatedPools");
            exchange.respond(200, "done");
            first.get(10, TimeUnit.SECONDS).close();
            waiting.get(10, TimeUnit.SECONDS).close();
        });
    }

    @Test
    void theHealthIndicatorCanBeTurnedOff() {
        runner.withPropertyValues("management.health.aioduct.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(AioductHealthIndicator.class));
    }

    @Test
    void theEndpointIsThereOnlyWhenExposed() {
        new ApplicationContextRunner()
                .withConfiguration(
                        AutoConfigurations.of(AioductAutoConfiguration.class, AioductEndpointAutoConfiguration.class))
                .run(context -> assertThat(context).doesNotHaveBean(AioductEndpoint.class));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pooled", "virtual", "io-uring"})
    void theEndpointShowsTheRuntimeItsThreadsAndEveryPool(String kind) {
        runner.withPropertyValues("aioduct.runtime.kind=" + kind, "aioduct.runtime.threads=2")
                .run(context -> {
                    AioductClient client = context.getBean(AioductClient.class);
                    client.get(server.uri("/ok")).execute().close();
                    awaitQuiet(context.getBean(HttpEngine.class));

                    EngineSnapshot snapshot =
                            context.getBean(AioductEndpoint.class).engine("default");
                    assertThat(snapshot.runtime().kind()).isEqualTo(kind);
                    assertThat(snapshot.runtime().closed()).isFalse();
                    assertThat(snapshot.inFlight()).isZero();
                    String origin = "http://127.0.0.1:" + server.port();
                    assertThat(snapshot.pools()).singleElement().satisfies(p -> {
                        assertThat(p.origin()).isEqualTo(origin);
                        assertThat(p.protocol()).isEqualTo("http/1.1");
                        assertThat(p.active()).isZero();
                        assertThat(p.idle()).isEqualTo(1);
                        assertThat(p.pending()).isZero();
                    });
                    EngineSnapshot.ThreadsInfo threads = snapshot.runtime().threads();
                    switch (kind) {
                        case "pooled" -> assertThat(threads.ioThreads()).isEqualTo(2);
                        case "virtual" -> assertThat(threads.runningTasks()).isNotNull();
                        default -> {
                            assertThat(threads.cores()).hasSize(2);
                            assertThat(threads.cores().get(1).thread()).isEqualTo("aioduct-uring-core-1");
                            int core = snapshot.pools().get(0).core();
                            assertThat(threads.cores().get(core).pools()).hasSize(1);
                        }
                    }
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"pooled", "virtual"})
    void underACompatRuntimeTheEndpointSaysSoAndShowsThePool(String kind) {
        runner.withPropertyValues("aioduct.runtime.kind=" + kind, "aioduct.compat.enabled=true")
                .run(context -> {
                    context.getBean(AioductClient.class)
                            .get(server.uri("/ok"))
                            .execute()
                            .close();
                    awaitQuiet(context.getBean(HttpEngine.class));

                    EngineSnapshot snapshot =
                            context.getBean(AioductEndpoint.class).engine("default");
                    assertThat(snapshot.runtime().kind()).isEqualTo("compat");
                    assertThat(snapshot.runtime().name()).startsWith("compat(").contains(kind);
                    assertThat(snapshot.pools())
                            .singleElement()
                            .satisfies(p -> assertThat(p.idle()).isEqualTo(1));
                });
    }

    @Test
    void theSnapshotSerialisesAsAMapOfPlainValues() {
        runner.run(context -> {
            EngineSnapshot snapshot = context.getBean(AioductEndpoint.class).engine("default");
            @SuppressWarnings("unchecked")
            Map<String, Object> json = new tools.jackson.databind.json.JsonMapper().convertValue(snapshot, Map.class);
            assertThat(json).containsKeys("runtime", "inFlight", "pools");
            assertThat(json.get("runtime"))
                    .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                    .containsEntry("kind", "pooled");
        });
    }
}
