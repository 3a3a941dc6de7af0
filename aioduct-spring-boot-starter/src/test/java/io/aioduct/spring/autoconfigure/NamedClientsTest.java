package io.aioduct.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.aioduct.engine.HttpEngine;
import io.aioduct.event.ConnectionInfo;
import io.aioduct.event.EventListener;
import io.aioduct.runtime.RuntimeCompletion;
import io.aioduct.spring.actuate.AioductEndpoint;
import io.aioduct.spring.actuate.autoconfigure.AioductEndpointAutoConfiguration;
import io.aioduct.spring.testing.NoLeaks;
import io.aioduct.testing.TestServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestClient;

/**
 * {@code aioduct.clients.<name>.runtime.*}: one more engine and client per name, each on its own runtime, beside
 * the default client; looked up by qualifier or through {@link AioductClients}; closed with the context; bad
 * names and kinds fail start-up naming the property.
 */
class NamedClientsTest extends NoLeaks {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    AioductAutoConfiguration.class,
                    AioductHttpClientAutoConfiguration.class,
                    AioductEndpointAutoConfiguration.class))
            .withPropertyValues("management.endpoints.web.exposure.include=aioduct");

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

    @Test
    void eachNamedClientRunsOnItsOwnRuntimeBesideTheDefaultOne() {
        // Every close, with its reason and thread, so a failure below names who closed the connection.
        List<String> closes = new CopyOnWriteArrayList<>();
        AioductEngineObserver closeRecorder = new AioductEngineObserver() {
            @Override
            public EventListener eventListener(String name, String runtime) {
                return new EventListener() {
                    @Override
                    public void connectionClosed(ConnectionInfo connection, String reason) {
                        closes.add(name + ": " + reason + " on "
                                + Thread.currentThread().getName());
                    }
                };
            }
        };
        runner.withBean(AioductEngineObserver.class, () -> closeRecorder)
                .withPropertyValues(
                        "aioduct.clients.uring.runtime.kind=io-uring",
                        "aioduct.clients.uring.runtime.threads=2",
                        "aioduct.clients.loom.runtime.kind=virtual",
                        "aioduct.clients.epoll.runtime.kind=pooled",
                        "aioduct.clients.epoll.runtime.threads=1")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    AioductClients clients = context.getBean(AioductClients.class);
                    assertThat(clients.names()).containsExactly("default", "uring", "loom", "epoll");
                    assertThat(context.getBean(AioductClient.class)).isSameAs(clients.client("default"));
                    assertThat(context.getBean("uringAioductClient")).isSameAs(clients.client("uring"));
                    assertThat(RuntimeKind.tagOf(clients.engine("default").runtime()))
                            .isEqualTo("pooled");
                    assertThat(RuntimeKind.tagOf(clients.engine("uring").runtime()))
                            .isEqualTo("io-uring");
                    assertThat(RuntimeKind.tagOf(clients.engine("loom").runtime()))
                            .isEqualTo("virtual");
                    assertThat(RuntimeKind.tagOf(clients.engine("epoll").runtime()))
                            .isEqualTo("pooled");
                    assertThat(clients.engine("epoll")).isNotSameAs(clients.engine("default"));
                    for (String name : clients.names()) {
                        try (Response r =
                                clients.client(name).get(server.uri("/hello")).execute()) {
                            assertThat(r.body().string()).isEqualTo("hello");
                        }
                        HttpEngine engine = clients.engine(name);
                        awaitQuiet(engine);
                        assertThat(engine.poolStats())
                                .as("%s's own pool holds its connection (closes seen: %s)", name, closes)
                                .singleElement()
                                .satisfies(p -> assertThat(p.idle()).isEqualTo(1));
                    }
                });
    }

    @Test
    void aQualifiedInjectionGetsTheNamedClientAndAnUnqualifiedOneTheDefault() {
        runner.withUserConfiguration(Injected.class)
                .withPropertyValues(
                        "aioduct.clients.fast.runtime.kind=io-uring", "aioduct.clients.fast.runtime.threads=1")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    Injected injected = context.getBean(Injected.class);
                    AioductClients clients = context.getBean(AioductClients.class);
                    assertThat(injected.fast).isSameAs(clients.client("fast"));
                    assertThat(injected.plain).isSameAs(clients.client("default"));
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class Injected {
        AioductClient fast;
        AioductClient plain;

        @Bean
        String uses(@Qualifier("fast") AioductClient fast, AioductClient plain) {
            this.fast = fast;
            this.plain = plain;
            return "uses";
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"pooled", "virtual", "io-uring"})
    void aRestClientBuilderOfANameSendsThroughThatEngine(String kind) {
        runner.withPropertyValues(
                        "aioduct.clients.other.runtime.kind=" + kind, "aioduct.clients.other.runtime.threads=1")
                .run(context -> {
                    AioductClients clients = context.getBean(AioductClients.class);
                    RestClient rest = clients.restClientBuilder("other").build();
                    assertThat(rest.get().uri(server.uri("/hello")).retrieve().body(String.class))
                            .isEqualTo("hello");
                    awaitQuiet(clients.engine("other"));
                    assertThat(clients.engine("other").poolStats()).hasSize(1);
                    assertThat(clients.engine("default").poolStats()).isEmpty();
                });
    }

    @Test
    void anUnknownNameListsTheNamesThereAre() {
        runner.withPropertyValues("aioduct.clients.fast.runtime.kind=pooled").run(context -> {
            AioductClients clients = context.getBean(AioductClients.class);
            assertThatThrownBy(() -> clients.client("slow"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'slow'")
                    .hasMessageContaining("[default, fast]");
        });
    }

    @Test
    void theEndpointListsEveryEngineByName() {
        runner.withPropertyValues(
                        "aioduct.clients.fast.runtime.kind=io-uring", "aioduct.clients.fast.runtime.threads=1")
                .run(context -> {
                    AioductEndpoint endpoint = context.getBean(AioductEndpoint.class);
                    assertThat(endpoint.engines().engines()).containsOnlyKeys("default", "fast");
                    assertThat(endpoint.engines()
                                    .engines()
                                    .get("fast")
                                    .runtime()
                                    .kind())
                            .isEqualTo("io-uring");
                    assertThat(endpoint.engine("default").runtime().kind()).isEqualTo("pooled");
                    assertThat(endpoint.engine("nope")).isNull();
                });
    }

    @Test
    void closingTheContextClosesEveryNamedEngineAndItsRuntime() {
        AtomicReference<List<RuntimeCompletion>> runtimes = new AtomicReference<>();
        runner.withPropertyValues(
                        "aioduct.clients.a.runtime.kind=io-uring",
                        "aioduct.clients.a.runtime.threads=1",
                        "aioduct.clients.b.runtime.kind=virtual")
                .run(context -> {
                    AioductClients clients = context.getBean(AioductClients.class);
                    runtimes.set(clients.names().stream()
                            .map(n -> clients.engine(n).runtime())
                            .toList());
                });
        assertThat(runtimes.get())
                .hasSize(3)
                .allSatisfy(r -> assertThat(r.isClosed()).isTrue());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "aioduct.clients.Fast.runtime.kind=pooled | aioduct.clients.Fast is not a valid client name",
                "aioduct.clients.default.runtime.kind=pooled | aioduct.clients.default is reserved",
                "aioduct.clients.fast.runtime.threads=2 | aioduct.clients.fast.runtime.kind must be set: one of pooled, virtual, io-uring",
                "aioduct.clients.fast.runtime.kind=green | pooled, virtual, io-uring",
                "aioduct.clients.fast.runtime.threads=0 | aioduct.clients.fast.runtime.threads must be at least 1"
            })
    void aBadNamedClientFailsStartUpNamingTheProperty(String property, String message) {
        runner.withPropertyValues(property).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining(message);
        });
    }
}
