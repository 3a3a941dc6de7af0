package io.aioduct.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.aioduct.AioductClient;
import io.aioduct.BodyTooLargeException;
import io.aioduct.Response;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.event.ConnectionInfo;
import io.aioduct.event.EventListener;
import io.aioduct.pool.PoolConfig;
import io.aioduct.pool.PoolStats;
import io.aioduct.runtime.RuntimeLocal;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.RuntimeKind;
import io.aioduct.testing.ServerExchange;
import io.aioduct.testing.StreamingResponse;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Giving up on an exchange in every way a caller can, on every runtime: cancelling its future, closing or
 * dropping its body, refusing a body too large to buffer, and streaming with back-pressure or cancelling
 * the stream. Each must release exactly what it held.
 */
class CancellationTest extends EngineTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int EIGHT_MIB = 8 * 1024 * 1024;

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void cancellingTheFutureWhileTheServerStallsClosesTheConnection(RuntimeKind kind) {
        server.route("/stall", (req, ex) -> ex.stall());
        AioductClient client = client(kind);

        CompletableFuture<Response> response = client.get(server.uri("/stall")).send();
        assertThat(server.takeRequest().path()).isEqualTo("/stall"); // the request is on the wire
        assertThat(response.cancel(true)).isTrue();

        assertThat(response).isCancelled();
        server.awaitOpenConnections(0, WAIT);
        awaitQuiet(client.engine());
        assertThat(idleConnections(client.engine())).isZero();
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void cancellingAWaiterRemovesItFromThePoolQueueAndTheHolderStillCompletes(RuntimeKind kind) throws Exception {
        PoolConfig pool = PoolConfig.DEFAULT.withMaxConnectionsPerOrigin(1);
        BlockingQueue<ServerExchange> held = new LinkedBlockingQueue<>();
        server.route("/hold", (req, ex) -> held.add(ex));
        server.route("/waiter", (req, ex) -> ex.respond(200, "waiter"));
        AioductClient client = client(kind, EngineConfig.builder().pool(pool).build(), b -> {});
        HttpEngine engine = client.engine();

        List<CompletableFuture<Response>> holders = occupyEveryPool(client, held);
        CompletableFuture<Response> waiter = client.get(server.uri("/waiter")).send();
        awaitTrue(() -> pending(engine) == 1, () -> "the waiter never queued: " + engine.poolStats());

        assertThat(waiter.cancel(true)).isTrue();
        awaitTrue(
                () -> pending(engine) == 0,
                () -> "the cancelled waiter is still in the pool queue: " + engine.poolStats());

        for (int i = 0; i < holders.size(); i++) {
            held.take().respond(200, "held");
        }
        for (CompletableFuture<Response> holder : holders) {
            assertThat(holder.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).body().string())
                    .isEqualTo("held");
        }
        awaitQuiet(engine);
        assertThat(waiter).isCancelled();
        assertThat(server.requests())
                .as("a cancelled waiter must never be sent")
                .noneMatch(r -> r.path().equals("/waiter"));
        assertThat(idleConnections(engine)).isEqualTo(holders.size());
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void closingABodyBeforeItsEndClosesTheConnection(RuntimeKind kind) throws Exception {
        byte[] big = new byte[4 * 1024 * 1024];
        server.route("/big", (req, ex) -> ex.respond(200, big));
        server.route("/small", (req, ex) -> ex.respond(200, "small"));
        // Every close the client made, with its reason and thread, so a failure below names what happened.
        List<String> closes = new CopyOnWriteArrayList<>();
        EventListener closeRecorder = new EventListener() {
            @Override
            public void connectionClosed(ConnectionInfo connection, String reason) {
                closes.add(connection + ": " + reason + " on "
                        + Thread.currentThread().getName());
            }
        };
        AioductClient client =
                client(kind, EngineConfig.builder().eventListener(closeRecorder).build(), b -> {});
        int cores = cores(client);

        for (int i = 0; i < cores; i++) {
            Response response = client.get(server.uri("/big")).execute();
            try (InputStream in = response.body().inputStream()) {
                assertThat(in.readNBytes(1000)).hasSize(1000);
            }
        }
        try {
            server.awaitOpenConnections(0, WAIT);
        } catch (AssertionError e) {
            throw new AssertionError(
                    e.getMessage() + "; client pools: " + client.engine().poolStats() + "; closes seen: " + closes, e);
        }
        awaitQuiet(client.engine());
        assertThat(idleConnections(client.engine())).isZero();

        for (int i = 0; i < cores; i++) {
            assertThat(client.get(server.uri("/small")).execute().body().string())
                    .isEqualTo("small");
        }
        List<RecordedRequest> small = requestsTo("/small");
        assertThat(small)
                .hasSize(cores)
                .allSatisfy(r -> assertThat(r.requestIndexOnConnection())
                        .as("after a body closed early the next request needs a new connection")
                        .isZero());
        assertThat(server.connectionsAccepted()).isEqualTo(2 * cores);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aFullyReadBodyReturnsItsConnectionForReuse(RuntimeKind kind) {
        byte[] big = new byte[1024 * 1024];
        server.route("/big", (req, ex) -> ex.respond(200, big));
        AioductClient client = client(kind);
        int cores = cores(client);

        for (int i = 0; i < cores; i++) {
            assertThat(client.get(server.uri("/big")).execute().body().bytes()).hasSize(big.length);
        }
        awaitQuiet(client.engine());
        assertThat(idleConnections(client.engine())).isEqualTo(cores);
        for (int i = 0; i < cores; i++) {
            assertThat(client.get(server.uri("/big")).execute().body().bytes()).hasSize(big.length);
        }

        assertThat(server.connectionsAccepted()).isEqualTo(cores);
        assertThat(server.requests().subList(cores, 2 * cores))
                .allSatisfy(r -> assertThat(r.requestIndexOnConnection()).isEqualTo(1));
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void bodyAnnouncedLargerThanTheBufferLimitIsRefused(RuntimeKind kind) throws Exception {
        // 200 KB of an announced 1 MiB, then silence: the body cannot end by itself, so only the client's
        // refusal can release the connection.
        server.route("/big", (req, ex) -> ex.respondStreaming(200, 1024 * 1024).write(new byte[200_000]));
        server.route("/small", (req, ex) -> ex.respond(200, "small"));
        AioductClient client = client(kind, EngineConfig.DEFAULT, b -> b.maxBufferedBodyBytes(100_000));

        Response response = client.get(server.uri("/big")).execute();
        Throwable failure = bodyFailure(response);

        assertThat(failure).isInstanceOfSatisfying(BodyTooLargeException.class, e -> {
            assertThat(e.limit()).isEqualTo(100_000);
            assertThat(e.getMessage()).contains("Content-Length is 1048576");
        });
        server.awaitOpenConnections(0, WAIT);
        awaitQuiet(client.engine());
        assertThat(client.get(server.uri("/small")).execute().body().string()).isEqualTo("small");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void chunkedBodyGrowingPastTheBufferLimitIsRefused(RuntimeKind kind) throws Exception {
        // Four 50 KB chunks and no last chunk: the body grows past the limit and never ends by itself.
        server.route("/big", (req, ex) -> {
            StreamingResponse body = ex.respondStreaming(200, -1);
            for (int i = 0; i < 4; i++) {
                body.write(new byte[50_000]);
            }
        });
        server.route("/small", (req, ex) -> ex.respond(200, "small"));
        AioductClient client = client(kind, EngineConfig.DEFAULT, b -> b.maxBufferedBodyBytes(100_000));

        Response response = client.get(server.uri("/big")).execute();
        assertThat(response.body().contentLength()).isEqualTo(-1);
        Throwable failure = bodyFailure(response);

        assertThat(failure).isInstanceOfSatisfying(BodyTooLargeException.class, e -> {
            assertThat(e.limit()).isEqualTo(100_000);
            assertThat(e.getMessage()).contains("more than 100000 bytes");
        });
        server.awaitOpenConnections(0, WAIT);
        awaitQuiet(client.engine());
        assertThat(client.get(server.uri("/small")).execute().body().string()).isEqualTo("small");
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void anAbandonedResponseEventuallyClosesItsConnection(RuntimeKind kind) throws Exception {
        // A body that never ends: only the abandonment can release its connection (the read timeout is 30 s).
        server.route("/endless", (req, ex) -> ex.respondStreaming(200, -1).write("the start of a long story"));
        AioductClient client = client(kind);

        sendAndDropTheResponse(client);
        assertThat(server.takeRequest().path()).isEqualTo("/endless");
        assertThat(server.openConnections()).isEqualTo(1);

        long deadline = System.nanoTime() + WAIT.toNanos();
        while (server.openConnections() != 0) {
            if (System.nanoTime() - deadline > 0) {
                fail("the connection of an unreachable response was never closed; engine: inFlight="
                        + client.engine().inFlight() + " pools="
                        + client.engine().poolStats());
            }
            System.gc();
            Thread.sleep(20);
        }
        awaitQuiet(client.engine());
        assertThat(idleConnections(client.engine())).isZero();
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void aBodyStillBeingReadThroughItsStreamPublisherOrFutureIsNeverAbandoned(RuntimeKind kind) throws Exception {
        // Only the stream, the subscriber or the future stays reachable; the Response and its body do not.
        // The garbage collector runs all along: the body must not count as abandoned while it is read.
        BlockingQueue<StreamingResponse> drips = new LinkedBlockingQueue<>();
        server.route("/drip", (req, ex) -> drips.add(ex.respondStreaming(200, -1)));
        AioductClient client = client(kind);
        Thread collector = Thread.ofPlatform().daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                System.gc();
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        try {
            InputStream in = openStream(client);
            CompletableFuture<String> viaPublisher = new CompletableFuture<>();
            subscribeAndDrop(client, viaPublisher);
            CompletableFuture<byte[]> viaFuture = bytesAsyncAndDrop(client);
            List<StreamingResponse> outs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                StreamingResponse out = drips.poll(10, TimeUnit.SECONDS);
                assertThat(out).as("request %d reached the server", i).isNotNull();
                outs.add(out);
            }
            StringBuilder expected = new StringBuilder();
            for (int part = 0; part < 10; part++) {
                String text = "part " + part + ";";
                expected.append(text);
                for (StreamingResponse out : outs) {
                    out.write(text).get(10, TimeUnit.SECONDS);
                }
                Thread.sleep(30); // time for a collection and a cleaner run between the parts
            }
            for (StreamingResponse out : outs) {
                out.end();
            }
            assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
                    .as("the body read through an input stream alone")
                    .isEqualTo(expected.toString());
            in.close();
            assertThat(viaPublisher.get(10, TimeUnit.SECONDS))
                    .as("the body read through a publisher alone")
                    .isEqualTo(expected.toString());
            assertThat(new String(viaFuture.get(10, TimeUnit.SECONDS), java.nio.charset.StandardCharsets.UTF_8))
                    .as("the body read through bytesAsync alone")
                    .isEqualTo(expected.toString());
        } finally {
            collector.interrupt();
        }
        awaitQuiet(client.engine());
    }

    /** In its own frame, so only the input stream stays reachable. */
    private InputStream openStream(AioductClient client) {
        return client.get(server.uri("/drip")).execute().body().inputStream();
    }

    /** In its own frame, so only the subscriber stays reachable. */
    private void subscribeAndDrop(AioductClient client, CompletableFuture<String> result) {
        StringBuilder got = new StringBuilder();
        client.get(server.uri("/drip")).execute().body().publisher().subscribe(new Flow.Subscriber<ByteBuffer>() {
            private Flow.Subscription subscription;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(1);
            }

            @Override
            public void onNext(ByteBuffer item) {
                got.append(java.nio.charset.StandardCharsets.UTF_8.decode(item));
                subscription.request(1);
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                result.complete(got.toString());
            }
        });
    }

    /** In its own frame, so only the future stays reachable. */
    private CompletableFuture<byte[]> bytesAsyncAndDrop(AioductClient client) {
        return client.get(server.uri("/drip")).execute().body().bytesAsync().toCompletableFuture();
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void collectingAFinishedResponseDoesNotDisturbTheNextExchangeOnItsConnection(RuntimeKind kind) throws Exception {
        // Large enough to be streamed from the connection rather than handed over whole with the head.
        byte[] body = new byte[200_000];
        new java.util.Random(7).nextBytes(body);
        server.route("/body", (req, ex) -> ex.respond(200, body));
        AioductClient client = client(kind);

        int cores = cores(client);
        readFullyAndDrop(client, cores); // the connections go back to the pools; the responses become garbage
        List<Response> next = new ArrayList<>();
        for (int i = 0; i < cores; i++) {
            next.add(client.get(server.uri("/body")).execute());
        }
        for (int i = 0; i < 5; i++) { // let the garbage collector find the first responses meanwhile
            System.gc();
            Thread.sleep(20);
        }

        for (Response response : next) {
            assertThat(response.body().bytes()).as("a body read after a GC").isEqualTo(body);
        }
        assertThat(server.connectionsAccepted())
                .as("the second requests reused the connections")
                .isEqualTo(cores);
        awaitQuiet(client.engine());
        assertThat(idleConnections(client.engine())).isEqualTo(cores);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void closingAFullyReadResponseLateDoesNotDisturbTheNextExchangeOnItsConnection(RuntimeKind kind) {
        byte[] body = new byte[200_000];
        new java.util.Random(8).nextBytes(body);
        server.route("/body", (req, ex) -> ex.respond(200, body));
        AioductClient client = client(kind);
        int cores = cores(client);

        List<Response> first = new ArrayList<>();
        for (int i = 0; i < cores; i++) {
            Response response = client.get(server.uri("/body")).execute();
            assertThat(response.body().bytes()).isEqualTo(body); // its connection is back in the pool
            first.add(response);
        }
        List<Response> next = new ArrayList<>();
        for (int i = 0; i < cores; i++) {
            next.add(client.get(server.uri("/body")).execute()); // reuses those connections
        }
        first.forEach(Response::close); // e.g. a try-with-resources block ending late; must be a no-op

        for (Response response : next) {
            assertThat(response.body().bytes())
                    .as("the next body on the reused connection")
                    .isEqualTo(body);
        }
        assertThat(server.connectionsAccepted()).isEqualTo(cores);
        awaitQuiet(client.engine());
        assertThat(idleConnections(client.engine())).isEqualTo(cores);
    }

    /** In its own frame, so no local variable keeps the response reachable afterwards. */
    private void readFullyAndDrop(AioductClient client, int times) {
        for (int i = 0; i < times; i++) {
            assertThat(client.get(server.uri("/body")).execute().body().bytes()).hasSize(200_000);
        }
    }

    /** In its own frame, so no local variable keeps the response reachable afterwards. */
    private void sendAndDropTheResponse(AioductClient client) {
        Response response = client.get(server.uri("/endless")).execute();
        assertThat(response.status()).isEqualTo(200);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void publisherDeliversNoMoreThanRequestedThenTheRestExactly(RuntimeKind kind) throws Exception {
        server.route("/stream", (req, ex) -> pump(ex.respondStreaming(200, EIGHT_MIB), 0));
        AioductClient client = client(kind);

        Response response = client.get(server.uri("/stream")).execute();
        CountingSubscriber subscriber = new CountingSubscriber();
        response.body().publisher().subscribe(subscriber);
        Flow.Subscription subscription = subscriber.subscription();

        subscription.request(1);
        awaitTrue(() -> subscriber.items.get() == 1, () -> "the first requested buffer never came");
        Thread.sleep(300); // room for a wrong implementation to push unrequested buffers
        assertThat(subscriber.items.get()).as("onNext calls with a demand of 1").isEqualTo(1);
        assertThat(subscriber.done).isNotDone();

        subscription.request(Long.MAX_VALUE);
        subscriber.done.get(WAIT.toSeconds() * 3, TimeUnit.SECONDS);

        assertThat(subscriber.bytes.get()).isEqualTo(EIGHT_MIB);
        assertThat(subscriber.mismatchAt.get()).as("first byte out of order").isEqualTo(-1);
        awaitQuiet(client.engine());
        assertThat(idleConnections(client.engine())).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void cancellingTheSubscriptionMidBodyClosesTheConnection(RuntimeKind kind) throws Exception {
        server.route("/stream", (req, ex) -> pump(ex.respondStreaming(200, EIGHT_MIB), 0));
        server.route("/small", (req, ex) -> ex.respond(200, "small"));
        AioductClient client = client(kind);

        Response response = client.get(server.uri("/stream")).execute();
        CountingSubscriber subscriber = new CountingSubscriber();
        response.body().publisher().subscribe(subscriber);
        subscriber.subscription().request(2);
        awaitTrue(() -> subscriber.items.get() == 2, () -> "the requested buffers never came");

        subscriber.subscription().cancel();

        server.awaitOpenConnections(0, WAIT);
        awaitQuiet(client.engine());
        assertThat(subscriber.items.get()).isEqualTo(2);
        assertThat(subscriber.done).as("no terminal signal after cancel").isNotDone();
        assertThat(client.get(server.uri("/small")).execute().body().string()).isEqualTo("small");
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

    /** The byte at {@code position} of a pumped body. */
    private static byte patternAt(long position) {
        return (byte) (position % 251);
    }

    /** Writes the 8 MiB pattern body 64 KiB at a time, each write after the previous one reached the socket. */
    private static void pump(StreamingResponse body, int sent) {
        if (sent >= EIGHT_MIB) {
            body.end();
            return;
        }
        int n = Math.min(64 * 1024, EIGHT_MIB - sent);
        byte[] chunk = new byte[n];
        for (int i = 0; i < n; i++) {
            chunk[i] = patternAt(sent + (long) i);
        }
        body.write(chunk).whenComplete((v, failure) -> {
            if (failure == null) {
                pump(body, sent + n);
            }
        });
    }

    /** Counts what it receives and checks it against the pump's pattern; requests nothing by itself. */
    private static final class CountingSubscriber implements Flow.Subscriber<ByteBuffer> {
        final CompletableFuture<Flow.Subscription> subscribed = new CompletableFuture<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final AtomicInteger items = new AtomicInteger();
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong mismatchAt = new AtomicLong(-1);

        Flow.Subscription subscription() throws Exception {
            return subscribed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscribed.complete(subscription);
        }

        @Override
        public void onNext(ByteBuffer item) {
            items.incrementAndGet();
            long position = bytes.get();
            while (item.hasRemaining()) {
                if (item.get() != patternAt(position) && mismatchAt.get() < 0) {
                    mismatchAt.set(position);
                }
                position++;
            }
            bytes.set(position);
        }

        @Override
        public void onError(Throwable throwable) {
            done.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            done.complete(null);
        }
    }

    private List<RecordedRequest> requestsTo(String path) {
        List<RecordedRequest> out = new ArrayList<>();
        for (RecordedRequest r : server.requests()) {
            if (r.path().equals(path)) {
                out.add(r);
            }
        }
        return out;
    }

    /** How many connections sequential requests from the test thread spread over (one per io_uring core). */
    static int cores(AioductClient client) {
        return client.engine().runtime() instanceof RuntimeLocal local ? local.cores() : 1;
    }

    /** One held request per pool (per core on io_uring), each holding its pool's single connection. */
    private List<CompletableFuture<Response>> occupyEveryPool(
            AioductClient client, BlockingQueue<ServerExchange> held) {
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
