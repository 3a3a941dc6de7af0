package io.aioduct.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.Request;
import io.aioduct.Response;
import io.aioduct.engine.HttpEngine;
import io.aioduct.event.EventListener;
import io.aioduct.spring.testing.NoLeaks;
import io.aioduct.testing.TestServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The listeners of {@link AioductEngineObserver}s join the one an {@link AioductEngineConfigCustomizer}
 * set, through the engine's {@link EventListener#composite}: each hears every event in order, a throwing
 * one does not silence the others, and without observers the customizer's listener is the engine's as is.
 */
class ObserverListenersTest extends NoLeaks {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AioductAutoConfiguration.class))
            .withPropertyValues("aioduct.runtime.threads=2");

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

    /** Records call starts and ends as "who:event". */
    private static EventListener recording(String who, List<String> heard) {
        return new EventListener() {
            @Override
            public void callStart(Request request) {
                heard.add(who + ":callStart");
            }

            @Override
            public void callEnd(Request request, int status, long nanos) {
                heard.add(who + ":callEnd " + status);
            }
        };
    }

    /** Throws from the same events, before recording them. */
    private static EventListener throwing(String who, List<String> heard) {
        return new EventListener() {
            @Override
            public void callStart(Request request) {
                heard.add(who + ":callStart");
                throw new IllegalStateException(who + " is broken");
            }

            @Override
            public void callEnd(Request request, int status, long nanos) {
                heard.add(who + ":callEnd " + status);
                throw new IllegalStateException(who + " is broken");
            }
        };
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pooled", "virtual", "io-uring"})
    void aThrowingApplicationListenerDoesNotSilenceTheObservers(String kind) {
        List<String> heard = new CopyOnWriteArrayList<>();
        runner.withPropertyValues("aioduct.runtime.kind=" + kind)
                .withBean(AioductEngineConfigCustomizer.class, () -> b -> b.eventListener(throwing("app", heard)))
                .withBean("first", AioductEngineObserver.class, () -> new AioductEngineObserver() {
                    @Override
                    public EventListener eventListener(String name, String runtime) {
                        return recording("observer", heard);
                    }
                })
                .run(context -> {
                    AioductClient client = context.getBean(AioductClient.class);
                    try (Response r = client.get(server.uri("/hello")).execute()) {
                        assertThat(r.body().string()).isEqualTo("hello");
                    }
                    awaitQuiet(context.getBean(HttpEngine.class));
                    assertThat(heard)
                            .containsExactly(
                                    "app:callStart", "observer:callStart", "app:callEnd 200", "observer:callEnd 200");
                });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pooled", "virtual", "io-uring"})
    void withoutObserversTheApplicationListenerIsTheEngines(String kind) {
        List<String> heard = new CopyOnWriteArrayList<>();
        EventListener own = recording("app", heard);
        runner.withPropertyValues("aioduct.runtime.kind=" + kind)
                .withBean(AioductEngineConfigCustomizer.class, () -> b -> b.eventListener(own))
                .run(context -> {
                    HttpEngine engine = context.getBean(HttpEngine.class);
                    assertThat(engine.config().eventListener()).isSameAs(own);
                    try (Response r = context.getBean(AioductClient.class)
                            .get(server.uri("/hello"))
                            .execute()) {
                        assertThat(r.body().string()).isEqualTo("hello");
                    }
                    awaitQuiet(engine);
                    assertThat(heard).containsExactly("app:callStart", "app:callEnd 200");
                });
    }
}
