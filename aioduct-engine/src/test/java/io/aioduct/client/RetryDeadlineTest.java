package io.aioduct.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.AioductClient;
import io.aioduct.TimedOutException;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.RuntimeKind;
import io.aioduct.testing.ServerExchange;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The engine's one automatic retry is part of the same exchange: it still counts as in flight, and the
 * total timeout still covers it.
 */
class RetryDeadlineTest extends EngineTest {

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aRetriedRequestStaysInFlightAndUnderItsTotalTimeout(RuntimeKind kind) throws Exception {
        AtomicInteger count = new AtomicInteger();
        BlockingQueue<ServerExchange> held = new LinkedBlockingQueue<>();
        server.route("/", (req, ex) -> {
            int n = count.incrementAndGet();
            if (n == 1) {
                ex.respond(200, "first");
            } else if (n == 2) {
                ex.close(); // the reused connection dies under the request: it is retried
            } else {
                held.add(ex); // the retry gets no answer
            }
        });
        HttpEngine engine = singlePoolEngine(kind, EngineConfig.DEFAULT);
        AioductClient client = AioductClient.builder(engine).build();
        client.get(server.uri("/")).execute().close();
        awaitTrue(() -> idleConnections(engine) == 1, () -> "connection never went idle");

        CompletableFuture<?> retried =
                client.get(server.uri("/")).totalTimeout(Duration.ofSeconds(1)).send();
        assertThat(held.poll(10, TimeUnit.SECONDS))
                .as("the retry reached the server")
                .isNotNull();
        assertThat(engine.inFlight())
                .as("the retried exchange is still in flight")
                .isEqualTo(1);

        assertThatThrownBy(() -> retried.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(TimedOutException.class);
        assertThat(((TimedOutException) unwrap(retried)).kind()).isEqualTo(TimedOutException.Kind.TOTAL);
    }

    private static Throwable unwrap(CompletableFuture<?> f) {
        try {
            f.join();
            throw new AssertionError("completed normally");
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause();
        }
    }
}
