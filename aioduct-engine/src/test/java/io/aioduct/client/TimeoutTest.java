package io.aioduct.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.aioduct.AioductClient;
import io.aioduct.PoolExhaustedException;
import io.aioduct.Response;
import io.aioduct.TimedOutException;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.pool.PoolConfig;
import io.aioduct.pool.PoolStats;
import io.aioduct.runtime.RuntimeLocal;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.RuntimeKind;
import io.aioduct.testing.ServerExchange;
import io.aioduct.testing.StreamingResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every timeout on every runtime: it fires with the right {@link TimedOutException.Kind}, the connection the
 * exchange used is closed, and nothing is left in flight or checked out.
 */
class TimeoutTest extends EngineTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration SHORT = Duration.ofMillis(200);

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void responseTimeoutFiresWhenTheServerNeverAnswers(RuntimeKind kind) {
        server.route("/stall", (req, ex) -> ex.stall());
        AioductClient client = client(kind, EngineConfig.DEFAULT, b -> b.responseTimeout(SHORT));

        assertThatThrownBy(() -> client.get(server.uri("/stall")).execute())
                .isInstanceOfSatisfying(TimedOutException.class, e -> {
                    assertThat(e.kind()).isEqualTo(TimedOutException.Kind.RESPONSE);
                    assertThat(e.timeout()).isEqualTo(SHORT);
                    assertThat(e.getMessage()).contains("response");
                });

        assertThat(server.takeRequest().path()).isEqualTo("/stall");
        server.awaitOpenConnections(0, WAIT);
        awaitQuiet(client.engine());
        assertThat(server.requestCount())
                .as("a timed-out request is not retried")
                .isEqualTo(1);
    }

    /**
     * The same from a virtual thread, where the virtual runtime's blocking reads have no socket timeout and
     * a watcher closes the socket of a read past its deadline: it still fires as the response timeout.
     */
    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void responseTimeoutFiresForAVirtualThreadCaller(RuntimeKind kind) throws Exception {
        server.route("/stall", (req, ex) -> ex.stall());
        AioductClient client = client(kind, EngineConfig.DEFAULT, b -> b.responseTimeout(SHORT));

        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (Response r = client.get(server.uri("/stall")).execute()) {
                failure.complete(new AssertionError("expected a timeout, got " + r.status()));
            } catch (Throwable e) {
                failure.complete(e);
            }
        });

        assertThat(failure.get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
                .isInstanceOfSatisfying(TimedOutException.class, e -> {
                    assertThat(e.kind()).isEqualTo(TimedOutException.Kind.RESPONSE);
                    assertThat(e.timeout()).isEqualTo(SHORT);
                });
        server.awaitOpenConnections(0, WAIT);
        awaitQuiet(client.engine());
        assertThat(server.requestCount())
                .as("a timed-out request is not retried")
                .isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void perRequestResponseTimeoutOverridesTheClients(RuntimeKind kind) {
        server.route("/stall", (req, ex) -> ex.stall());
        AioductClient client = client(kind, EngineConfig.DEFAULT, b -> b.responseTimeout(Duration.ofSeconds(30)));

        assertThatThrownBy(() ->
                        client.get(server.uri("/stall")).responseTimeout(SHORT).execute())
                .isInstanceOfSatisfying(TimedOutException.class, e -> {
                    assertThat(e.kind()).isEqualTo(TimedOutException.Kind.RESPONSE);
                    assertThat(e.timeout()).isEqualTo(SHORT);
                });

        server.awaitOpenConnections(0, WAIT);
        awaitQuiet(client.engine());
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void readTimeoutFiresWhenTheBodyStopsArriving(RuntimeKind kind) throws Exception {
        server.route("/partial", (req, ex) -> ex.respondStreaming(200, 1000).write("x".repeat(100)));
        AioductClient client = client(kind, EngineConfig.DEFAULT, b -> b.readTimeout(Duration.ofMillis(300)));

        Response response = client.get(server.uri("/partial")).execute();
        assertThat(response.status()).isEqualTo(200);
        Throwable failure = bodyFailure(response);

        assertThat(failure).isInstanceOfSatisfying(TimedOutException.class, e -> {
            assertThat(e.kind()).isEqualTo(TimedOutException.Kind.READ);
            assertThat(e.timeout()).isEqualTo(Duration.ofMillis(300));
            assertThat(e.getMessage()).contains("read timeout");
        });
        server.awaitOpenConnections(0, WAIT);
        awaitQuiet(client.engine());
    }

    /** The same with a large body, read in the biggest chunks each runtime uses. */
    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void readTimeoutFiresWhenALargeBodyStopsArriving(RuntimeKind kind) throws Exception {
        server.route("/partial", (req, ex) -> ex.respondStreaming(200, 1 << 20).write("x".repeat(64 * 1024)));
        AioductClient client = client(kind, EngineConfig.DEFAULT, b -> b.readTimeout(Duration.ofMillis(300)));

        Response response = client.get(server.uri("/partial")).execute();
        Throwable failure = bodyFailure(response);

        assertThat(failure).isInstanceOfSatisfying(TimedOutException.class, e -> {
            assertThat(e.kind()).isEqualTo(TimedOutException.Kind.READ);
            assertThat(e.timeout()).isEqualTo(Duration.ofMillis(300));
        });
        server.awaitOpenConnections(0, WAIT);
        awaitQuiet(client.engine());
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void totalTimeoutFiresWhileTheBodyTrickles(RuntimeKind kind) throws Exception {
        // A chunk every 50 ms keeps the 1 s read timeout from ever firing; only the total limit can.
        server.route("/trickle", (req, ex) -> trickle(ex, ex.respondStreaming(200, -1), 0));
        Duration total = Duration.ofMillis(300);
        AioductClient client = client(
                kind,
                EngineConfig.DEFAULT,
                b -> b.readTimeout(Duration.ofSeconds(1)).totalTimeout(total));

        Throwable failure;
        try {
            Response response = client.get(server.uri("/trickle")).execute();
            failure = bodyFailure(response);
        } catch (TimedOutException e) {
            failure = e; // the head is sent at once, but firing before it is delivered is also right
        }

        assertThat(failure).isInstanceOfSatisfying(TimedOutException.class, e -> {
            assertThat(e.kind()).isEqualTo(TimedOutException.Kind.TOTAL);
            assertThat(e.timeout()).isEqualTo(total);
        });
        server.awaitOpenConnections(0, WAIT);
        awaitQuiet(client.engine());
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void totalTimeoutEndsTheExchangeEvenWhileTheBodyIsNotBeingRead(RuntimeKind kind) throws Exception {
        server.route("/partial", (req, ex) -> ex.respondStreaming(200, 1000).write("x".repeat(100)));
        Duration total = Duration.ofMillis(300);
        AioductClient client = client(kind, EngineConfig.DEFAULT, b -> b.totalTimeout(total));

        Response response = client.get(server.uri("/partial")).execute();
        assertThat(response.status()).isEqualTo(200);

        // Nobody reads the body: the total limit still ends the exchange, closes the connection and frees its
        // pool slot, rather than waiting for a reader to notice.
        server.awaitOpenConnections(0, WAIT);
        awaitQuiet(client.engine());
        assertThat(bodyFailure(response))
                .isInstanceOfSatisfying(
                        TimedOutException.class, e -> assertThat(e.kind()).isEqualTo(TimedOutException.Kind.TOTAL));
    }

    /** Writes a small chunk every 50 ms, up to 100 of them, and stops as soon as a write fails. */
    private static void trickle(ServerExchange exchange, StreamingResponse body, int sent) {
        if (sent >= 100) {
            body.end();
            return;
        }
        body.write("tick " + sent + "\n").whenComplete((v, failure) -> {
            if (failure == null) {
                exchange.schedule(Duration.ofMillis(50), () -> trickle(exchange, body, sent + 1));
            }
        });
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void acquireTimeoutFiresWhileThePoolIsFull(RuntimeKind kind) throws Exception {
        PoolConfig pool = PoolConfig.DEFAULT.withMaxConnectionsPerOrigin(1).withAcquireTimeout(SHORT);
        BlockingQueue<ServerExchange> held = new LinkedBlockingQueue<>();
        server.route("/hold", (req, ex) -> held.add(ex));
        server.route("/quick", (req, ex) -> ex.respond(200, "quick"));
        AioductClient client = client(kind, EngineConfig.builder().pool(pool).build(), b -> {});

        List<CompletableFuture<Response>> holders = occupyEveryPool(client, held);

        assertThatThrownBy(() -> client.get(server.uri("/quick")).execute())
                .isInstanceOfSatisfying(TimedOutException.class, e -> {
                    assertThat(e.kind()).isEqualTo(TimedOutException.Kind.ACQUIRE);
                    assertThat(e.timeout()).isEqualTo(SHORT);
                });
        assertThat(pending(client.engine()))
                .as("the timed-out waiter left the queue")
                .isZero();
        assertThat(server.openConnections())
                .as("the holders' connections are untouched")
                .isEqualTo(holders.size());

        releaseHolders(held, holders);
        awaitQuiet(client.engine());
        assertThat(server.requests()).noneMatch(r -> r.path().equals("/quick"));
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void fullWaitQueueRefusesAtOnceWithPoolExhausted(RuntimeKind kind) throws Exception {
        PoolConfig pool = PoolConfig.DEFAULT.withMaxConnectionsPerOrigin(1).withMaxPendingAcquires(0);
        BlockingQueue<ServerExchange> held = new LinkedBlockingQueue<>();
        server.route("/hold", (req, ex) -> held.add(ex));
        server.route("/quick", (req, ex) -> ex.respond(200, "quick"));
        AioductClient client = client(kind, EngineConfig.builder().pool(pool).build(), b -> {});

        List<CompletableFuture<Response>> holders = occupyEveryPool(client, held);

        assertThatThrownBy(() -> client.get(server.uri("/quick")).execute())
                .isInstanceOf(PoolExhaustedException.class)
                .hasMessageContaining("maxPendingAcquires");

        releaseHolders(held, holders);
        awaitQuiet(client.engine());
        assertThat(server.requests()).noneMatch(r -> r.path().equals("/quick"));
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void connectTimeoutFiresWhenTheListenerNeverAccepts(RuntimeKind kind) throws Exception {
        // A listener with backlog 1 that never accepts: once its accept queue is full, Linux drops further
        // SYNs, so a connect neither succeeds nor is refused; it just waits. Loopback only.
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Closer fillers = fillAcceptQueue(listener)) {
            Duration connect = Duration.ofMillis(300);
            AioductClient client = client(kind, EngineConfig.DEFAULT, b -> b.connectTimeout(connect));
            String uri = "http://127.0.0.1:" + listener.getLocalPort() + "/";

            assertThatThrownBy(() -> client.get(uri).execute()).isInstanceOfSatisfying(TimedOutException.class, e -> {
                assertThat(e.kind()).isEqualTo(TimedOutException.Kind.CONNECT);
                assertThat(e.timeout()).isEqualTo(connect);
                assertThat(e.getMessage()).contains("connect");
            });
            awaitQuiet(client.engine());
            assertThat(idleConnections(client.engine())).isZero();
            assertThat(fillers.size()).isPositive();
        }
    }

    // ---- isolation: a failing test must not leak a busy engine into the tests after it ----

    private final List<HttpEngine> engines = new ArrayList<>();

    @Override
    protected HttpEngine engine(RuntimeKind kind, EngineConfig config) {
        HttpEngine e = super.engine(kind, config);
        engines.add(e);
        return e;
    }

    /**
     * Runs before {@link EngineTest}'s own check, which skips closing an engine it finds busy: an engine that
     * does not quiet down is closed here, then reported, so its threads cannot fail the following tests.
     */
    @AfterEach
    void closeEnginesLeftBusy() {
        AssertionError busy = null;
        for (HttpEngine e : engines) {
            if (e.isClosed()) {
                continue;
            }
            try {
                awaitQuiet(e);
            } catch (AssertionError notQuiet) {
                e.close(Duration.ofSeconds(1));
                if (busy == null) {
                    busy = notQuiet;
                }
            }
        }
        engines.clear();
        if (busy != null) {
            throw busy;
        }
    }

    // ---- helpers ----

    /** Sockets to close at the end of a test. */
    private static final class Closer implements AutoCloseable {
        private final List<Socket> sockets = new ArrayList<>();

        int size() {
            return sockets.size();
        }

        @Override
        public void close() throws IOException {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    /**
     * Connects raw sockets to {@code listener} until one connect hangs (times out), proving its accept queue is
     * full; fails the test if that never happens.
     */
    private static Closer fillAcceptQueue(ServerSocket listener) throws IOException {
        Closer fillers = new Closer();
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
        for (int i = 0; i < 16; i++) {
            Socket s = new Socket();
            try {
                s.connect(address, 200);
                fillers.sockets.add(s);
            } catch (SocketTimeoutException full) {
                s.close();
                return fillers;
            }
        }
        fillers.close();
        return fail("the accept queue of a backlog-1 listener never filled: connects are not dropped here");
    }

    /** How many connections sequential requests from the test thread spread over (one per io_uring core). */
    static int cores(AioductClient client) {
        return client.engine().runtime() instanceof RuntimeLocal local ? local.cores() : 1;
    }

    /**
     * Sends one request per pool (per core on io_uring) that the server holds unanswered, and waits until each
     * holds its pool's single connection.
     */
    List<CompletableFuture<Response>> occupyEveryPool(AioductClient client, BlockingQueue<ServerExchange> held) {
        int cores = cores(client);
        List<CompletableFuture<Response>> holders = new ArrayList<>();
        for (int i = 0; i < cores; i++) {
            holders.add(client.get(server.uri("/hold")).send());
        }
        awaitTrue(
                () -> held.size() == cores && active(client.engine()) == cores,
                () -> "holders not in place: held=" + held.size() + " pools="
                        + client.engine().poolStats());
        return holders;
    }

    static int pending(HttpEngine engine) {
        return engine.poolStats().stream().mapToInt(PoolStats::pending).sum();
    }

    static int active(HttpEngine engine) {
        return engine.poolStats().stream().mapToInt(PoolStats::active).sum();
    }

    /** Answers every held request and reads the answers. */
    static void releaseHolders(BlockingQueue<ServerExchange> held, List<CompletableFuture<Response>> holders)
            throws Exception {
        for (int i = 0; i < holders.size(); i++) {
            ServerExchange ex = held.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(ex).as("held request %s", i).isNotNull();
            ex.respond(200, "done");
        }
        for (CompletableFuture<Response> holder : holders) {
            assertThat(holder.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).body().string())
                    .isEqualTo("done");
        }
    }

    static Throwable bodyFailure(Response response) throws InterruptedException {
        try {
            byte[] bytes =
                    response.body().bytesAsync().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("expected the body to fail, but it was read: " + bytes.length + " bytes");
        } catch (ExecutionException e) {
            return unwrap(e);
        } catch (TimeoutException e) {
            throw new AssertionError("the body read did not end within " + WAIT + " (body hangs)", e);
        }
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
