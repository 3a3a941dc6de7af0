package io.aioduct.body;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.aioduct.TimedOutException;
import io.aioduct.testing.LeakRecordingDetector;
import io.aioduct.testing.MatrixServer;
import io.aioduct.testing.MatrixServer.Protocol;
import io.aioduct.testing.MatrixTest;
import io.aioduct.testing.RuntimeKind;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code ResponseBody.publisher()} lends each buffer for the length of {@code onNext} (read-only views of
 * the transport's pooled memory, released when the call returns): a subscriber that copies inside {@code
 * onNext} and asks for one buffer at a time from another thread gets every byte exactly once; cancelling
 * in the middle releases every buffer the engine held (the teardown's paranoid leak check, and an explicit
 * collection here); a body that breaks mid-way signals {@code onError} once, after the last valid
 * {@code onNext}. That the publisher no longer copies per chunk is {@code AllocationBudgetTest}'s job.
 */
class PublisherBodyTest extends MatrixTest {
    private static final byte[] BODY = new byte[300_000];
    private static final Duration SHORT = Duration.ofMillis(300);

    static {
        new Random(24).nextBytes(BODY);
    }

    private final ExecutorService slow = Executors.newSingleThreadExecutor();

    static Stream<Arguments> everyRuntimeAndProtocol() {
        return MatrixServer.everyRuntimeAndProtocol();
    }

    @AfterEach
    void stopSlowConsumer() throws InterruptedException {
        slow.shutdownNow();
        assertThat(slow.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aSlowSubscriberAskingForOneBufferAtATimeGetsEveryByteOnce(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        server.route("/body", (request, reply) -> reply.respond(200, BODY));
        server.route("/chunked", (request, reply) -> reply.respondChunked(200, pieces()));
        AioductClient client =
                AioductClient.builder(matrixEngine(kind, protocol.config())).build();

        for (String path : List.of("/body", "/chunked")) {
            for (int i = 0; i < 3; i++) {
                Response r = client.get(server.uri(path)).execute();
                Recorder recorder = new Recorder(Long.MAX_VALUE);
                r.body().publisher().subscribe(recorder);
                recorder.done.join();
                assertThat(recorder.errors).as("onError calls").isEmpty();
                assertThat(recorder.bytes()).as("%s, try %d", path, i).isEqualTo(BODY);
                assertThat(recorder.allReadOnly)
                        .as("every buffer is a read-only view")
                        .isTrue();
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void cancellingInTheMiddleReleasesEveryBuffer(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        server.route("/body", (request, reply) -> reply.respond(200, BODY));
        AioductClient client =
                AioductClient.builder(matrixEngine(kind, protocol.config())).build();

        for (int i = 0; i < 3; i++) {
            Response r = client.get(server.uri("/body")).execute();
            Recorder recorder = new Recorder(20_000);
            r.body().publisher().subscribe(recorder);
            recorder.done.join();
            assertThat(recorder.errors).isEmpty();
            byte[] got = recorder.bytes();
            assertThat(got.length).isGreaterThanOrEqualTo(20_000).isLessThan(BODY.length);
            assertThat(got).isEqualTo(Arrays.copyOf(BODY, got.length));
        }
        awaitQuiet(client.engine());
        assertThat(LeakRecordingDetector.collectLeaks())
                .as("buffers of cancelled bodies")
                .isEmpty();
        assertThat(client.get(server.uri("/body")).execute().body().bytes())
                .as("the next exchange")
                .isEqualTo(BODY);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRuntimeAndProtocol")
    void aBodyBrokenInTheMiddleSignalsOnErrorOnceAfterTheLastBuffer(RuntimeKind kind, Protocol protocol) {
        MatrixServer server = serve(protocol);
        server.route(
                "/half",
                (request, reply) -> reply.respondStreaming(200, BODY.length).write(Arrays.copyOf(BODY, 50_000)));
        AioductClient client =
                AioductClient.builder(matrixEngine(kind, protocol.config())).build();

        Response r = client.get(server.uri("/half")).readTimeout(SHORT).execute();
        Recorder recorder = new Recorder(Long.MAX_VALUE);
        r.body().publisher().subscribe(recorder);
        recorder.done.join();

        assertThat(recorder.errors).hasSize(1);
        assertThat(recorder.errors.get(0)).isInstanceOf(TimedOutException.class);
        assertThat(recorder.signalsAfterError).as("signals after onError").isZero();
        byte[] got = recorder.bytes();
        assertThat(got.length).isLessThanOrEqualTo(50_000);
        assertThat(got).isEqualTo(Arrays.copyOf(BODY, got.length));
        server.awaitAbandonedOrClosed(1);
    }

    private static List<byte[]> pieces() {
        List<byte[]> pieces = new ArrayList<>();
        for (int at = 0; at < BODY.length; at += 7_000) {
            pieces.add(Arrays.copyOfRange(BODY, at, Math.min(BODY.length, at + 7_000)));
        }
        return pieces;
    }

    /**
     * Copies each buffer inside {@code onNext} (the contract), then asks for the next one from another thread
     * after the call returned; cancels once {@code cancelAfter} bytes arrived.
     */
    private final class Recorder implements Flow.Subscriber<ByteBuffer> {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final List<Throwable> errors = new ArrayList<>();
        private final long cancelAfter;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private Flow.@Nullable Subscription subscription;
        volatile boolean allReadOnly = true;
        volatile int signalsAfterError;

        Recorder(long cancelAfter) {
            this.cancelAfter = cancelAfter;
        }

        synchronized byte[] bytes() {
            return out.toByteArray();
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(ByteBuffer item) {
            if (!errors.isEmpty()) signalsAfterError++;
            if (!item.isReadOnly()) allReadOnly = false;
            byte[] copy = new byte[item.remaining()];
            item.get(copy);
            long total;
            synchronized (this) {
                out.write(copy, 0, copy.length);
                total = out.size();
            }
            Flow.Subscription s = subscription;
            if (total >= cancelAfter) {
                s.cancel();
                done.complete(null);
            } else {
                slow.execute(() -> s.request(1));
            }
        }

        @Override
        public void onError(Throwable e) {
            if (!errors.isEmpty()) signalsAfterError++;
            errors.add(e);
            done.complete(null);
        }

        @Override
        public void onComplete() {
            if (!errors.isEmpty()) signalsAfterError++;
            done.complete(null);
        }
    }
}
