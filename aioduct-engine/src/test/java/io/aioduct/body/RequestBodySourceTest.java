package io.aioduct.body;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.aioduct.RequestBody;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The request-body source on its own: both faces cut every kind of body into chunks, check the declared
 * length, tell their failures from the source's, and hold the source back while the driver cannot take
 * more.
 */
class RequestBodySourceTest {

    private static byte[] randomBytes(int n) {
        byte[] data = new byte[n];
        new Random(n).nextBytes(data);
        return data;
    }

    /** A pull sink that keeps what it is given and notes each chunk's size and whether it completed the length. */
    private static final class Collecting implements RequestBodySource.Sink {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<Integer> sizes = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();

        @Nullable
        RequestBodySource source;

        final List<Boolean> completing = new ArrayList<>();

        @Override
        public boolean accept(ByteBuffer chunk) {
            sizes.add(chunk.remaining());
            threads.add(Thread.currentThread());
            if (source != null) completing.add(source.reachedDeclaredLength());
            byte[] copy = new byte[chunk.remaining()];
            chunk.get(copy);
            bytes.writeBytes(copy);
            return true;
        }
    }

    // ---- the pull face ----

    @Test
    void pullReadsAStreamOnTheCallingThreadInBoundedChunks() throws IOException {
        byte[] data = randomBytes(40_000);
        RequestBodySource source =
                RequestBodySource.of(RequestBody.ofInputStream(() -> new ByteArrayInputStream(data), data.length));
        Collecting sink = new Collecting();
        sink.source = source;

        source.pull(sink);

        assertThat(sink.bytes.toByteArray()).isEqualTo(data);
        assertThat(sink.threads).containsOnly(Thread.currentThread());
        assertThat(sink.sizes).allSatisfy(n -> assertThat(n).isBetween(1, 16 * 1024));
        assertThat(sink.completing)
                .as("only the last chunk completes the declared length")
                .endsWith(true);
        assertThat(sink.completing.subList(0, sink.completing.size() - 1)).containsOnly(false);
        assertThat(source.sent()).isEqualTo(data.length);
    }

    @Test
    void pullRunsAWriterAndGathersItsSmallWritesIntoChunks() throws IOException {
        byte[] block = randomBytes(30_000);
        RequestBodySource source = RequestBodySource.of(RequestBody.ofWriter(
                out -> {
                    out.write('<');
                    out.write(block);
                    out.write(block, 0, 10);
                    out.write('>');
                },
                -1,
                true));
        Collecting sink = new Collecting();

        source.pull(sink);

        byte[] got = sink.bytes.toByteArray();
        assertThat(got).hasSize(30_012);
        assertThat(got[0]).isEqualTo((byte) '<');
        assertThat(got[got.length - 1]).isEqualTo((byte) '>');
        assertThat(sink.sizes).allSatisfy(n -> assertThat(n).isBetween(1, 16 * 1024));
        assertThat(source.sent()).isEqualTo(30_012);
    }

    @Test
    void pullFailsABodyLongerThanDeclaredBeforeTheExtraBytesReachTheSink() {
        RequestBodySource source =
                RequestBodySource.of(RequestBody.ofInputStream(() -> new ByteArrayInputStream(new byte[20]), 10));
        Collecting sink = new Collecting();

        Throwable thrown = catchThrowable(() -> source.pull(sink));

        assertThat(thrown)
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("request body is longer than its declared length of 10 bytes");
        assertThat(sink.sizes).isEmpty();
    }

    @Test
    void pullFailsABodyShorterThanDeclared() {
        RequestBodySource source = RequestBodySource.of(RequestBody.ofWriter(out -> out.write(new byte[5]), 10, true));

        Throwable thrown = catchThrowable(() -> source.pull(new Collecting()));

        assertThat(thrown)
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("request body ended after 5 of its declared 10 bytes");
    }

    @Test
    void pullCarriesTheSourcesOwnFailureInABodySourceFailure() {
        IOException broke = new IOException("the stream broke");
        RequestBodySource source = RequestBodySource.of(RequestBody.ofInputStream(
                () -> new InputStream() {
                    @Override
                    public int read() throws IOException {
                        throw broke;
                    }
                },
                -1));

        Throwable thrown = catchThrowable(() -> source.pull(new Collecting()));

        assertThat(thrown).isExactlyInstanceOf(BodySourceFailure.class).cause().isSameAs(broke);
    }

    @Test
    void pullThrowsTheSinksFailureEvenWhenTheWriterSwallowsIt() {
        IOException socket = new IOException("the socket broke");
        RequestBodySource swallowed = RequestBodySource.of(RequestBody.ofWriter(
                out -> {
                    try {
                        out.write(new byte[10]);
                        out.flush();
                    } catch (IOException ignored) {
                        // a careless writer
                    }
                },
                -1,
                true));
        RequestBodySource replaced = RequestBodySource.of(RequestBody.ofWriter(
                out -> {
                    try {
                        out.write(new byte[10]);
                        out.flush();
                    } catch (IOException e) {
                        throw new IllegalArgumentException("the writer's own view of it", e);
                    }
                },
                -1,
                true));
        RequestBodySource.Sink failing = chunk -> {
            throw socket;
        };

        assertThat(catchThrowable(() -> swallowed.pull(failing))).isSameAs(socket);
        assertThat(catchThrowable(() -> replaced.pull(failing))).isSameAs(socket);
    }

    @Test
    void pullTakesAPublishersBuffersOneAtATimeAndDropsEmptyOnes() throws IOException {
        byte[] data = randomBytes(3000);
        CountingPublisher publisher = new CountingPublisher(
                List.of(ByteBuffer.wrap(data, 0, 1000), ByteBuffer.allocate(0), ByteBuffer.wrap(data, 1000, 2000)),
                null,
                true);
        RequestBodySource source = RequestBodySource.of(RequestBody.ofPublisher(publisher, data.length));
        Collecting sink = new Collecting();

        source.pull(sink);

        assertThat(sink.bytes.toByteArray()).isEqualTo(data);
        assertThat(sink.sizes).containsExactly(1000, 2000);
        assertThat(publisher.maxOutstanding.get())
                .as("buffers requested but not yet delivered")
                .isEqualTo(1);
        assertThat(sink.threads).doesNotContain(Thread.currentThread());
    }

    @Test
    void pullCarriesAPublishersErrorAndChecksItsLengthAtItsEnd() {
        Exception error = new Exception("the publisher failed");
        RequestBodySource failing = RequestBodySource.of(
                RequestBody.ofPublisher(new CountingPublisher(List.of(ByteBuffer.allocate(4)), error, false), -1));
        RequestBodySource shortOne = RequestBodySource.of(
                RequestBody.ofPublisher(new CountingPublisher(List.of(ByteBuffer.allocate(4)), null, false), 8));

        assertThat(catchThrowable(() -> failing.pull(new Collecting())))
                .isExactlyInstanceOf(BodySourceFailure.class)
                .cause()
                .isSameAs(error);
        assertThat(catchThrowable(() -> shortOne.pull(new Collecting())))
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("request body ended after 4 of its declared 8 bytes");
    }

    @Test
    void anInterruptedPullCancelsThePublisher() throws Exception {
        AtomicBoolean cancelled = new AtomicBoolean();
        Flow.Publisher<ByteBuffer> silent = subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {}

            @Override
            public void cancel() {
                cancelled.set(true);
            }
        });
        RequestBodySource source = RequestBodySource.of(RequestBody.ofPublisher(silent, -1));
        BlockingQueue<Throwable> thrown = new LinkedBlockingQueue<>();
        AtomicBoolean stillInterrupted = new AtomicBoolean();
        Thread caller = Thread.ofVirtual().start(() -> {
            thrown.add(catchThrowable(() -> source.pull(new Collecting())));
            stillInterrupted.set(Thread.currentThread().isInterrupted());
        });
        awaitState(caller, Thread.State.WAITING);

        caller.interrupt();

        assertThat(thrown.poll(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedIOException.class);
        caller.join();
        assertThat(stillInterrupted).as("the interrupt status is kept").isTrue();
        assertThat(cancelled).isTrue();
    }

    // ---- the demand face ----

    /** A receiver that records what it is told and answers each chunk with {@link #more}. */
    private static final class Recording implements RequestBodySource.Receiver {
        final BlockingQueue<Object> seen = new LinkedBlockingQueue<>();
        final AtomicLong bytes = new AtomicLong();
        volatile boolean more = true;
        volatile @Nullable Thread thread;

        @Override
        public boolean accept(ByteBuffer chunk) {
            thread = Thread.currentThread();
            bytes.addAndGet(chunk.remaining());
            chunk.position(chunk.limit());
            seen.add("chunk");
            return more;
        }

        @Override
        public void onEnd() {
            seen.add("end");
        }

        @Override
        public void onFailed(Throwable cause) {
            seen.add(cause);
        }

        Object next() throws InterruptedException {
            Object o = seen.poll(10, TimeUnit.SECONDS);
            assertThat(o).as("the next thing the receiver is told").isNotNull();
            return o;
        }
    }

    @Test
    void aStreamWaitsOnItsOwnThreadUntilTheDriverResumesIt() throws Exception {
        byte[] data = randomBytes(3 * 16 * 1024);
        RequestBodySource source =
                RequestBodySource.of(RequestBody.ofInputStream(() -> new ByteArrayInputStream(data), data.length));
        Recording receiver = new Recording();
        receiver.more = false;

        source.start(receiver);

        assertThat(receiver.next()).isEqualTo("chunk");
        Thread producer = receiver.thread;
        assertThat(producer).isNotNull().isNotSameAs(Thread.currentThread());
        assertThat(producer.isVirtual()).isTrue();
        awaitState(producer, Thread.State.WAITING);
        assertThat(receiver.seen).as("nothing more until resumed").isEmpty();
        source.resume();
        assertThat(receiver.next()).isEqualTo("chunk");
        receiver.more = true;
        source.resume();
        assertThat(receiver.next()).isEqualTo("chunk");
        assertThat(receiver.next()).isEqualTo("end");
        assertThat(receiver.bytes.get()).isEqualTo(data.length);
    }

    @Test
    void aPublisherIsAskedForMoreOnlyOnceTheDriverResumes() throws Exception {
        CountingPublisher publisher = new CountingPublisher(
                List.of(ByteBuffer.allocate(10), ByteBuffer.allocate(10), ByteBuffer.allocate(10)), null, false);
        RequestBodySource source = RequestBodySource.of(RequestBody.ofPublisher(publisher, 30));
        Recording receiver = new Recording();
        receiver.more = false;

        source.start(receiver);

        assertThat(receiver.next()).isEqualTo("chunk");
        assertThat(publisher.requested.get()).as("buffers requested").isEqualTo(1);
        source.resume();
        assertThat(receiver.next()).isEqualTo("chunk");
        assertThat(publisher.requested.get()).isEqualTo(2);
        source.resume();
        assertThat(receiver.next()).isEqualTo("chunk");
        assertThat(publisher.requested.get()).isEqualTo(3);
        source.resume();
        assertThat(receiver.next()).isEqualTo("end");
        assertThat(publisher.requested.get()).isEqualTo(4);
        source.resume(); // nothing owed: asks for nothing more
        assertThat(publisher.requested.get()).isEqualTo(4);
        assertThat(publisher.maxOutstanding.get()).isEqualTo(1);
    }

    @Test
    void aResumeThatComesWhileTheChunkIsAcceptedIsNotLost() throws Exception {
        CountingPublisher publisher =
                new CountingPublisher(List.of(ByteBuffer.allocate(10), ByteBuffer.allocate(10)), null, false);
        RequestBodySource source = RequestBodySource.of(RequestBody.ofPublisher(publisher, 20));
        BlockingQueue<Object> seen = new LinkedBlockingQueue<>();
        source.start(new RequestBodySource.Receiver() {
            @Override
            public boolean accept(ByteBuffer chunk) {
                chunk.position(chunk.limit());
                source.resume(); // e.g. the loop drained the queue within the hand-over
                return false;
            }

            @Override
            public void onEnd() {
                seen.add("end");
            }

            @Override
            public void onFailed(Throwable cause) {
                seen.add(cause);
            }
        });

        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("end");
        assertThat(publisher.requested.get()).isEqualTo(3);
    }

    @Test
    void theDemandFaceReportsTheSourcesFailureAsItselfAndLengthFailuresAsOurs() throws Exception {
        IllegalArgumentException boom = new IllegalArgumentException("the writer failed");
        Recording failing = new Recording();
        RequestBodySource.of(RequestBody.ofWriter(
                        out -> {
                            out.write(new byte[100]);
                            out.flush();
                            throw boom;
                        },
                        -1,
                        true))
                .start(failing);
        Recording tooLong = new Recording();
        RequestBodySource.of(RequestBody.ofPublisher(
                        new CountingPublisher(List.of(ByteBuffer.allocate(6), ByteBuffer.allocate(6)), null, false),
                        10))
                .start(tooLong);

        assertThat(failing.next()).isEqualTo("chunk");
        assertThat(failing.next()).isSameAs(boom);
        assertThat(tooLong.next()).isEqualTo("chunk");
        assertThat(tooLong.next())
                .isInstanceOfSatisfying(
                        IllegalStateException.class,
                        e -> assertThat(e).hasMessage("request body is longer than its declared length of 10 bytes"));
    }

    @Test
    void aCancelledWriterIsStoppedAndNothingMoreIsReported() throws Exception {
        BlockingQueue<Throwable> writerSaw = new LinkedBlockingQueue<>();
        RequestBodySource source = RequestBodySource.of(RequestBody.ofWriter(
                out -> {
                    try {
                        while (true) {
                            out.write(new byte[10]);
                            out.flush();
                        }
                    } catch (IOException e) {
                        writerSaw.add(e);
                        throw e;
                    }
                },
                -1,
                true));
        Recording receiver = new Recording();
        receiver.more = false;
        source.start(receiver);
        assertThat(receiver.next()).isEqualTo("chunk");

        source.cancel();

        assertThat(writerSaw.poll(10, TimeUnit.SECONDS)).isInstanceOf(IOException.class);
        Thread producer = receiver.thread;
        assertThat(producer).isNotNull();
        producer.join();
        assertThat(source.cancelled()).isTrue();
        assertThat(receiver.seen).as("nothing told after cancel").isEmpty();
    }

    @Test
    void aCancelledPublisherIsCancelledAndNothingMoreIsReported() throws Exception {
        CountingPublisher publisher =
                new CountingPublisher(List.of(ByteBuffer.allocate(10), ByteBuffer.allocate(10)), null, false);
        RequestBodySource source = RequestBodySource.of(RequestBody.ofPublisher(publisher, -1));
        Recording receiver = new Recording();
        receiver.more = false;
        source.start(receiver);
        assertThat(receiver.next()).isEqualTo("chunk");

        source.cancel();
        source.resume();

        assertThat(publisher.cancelled).isTrue();
        assertThat(publisher.requested.get()).isEqualTo(1);
        assertThat(receiver.seen).isEmpty();
    }

    // ---- helpers ----

    private static void awaitState(Thread thread, Thread.State state) throws InterruptedException {
        await(() -> thread.getState() == state, "thread " + thread + " to be " + state);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(5);
        }
    }

    /**
     * Emits its buffers one per unit of demand (on another thread when {@code async}, else within
     * request), then completes or signals {@code error}; counts what was asked for.
     */
    private static final class CountingPublisher implements Flow.Publisher<ByteBuffer> {
        final List<ByteBuffer> buffers;
        final @Nullable Throwable error;
        final boolean async;
        final AtomicInteger requested = new AtomicInteger();
        final AtomicInteger maxOutstanding = new AtomicInteger();
        volatile boolean cancelled;

        CountingPublisher(List<ByteBuffer> buffers, @Nullable Throwable error, boolean async) {
            this.buffers = buffers;
            this.error = error;
            this.async = async;
        }

        @Override
        public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
            subscriber.onSubscribe(new Flow.Subscription() {
                private int next;
                private long demand;
                private boolean emitting;
                private boolean done;

                @Override
                public void request(long n) {
                    requested.addAndGet((int) n);
                    if (async) {
                        Thread.ofVirtual().start(() -> serve(n));
                    } else {
                        serve(n);
                    }
                }

                private synchronized void serve(long n) {
                    demand += n;
                    maxOutstanding.accumulateAndGet((int) demand, Math::max);
                    if (emitting) return;
                    emitting = true;
                    try {
                        while (!done && !cancelled && demand > 0 && next < buffers.size()) {
                            demand--;
                            subscriber.onNext(buffers.get(next++).duplicate());
                        }
                        if (!done && !cancelled && next == buffers.size()) {
                            done = true;
                            if (error != null) {
                                subscriber.onError(error);
                            } else {
                                subscriber.onComplete();
                            }
                        }
                    } finally {
                        emitting = false;
                    }
                }

                @Override
                public void cancel() {
                    cancelled = true;
                }
            });
        }
    }
}
