package io.aioduct.spring.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.engine.HttpEngine;
import io.aioduct.runtime.compat.CompatRuntime;
import io.aioduct.spring.autoconfigure.AioductAutoConfiguration;
import io.aioduct.spring.autoconfigure.AioductCompatAutoConfiguration;
import io.aioduct.spring.autoconfigure.AioductHttpClientAutoConfiguration;
import io.aioduct.spring.testing.NoLeaks;
import io.aioduct.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.restclient.autoconfigure.RestTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * A service halfway through a migration, on the compat runtime: legacy {@code @Async} and {@code @Scheduled}
 * code calling RestTemplate, and new code calling WebClient, run together against one server, on one engine,
 * one connection pool and one set of threads; closing the context stops every thread. The worked example
 * of docs/compat.md (the {@code tag::} regions), on both runtimes a compat runtime can wrap.
 */
class CompatMigrationTest extends NoLeaks {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    AioductAutoConfiguration.class,
                    AioductHttpClientAutoConfiguration.class,
                    AioductCompatAutoConfiguration.class,
                    TaskExecutionAutoConfiguration.class,
                    TaskSchedulingAutoConfiguration.class,
                    HttpClientAutoConfiguration.class,
                    ImperativeHttpClientAutoConfiguration.class,
                    ReactiveHttpClientAutoConfiguration.class,
                    HttpMessageConvertersAutoConfiguration.class,
                    RestTemplateAutoConfiguration.class,
                    WebClientAutoConfiguration.class))
            .withUserConfiguration(AlertsApplication.class);

    private TestServer server;

    @BeforeEach
    void startServer() {
        server = TestServer.start();
        server.route(
                "/price/",
                (req, ex) ->
                        ex.respond(200, req.path().substring("/price/".length()).length() + "0"));
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    // tag::spring-config[]
    @Configuration(proxyBeanMethods = false)
    @EnableAsync
    @EnableScheduling
    @Import({PriceAlerts.class, PriceQuotes.class})
    static class AlertsApplication {}
    // end::spring-config[]

    // tag::spring-legacy[]
    /** Legacy code: @Scheduled and @Async on the application's executor, blocking RestTemplate calls. */
    @Service
    static class PriceAlerts {
        private final RestTemplate rest;
        private final List<String> seen = new CopyOnWriteArrayList<>();

        PriceAlerts(RestTemplateBuilder builder, @Value("${prices.url}") String url) {
            this.rest = builder.baseUri(url).build();
        }

        @Scheduled(fixedDelayString = "${prices.watch-every:60s}")
        public void watch() {
            check("ACME");
        }

        @Async
        public CompletableFuture<String> checkNow(String symbol) {
            return CompletableFuture.completedFuture(check(symbol));
        }

        public List<String> seen() {
            return seen;
        }

        private String check(String symbol) {
            String price = rest.getForObject("/price/{symbol}", String.class, symbol); // blocks
            seen.add(symbol + "=" + price + " on " + Thread.currentThread().getName());
            return price;
        }
    }
    // end::spring-legacy[]

    // tag::spring-new[]
    /** New code: WebClient, non-blocking, on the same engine and connection pool. */
    @Service
    static class PriceQuotes {
        private final WebClient web;

        PriceQuotes(WebClient.Builder builder, @Value("${prices.url}") String url) {
            this.web = builder.baseUrl(url).build();
        }

        Mono<String> quote(String symbol) {
            return web.get().uri("/price/{symbol}", symbol).retrieve().bodyToMono(String.class);
        }
    }
    // end::spring-new[]

    @ParameterizedTest
    @ValueSource(strings = {"pooled", "virtual"})
    void legacyAndNewCodeShareOneRuntimeOneEngineAndOnePool(String kind) {
        CompatRuntime[] stopped = new CompatRuntime[1];
        runner.withPropertyValues(
                        "aioduct.runtime.kind=" + kind,
                        "aioduct.runtime.threads=1",
                        "aioduct.compat.enabled=true",
                        "aioduct.compat.task-executor=true",
                        "prices.url=" + server.uri(""))
                .run(context -> {
                    HttpEngine engine = context.getBean(HttpEngine.class);
                    CompatRuntime runtime = (CompatRuntime) engine.runtime();
                    stopped[0] = runtime;
                    PriceAlerts alerts = context.getBean(PriceAlerts.class);
                    PriceQuotes quotes = context.getBean(PriceQuotes.class);

                    // The @Scheduled watch ran at start-up, on a thread of the compat runtime.
                    awaitSeen(alerts, 1);
                    assertThat(alerts.seen().get(0)).startsWith("ACME=40 on aioduct-compat-");
                    awaitQuiet(engine);

                    // One after the other, legacy and new code reuse the same connection.
                    assertThat(alerts.checkNow("ACME").get(WAIT.toSeconds(), TimeUnit.SECONDS))
                            .isEqualTo("40");
                    assertThat(alerts.seen().get(1)).startsWith("ACME=40 on aioduct-compat-");
                    awaitQuiet(engine);
                    assertThat(quotes.quote("INITECH").block(WAIT)).isEqualTo("70");
                    awaitQuiet(engine);
                    assertThat(server.connectionsAccepted()).isEqualTo(1);

                    // Together: both sides in flight at once, still one pool for the origin.
                    List<CompletableFuture<String>> legacy = new ArrayList<>();
                    List<CompletableFuture<String>> modern = new ArrayList<>();
                    for (int i = 0; i < 4; i++) {
                        legacy.add(alerts.checkNow("L" + i));
                        modern.add(quotes.quote("NEW" + i).toFuture());
                    }
                    for (int i = 0; i < 4; i++) {
                        assertThat(legacy.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS))
                                .isEqualTo("20");
                        assertThat(modern.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS))
                                .isEqualTo("40");
                    }
                    awaitQuiet(engine);
                    assertThat(alerts.seen()).hasSize(6).allMatch(s -> s.contains(" on aioduct-compat-"));
                    assertThat(engine.poolStats()).singleElement().satisfies(pool -> {
                        assertThat(pool.origin().toString()).isEqualTo(server.uri(""));
                        assertThat(pool.active()).isZero();
                        // Every connection the server saw is in this one pool, serving both sides.
                        assertThat(pool.idle()).isEqualTo(server.connectionsAccepted());
                    });
                    assertThat(server.requestCount()).isEqualTo(11);
                    assertThat(runtime.isShutdown()).isFalse();
                });
        // Closing the context stopped the runtime: its threads, legacy and new, are gone.
        assertThat(stopped[0].isTerminated()).isTrue();
        awaitNoRuntimeThreads();
    }

    private static void awaitSeen(PriceAlerts alerts, int count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (alerts.seen().size() < count) {
            assertThat(System.nanoTime() - deadline)
                    .as("the scheduled check within %s", WAIT)
                    .isNegative();
            Thread.sleep(5);
        }
    }
}
