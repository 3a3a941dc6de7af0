package io.aioduct.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.AioductClient;
import io.aioduct.ConnectFailedException;
import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.RequestCancelledException;
import io.aioduct.Response;
import io.aioduct.RetryTestHooks;
import io.aioduct.chain.Delays;
import io.aioduct.connect.Resolver;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.event.EventListener;
import io.aioduct.policy.RetryPolicy.Jitter;
import io.aioduct.testing.MatrixServer;
import io.aioduct.testing.MatrixServer.Protocol;
import io.aioduct.testing.MatrixTest;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.RuntimeKind;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The retry policy on every runtime over every protocol (HTTP/1.1 and HTTP/2, cleartext and TLS): what is sent again, what is
 * handed back, how long the client asks to wait. Nothing sleeps: the client waits through {@link
 * RecordingDelays}, which records each delay and, where the test says so, holds the wait open.
 */
class RetryTest extends MatrixTest {

    /** Every back-off is exactly its ceiling: 100 ms, 200 ms, ... */
    private static final RetryPolicy POLICY = RetryPolicy.defaults()
            .withStatuses(429, 503)
            .withBackoff(Duration.ofMillis(100), Duration.ofSeconds(5))
            .withJitter(Jitter.NONE)
            .withoutBudget();

    static Stream<Arguments> everyRuntimeAndProtocol() {
        return MatrixServer.everyRuntimeAndProtocol();
    }

    @FunctionalInterface
    interface Answer {
        /** Status, body and {@code name, value} header pairs (lowercase names) for request {@code n}. */
        Reply reply(int n, RecordedRequest request);
    }

    record Reply(int status, String body, String... headers) {}

    /** Answers requests under {@code prefix}: the n-th of them (from 0) gets {@code answer.reply(n)}. */
    private static void route(MatrixServer server, String prefix, Answer answer) {
        AtomicInteger n = new AtomicInteger();
        server.route(prefix, (req, reply) -> {
            Reply r = answer.reply(n.getAndIncrement(), req);
            reply.respond(r.status(), r.body().getBytes(StandardCharsets.UTF_8), r.headers());
        });
    }

    /**
     * Records each delay the chain asks for; completes it at once, or holds it until {@link #release} (async)
     * or until the waiting thread is interrupted (blocking) when {@link #hold} was called.
     */
    static final class RecordingDelays implements Delays {
        final List<Duration> requested = new CopyOnWriteArrayList<>();
        private volatile boolean hold;
        private final CompletableFuture<Void> released = new CompletableFuture<>();
        final CountDownLatch waiting = new CountDownLatch(1);

        void hold() {
            hold = true;
        }

        void release() {
            released.complete(null);
        }

        @Override
        public CompletionStage<Void> after(Duration delay) {
            requested.add(delay);
            waiting.countDown();
            return hold ? released : CompletableFuture.completedFuture(null);
        }

        @Override
        public void sleep(Duration delay) throws InterruptedException {
            requested.add(delay);
            waiting.countDown();
            if (hold) {
                // Parks until interrupted (or released): the test decides, the clock never does.
                while (!released.isDone()) {
                    Thread.sleep(Duration.ofMinutes(1));
                }
            }
        }
    }

    /** What the engine reported about retries, in order. */
    static final class RetryEvents implements EventListener {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void retry(Request request, int attempt, Throwable cause) {
            events.add("retry " + attempt + " " + cause.getClass().getSimpleName());
        }

        @Override
        public void retryOnStatus(Request request, int attempt, int status, Duration delay) {
            events.add("retryOnStatus " + attempt + " " + status + " " + delay.toMillis() + "ms");
        }
    }

    private final RecordingDelays delays = new RecordingDelays();
    private final RetryEvents events = new RetryEvents();

    /** Resolves {@code localhost} to whatever {@code addresses} holds at the time. */
    private static Resolver resolver(AtomicReference<InetAddress> address) {
        return host -> CompletableFuture.completedFuture(List.of(address.get()));
    }

    private AioductClient client(RuntimeKind kind, Protocol protocol, RetryPolicy policy) {
        return client(kind, protocol, policy, new AtomicReference<>(InetAddress.getLoopbackAddress()), b -> {});
    }

    private AioductClient client(
            RuntimeKind kind,
            Protocol protocol,
            RetryPolicy policy,
            AtomicReference<InetAddress> address,
            Consumer<AioductClient.Builder> more) {
        EngineConfig config = protocol.config().toBuilder()
                .resolver(resolver(address))
                .eventListener(events)
                .build();
        HttpEngine engine = matrixEngine(kind, config);
        AioductClient.Builder b = AioductClient.builder(engine).retries(policy);
        RetryTestHooks.delays(b, delays);
        more.accept(b);
        return b.build();
    }

    private static String url(Protocol protocol, MatrixServer server, String path) {
        return (protocol.tls ? "https" : "http") + "://localhost:" + server.port() + path;
    }

    private static Answer failThenSucceed(int failures, int status, String... headers) {
        return (n, req) -> n < failures ? new Reply(status, "busy " + n, headers) : new Reply(200, "ok after " + n);
    }

    // ---- statuses ----

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void a503IsRetriedAfterTheBackoffInBlockingAndAsyncCalls(RuntimeKind kind, Protocol protocol) throws Exception {
        MatrixServer server = serve(protocol);
        route(server, "/flaky", failThenSucceed(1, 503));
        route(server, "/flaky-async", failThenSucceed(1, 503));
        AioductClient client = client(kind, protocol, POLICY);

        try (Response r = client.get(url(protocol, server, "/flaky")).execute()) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().string()).isEqualTo("ok after 1");
        }
        try (Response r =
                client.get(url(protocol, server, "/flaky-async")).send().get(10, TimeUnit.SECONDS)) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().string()).isEqualTo("ok after 1");
        }
        assertThat(server.requestCount()).isEqualTo(4);
        assertThat(delays.requested).containsExactly(Duration.ofMillis(100), Duration.ofMillis(100));
        assertThat(events.events).containsExactly("retryOnStatus 1 503 100ms", "retryOnStatus 1 503 100ms");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void a429WithRetryAfterWaitsAsTheServerSays(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        route(server, "/limited", failThenSucceed(1, 429, "retry-after", "2"));
        route(server, "/too-long", (n, req) -> new Reply(429, "come back tomorrow", "retry-after", "86400"));
        AioductClient client = client(kind, protocol, POLICY);

        try (Response r = client.get(url(protocol, server, "/limited")).execute()) {
            assertThat(r.status()).isEqualTo(200);
        }
        assertThat(delays.requested).containsExactly(Duration.ofSeconds(2));
        try (Response r = client.get(url(protocol, server, "/too-long")).execute()) {
            assertThat(r.status())
                    .as("a Retry-After past the cap hands the 429 back")
                    .isEqualTo(429);
            assertThat(r.headers().first("Retry-After")).isEqualTo("86400");
            assertThat(r.body().string()).isEqualTo("come back tomorrow");
        }
        assertThat(server.requestCount()).isEqualTo(3);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void postIsRetriedOnlyWithAnIdempotencyKeyOrTheOptIn(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        route(server, "/orders", failThenSucceed(1, 503));
        route(server, "/keyed", failThenSucceed(1, 503));
        route(server, "/opted-in", failThenSucceed(1, 503));
        AioductClient client = client(kind, protocol, POLICY);

        try (Response r = client.post(url(protocol, server, "/orders"))
                .body(RequestBody.ofString("one order"))
                .execute()) {
            assertThat(r.status())
                    .as("POST without a key: the 503 is handed back")
                    .isEqualTo(503);
        }
        assertThat(server.requestCount()).isEqualTo(1);

        try (Response r = client.post(url(protocol, server, "/keyed"))
                .header("Idempotency-Key", "order-42")
                .body(RequestBody.ofString("one order"))
                .execute()) {
            assertThat(r.status()).isEqualTo(200);
        }
        AioductClient optedIn = RetryTestHooks.delays(client.newBuilder(), delays)
                .retries(POLICY.withNonIdempotent(true))
                .build();
        try (Response r = optedIn.post(url(protocol, server, "/opted-in"))
                .body(RequestBody.ofString("one order"))
                .execute()) {
            assertThat(r.status()).isEqualTo(200);
        }
        List<RecordedRequest> seen = new ArrayList<>();
        for (int i = 0; i < 5; i++) seen.add(server.takeRequest());
        assertThat(seen)
                .extracting(RecordedRequest::path)
                .containsExactly("/orders", "/keyed", "/keyed", "/opted-in", "/opted-in");
        assertThat(seen)
                .extracting(RecordedRequest::bodyAsString)
                .as("the body is sent whole every time")
                .containsOnly("one order");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aBodyThatCannotBeReplayedIsNotResent(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        route(server, "/upload", failThenSucceed(1, 503));
        AioductClient client = client(kind, protocol, POLICY);

        byte[] data = "streamed once".getBytes(StandardCharsets.UTF_8);
        try (Response r = client.put(url(protocol, server, "/upload"))
                .body(RequestBody.ofInputStream(new ByteArrayInputStream(data), data.length))
                .execute()) {
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.body().string()).isEqualTo("busy 0");
        }
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(delays.requested).isEmpty();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void whenAttemptsRunOutTheLastResponseIsHandedBack(RuntimeKind kind, Protocol protocol) throws Exception {
        MatrixServer server = serve(protocol);
        route(server, "/down", (n, req) -> new Reply(503, "down " + n));
        AioductClient client = client(kind, protocol, POLICY);

        try (Response r = client.get(url(protocol, server, "/down")).execute()) {
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.body().string()).isEqualTo("down 2");
        }
        try (Response r = client.get(url(protocol, server, "/down")).send().get(10, TimeUnit.SECONDS)) {
            assertThat(r.body().string()).isEqualTo("down 5");
        }
        assertThat(server.requestCount()).isEqualTo(6);
        assertThat(delays.requested)
                .containsExactly(
                        Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void statusesAreNotRetriedByDefault(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        route(server, "/down", (n, req) -> new Reply(503, "down " + n));
        AioductClient client = client(kind, protocol, RetryPolicy.defaults());

        try (Response r = client.get(url(protocol, server, "/down")).execute()) {
            assertThat(r.status()).isEqualTo(503);
        }
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(events.events).isEmpty();
    }

    // ---- failures ----

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aRefusedConnectIsRetriedToTheAddressThatAnswers(RuntimeKind kind, Protocol protocol) throws Exception {
        MatrixServer server = serve(protocol);
        route(server, "/", (n, req) -> new Reply(200, "up " + req.method()));
        for (boolean async : new boolean[] {false, true}) {
            // The server listens on 127.0.0.1 only: 127.0.0.2 refuses, until the name resolves elsewhere
            // while the client waits to retry. A fresh engine each time: no pooled connection to reuse.
            AtomicReference<InetAddress> address = new AtomicReference<>(nowhere());
            AioductClient client = client(
                    kind,
                    protocol,
                    POLICY,
                    address,
                    b -> RetryTestHooks.delays(b, new Delays() {
                        @Override
                        public CompletionStage<Void> after(Duration delay) {
                            address.set(InetAddress.getLoopbackAddress());
                            return delays.after(delay);
                        }

                        @Override
                        public void sleep(Duration delay) throws InterruptedException {
                            address.set(InetAddress.getLoopbackAddress());
                            delays.sleep(delay);
                        }
                    }));
            Request.Builder post =
                    client.post(url(protocol, server, "/")).body(RequestBody.ofString("never reached the server"));
            try (Response r = async ? post.send().get(10, TimeUnit.SECONDS) : post.execute()) {
                assertThat(r.status())
                        .as("a refused connect is retried, for POST too")
                        .isEqualTo(200);
                assertThat(r.body().string()).isEqualTo("up POST");
            }
        }
        assertThat(server.requestCount()).isEqualTo(2);
        assertThat(delays.requested).containsExactly(Duration.ofMillis(100), Duration.ofMillis(100));
        assertThat(events.events).containsExactly("retry 1 ConnectFailedException", "retry 1 ConnectFailedException");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void whenEveryAttemptFailsTheLastFailureIsThrown(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        AioductClient client = client(kind, protocol, POLICY, new AtomicReference<>(nowhere()), b -> {});

        assertThatThrownBy(() -> client.get(url(protocol, server, "/")).execute())
                .isInstanceOf(ConnectFailedException.class);
        assertThatThrownBy(() -> client.get(url(protocol, server, "/")).send().join())
                .hasCauseInstanceOf(ConnectFailedException.class);
        assertThat(delays.requested)
                .containsExactly(
                        Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(events.events).hasSize(4);
    }

    // ---- giving up while waiting ----

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void cancellingDuringTheBackoffSendsNothingMore(RuntimeKind kind, Protocol protocol) throws Exception {
        MatrixServer server = serve(protocol);
        route(server, "/flaky", failThenSucceed(1, 503));
        AioductClient client = client(kind, protocol, POLICY);
        delays.hold();

        CompletableFuture<Response> call =
                client.get(url(protocol, server, "/flaky")).send();
        assertThat(delays.waiting.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(call.cancel(true)).isTrue();
        delays.release();

        assertThatThrownBy(call::join).isInstanceOf(CancellationException.class);
        awaitQuiet(client.engine());
        assertThat(client.engine().inFlight()).isZero();
        assertThat(server.requestCount()).as("the retry was never sent").isEqualTo(1);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void anInterruptedCallerWaitingForARetryGetsRequestCancelled(RuntimeKind kind, Protocol protocol) throws Exception {
        MatrixServer server = serve(protocol);
        route(server, "/flaky", failThenSucceed(1, 503));
        AioductClient client = client(kind, protocol, POLICY);
        delays.hold();

        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread caller = Thread.ofPlatform().name("retry-test-caller").start(() -> {
            try (Response r = client.get(url(protocol, server, "/flaky")).execute()) {
                thrown.set(new AssertionError("got a response: " + r));
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        assertThat(delays.waiting.await(10, TimeUnit.SECONDS)).isTrue();
        caller.interrupt();
        caller.join(Duration.ofSeconds(10));

        assertThat(caller.isAlive()).isFalse();
        assertThat(thrown.get())
                .isInstanceOf(RequestCancelledException.class)
                .hasMessageContaining("interrupted while waiting 100 ms");
        assertThat(server.requestCount()).isEqualTo(1);
        delays.release();
    }

    /** An address on loopback where nothing listens: the test servers bind 127.0.0.1 only. */
    private static InetAddress nowhere() {
        try {
            return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 2});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
