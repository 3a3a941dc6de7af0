package io.aioduct.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.AioductClient;
import io.aioduct.ConnectionClosedException;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.pool.PoolConfig;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.ManualTicker;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.RuntimeKind;
import io.aioduct.testing.ServerExchange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Connection pooling seen from the wire, on every runtime: reuse order, limits, eviction with an
 * injected clock, stale connections and the one automatic retry. io_uring runs one core here so that
 * the test thread's requests share one pool (per-core pools are tested in the io_uring runtime tests).
 */
class PoolBehaviourTest extends EngineTest {

    private AioductClient client(RuntimeKind kind, EngineConfig config) {
        HttpEngine engine = singlePoolEngine(kind, config);
        return AioductClient.builder(engine).build();
    }

    private static EngineConfig pool(PoolConfig pool) {
        return EngineConfig.builder().pool(pool).build();
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void mostRecentlyReleasedConnectionIsReusedFirst(RuntimeKind kind) throws Exception {
        BlockingQueue<ServerExchange> held = new LinkedBlockingQueue<>();
        server.route("/hold", (req, ex) -> held.add(ex));
        server.route("/next", (req, ex) -> ex.respond(200, "next"));
        AioductClient client = client(kind, EngineConfig.DEFAULT);
        HttpEngine engine = client.engine();

        List<CompletableFuture<Response>> pending = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            pending.add(client.get(server.uri("/hold")).send());
        }
        List<ServerExchange> exchanges = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            exchanges.add(held.poll(5, TimeUnit.SECONDS));
        }
        for (int i = 0; i < 3; i++) {
            exchanges.get(i).respond(200, "held");
            int idle = i + 1;
            awaitTrue(() -> idleConnections(engine) == idle, () -> "idle never reached " + idle);
        }
        for (CompletableFuture<Response> f : pending) {
            f.get(5, TimeUnit.SECONDS).close();
        }

        client.get(server.uri("/next")).execute().close();

        RecordedRequest next = server.requests().get(3);
        assertThat(next.path()).isEqualTo("/next");
        assertThat(next.connectionId()).isEqualTo(exchanges.get(2).connectionId());
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void requestsBeyondTheConnectionLimitWaitForAFreeConnection(RuntimeKind kind) throws Exception {
        AtomicInteger arrived = new AtomicInteger();
        BlockingQueue<ServerExchange> held = new LinkedBlockingQueue<>();
        server.route("/", (req, ex) -> {
            arrived.incrementAndGet();
            held.add(ex);
        });
        AioductClient client = client(kind, pool(PoolConfig.DEFAULT.withMaxConnectionsPerOrigin(2)));

        List<CompletableFuture<Response>> pending = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            pending.add(client.get(server.uri("/")).send());
        }
        for (int served = 0; served < 5; served++) {
            ServerExchange ex = held.poll(5, TimeUnit.SECONDS);
            assertThat(ex).as("request %d reached the server", served).isNotNull();
            assertThat(server.openConnections()).isLessThanOrEqualTo(2);
            ex.respond(200, "ok");
        }
        for (CompletableFuture<Response> f : pending) {
            assertThat(f.get(5, TimeUnit.SECONDS).body().string()).isEqualTo("ok");
        }

        assertThat(server.connectionsAccepted()).isEqualTo(2);
        assertThat(arrived).hasValue(5);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void idleConnectionsBeyondTheIdleLimitAreClosed(RuntimeKind kind) throws Exception {
        BlockingQueue<ServerExchange> held = new LinkedBlockingQueue<>();
        server.route("/", (req, ex) -> held.add(ex));
        AioductClient client = client(kind, pool(PoolConfig.DEFAULT.withMaxIdlePerOrigin(1)));

        List<CompletableFuture<Response>> pending = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            pending.add(client.get(server.uri("/")).send());
        }
        for (int i = 0; i < 3; i++) {
            held.poll(5, TimeUnit.SECONDS).respond(200, "ok");
        }
        for (CompletableFuture<Response> f : pending) {
            f.get(5, TimeUnit.SECONDS).body().string();
        }

        server.awaitOpenConnections(1, Duration.ofSeconds(5));
        assertThat(idleConnections(client.engine())).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void idleTimeoutEvictsConnectionsByTheInjectedClock(RuntimeKind kind) {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        ManualTicker clock = new ManualTicker();
        EngineConfig config = EngineConfig.builder()
                .ticker(clock)
                .pool(PoolConfig.DEFAULT
                        .withIdleTimeout(Duration.ofSeconds(30))
                        .withEvictionInterval(Duration.ofHours(1)))
                .build();
        AioductClient client = client(kind, config);
        client.get(server.uri("/")).execute().close();
        awaitTrue(() -> idleConnections(client.engine()) == 1, () -> "connection never went idle");

        clock.advance(Duration.ofSeconds(29));
        client.engine().evictIdle();
        assertThat(idleConnections(client.engine())).isEqualTo(1);
        assertThat(server.openConnections()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(2));
        client.engine().evictIdle();
        assertThat(idleConnections(client.engine())).isZero();
        server.awaitOpenConnections(0, Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void connectionsPastTheirMaxLifetimeAreNotReused(RuntimeKind kind) {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        ManualTicker clock = new ManualTicker();
        EngineConfig config = EngineConfig.builder()
                .ticker(clock)
                .pool(PoolConfig.DEFAULT
                        .withMaxLifetime(Duration.ofMinutes(1))
                        .withIdleTimeout(Duration.ZERO)
                        .withEvictionInterval(Duration.ofHours(1)))
                .build();
        AioductClient client = client(kind, config);

        client.get(server.uri("/")).execute().close();
        clock.advance(Duration.ofSeconds(30));
        client.get(server.uri("/")).execute().close();
        clock.advance(Duration.ofSeconds(31));
        client.get(server.uri("/")).execute().close();

        assertThat(server.requests()).extracting(RecordedRequest::connectionId).containsExactly(1, 1, 2);
        server.awaitOpenConnections(1, Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void anIdleConnectionTheServerClosedIsNeverHandedOut(RuntimeKind kind) {
        server.route("/", (req, ex) -> ex.respond(200, req.method()));
        AioductClient client = client(kind, EngineConfig.DEFAULT);
        client.get(server.uri("/")).execute().close();
        awaitTrue(() -> idleConnections(client.engine()) == 1, () -> "connection never went idle");

        assertThat(server.closeIdleConnections()).isEqualTo(1);
        if (kind.eventDriven()) {
            // Event-loop runtimes drop the connection from the pool as soon as the close arrives.
            awaitTrue(() -> idleConnections(client.engine()) == 0, () -> "closed connection stayed in the pool");
        }
        // The blocking runtime finds out on checkout, with a non-blocking probe of the socket. Either
        // way a POST, which is never retried, must go out on a fresh connection.
        Response r =
                client.post(server.uri("/")).body(RequestBody.ofString("x")).execute();

        assertThat(r.body().string()).isEqualTo("POST");
        assertThat(server.connectionsAccepted()).isEqualTo(2);
        assertThat(server.requestCount()).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void anIdempotentRequestThatHitsAStaleConnectionIsRetriedOnceOnAFreshOne(RuntimeKind kind) {
        AtomicInteger count = new AtomicInteger();
        server.route("/", (req, ex) -> {
            if (count.incrementAndGet() == 2) {
                ex.close(); // the server gave up on the connection just as the request arrived
            } else {
                ex.respond(200, "ok " + count.get());
            }
        });
        AioductClient client = client(kind, EngineConfig.DEFAULT);
        client.get(server.uri("/")).execute().close();

        Response r = client.get(server.uri("/")).execute();

        assertThat(r.body().string()).isEqualTo("ok 3");
        assertThat(server.requests()).extracting(RecordedRequest::connectionId).containsExactly(1, 1, 2);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aNonIdempotentRequestIsNotRetried(RuntimeKind kind) {
        AtomicInteger count = new AtomicInteger();
        server.route("/", (req, ex) -> {
            if (count.incrementAndGet() == 2) {
                ex.close();
            } else {
                ex.respond(200, "ok");
            }
        });
        AioductClient client = client(kind, EngineConfig.DEFAULT);
        client.get(server.uri("/")).execute().close();

        assertThatThrownBy(() -> client.post(server.uri("/"))
                        .body(RequestBody.ofString("once"))
                        .execute())
                .isInstanceOf(ConnectionClosedException.class)
                .hasMessageContaining("closed by the server");
        assertThat(server.requestCount()).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void theRetryHappensOnlyOnce(RuntimeKind kind) {
        AtomicInteger count = new AtomicInteger();
        server.route("/", (req, ex) -> {
            if (count.incrementAndGet() == 1) {
                ex.respond(200, "ok");
            } else {
                ex.close();
            }
        });
        AioductClient client = client(kind, EngineConfig.DEFAULT);
        client.get(server.uri("/")).execute().close();

        assertThatThrownBy(() -> client.get(server.uri("/")).execute()).isInstanceOf(ConnectionClosedException.class);
        assertThat(server.requestCount()).isEqualTo(3);
    }
}
