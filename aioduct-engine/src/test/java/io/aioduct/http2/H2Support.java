package io.aioduct.http2;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.aioduct.connect.Resolver;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.pool.PoolStats;
import io.aioduct.protocol.Http2Options;
import io.aioduct.testing.H2ServerExchange;
import io.aioduct.testing.H2TestServer;
import io.aioduct.testing.TlsMaterial;
import io.aioduct.tls.TlsConfig;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Shared helpers of the HTTP/2 behaviour tests: configurations, waiting, unwrapping, bodies. */
final class H2Support {
    private H2Support() {}

    static final Duration WAIT = Duration.ofSeconds(10);

    /** HTTP/2 by prior knowledge for cleartext origins, otherwise the defaults. */
    static Http2Options priorKnowledge() {
        return Http2Options.DEFAULT.withPriorKnowledge(true);
    }

    /** An engine configuration speaking h2c (prior knowledge) with {@code options}. */
    static EngineConfig h2c(Http2Options options) {
        return EngineConfig.builder().http2(options).build();
    }

    static EngineConfig h2c() {
        return h2c(priorKnowledge());
    }

    /** An engine configuration for an {@link H2TestServer#startTls} server: localhost resolves, its CA is trusted. */
    static EngineConfig tls(TlsMaterial tls, Http2Options options) {
        return EngineConfig.builder()
                .http2(options)
                .resolver(Resolver.of(Map.of("localhost", List.of(InetAddress.getLoopbackAddress()))))
                .tls(TlsConfig.builder().trustPem(tls.caCertificatePem()).build())
                .build();
    }

    static AioductClient client(HttpEngine engine) {
        return AioductClient.builder(engine).build();
    }

    /** The value of a future within {@link #WAIT}, rethrowing its failure unwrapped. */
    static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof RuntimeException re) throw re;
            if (cause instanceof Error err) throw err;
            throw new AssertionError("failed", cause);
        } catch (TimeoutException e) {
            throw new AssertionError("not done within " + WAIT + " (hangs)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The failure of a future expected to fail within {@link #WAIT}, unwrapped. */
    static Throwable failure(CompletionStage<?> stage) {
        try {
            Object value = stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("expected a failure but got " + value);
        } catch (ExecutionException | CompletionException e) {
            return unwrap(e);
        } catch (TimeoutException e) {
            throw new AssertionError("neither done nor failed within " + WAIT + " (hangs)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Reads a body expected to fail and returns why it failed. */
    static Throwable bodyFailure(Response response) {
        return failure(response.body().bytesAsync());
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Takes {@code n} held exchanges, failing if they do not all arrive within {@link #WAIT}. */
    static List<H2ServerExchange> take(BlockingQueue<H2ServerExchange> held, int n) {
        List<H2ServerExchange> out = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                H2ServerExchange ex = held.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(ex).as("held exchange %s of %s", i + 1, n).isNotNull();
                out.add(ex);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return out;
    }

    static int activeStreams(HttpEngine engine) {
        return engine.poolStats().stream().mapToInt(PoolStats::activeStreams).sum();
    }

    static int pending(HttpEngine engine) {
        return engine.poolStats().stream().mapToInt(PoolStats::pending).sum();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * A publisher of {@code data} in {@code chunk}-byte buffers that honours demand, emitting on the thread
     * that requests (with a trampoline, so a re-entrant request never recurses) and subscribable again.
     */
    static Flow.Publisher<ByteBuffer> publisherOf(byte[] data, int chunk) {
        return subscriber -> {
            AtomicLong demand = new AtomicLong();
            AtomicInteger wip = new AtomicInteger();
            AtomicBoolean cancelled = new AtomicBoolean();
            int[] position = {0};
            boolean[] completed = {false};
            Runnable drain = () -> {
                if (wip.getAndIncrement() != 0) return;
                do {
                    while (!cancelled.get() && !completed[0]) {
                        if (position[0] >= data.length) {
                            completed[0] = true;
                            subscriber.onComplete();
                            break;
                        }
                        if (demand.get() == 0) break;
                        demand.decrementAndGet();
                        int n = Math.min(chunk, data.length - position[0]);
                        ByteBuffer item = ByteBuffer.wrap(data, position[0], n).slice();
                        position[0] += n;
                        subscriber.onNext(item);
                    }
                } while (wip.decrementAndGet() != 0);
            };
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    demand.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
                    drain.run();
                }

                @Override
                public void cancel() {
                    cancelled.set(true);
                }
            });
        };
    }

    /**
     * Asserts {@code actual} holds exactly {@code expected}, reporting lengths and the first differing
     * offset rather than megabytes of array contents.
     */
    static void assertSameBytes(byte[] actual, byte[] expected, String what) {
        int at = java.util.Arrays.mismatch(actual, expected);
        assertThat(at)
                .as(
                        "%s: first differing byte offset (-1 = identical); got %s bytes, expected %s",
                        what, actual.length, expected.length)
                .isEqualTo(-1);
    }

    /** The byte at {@code position} of a {@linkplain #pump pumped} body. */
    static byte patternAt(long position) {
        return (byte) (position % 251);
    }

    /** The first position where {@code body} differs from the pump pattern, or -1. */
    static long patternMismatch(byte[] body) {
        for (int i = 0; i < body.length; i++) {
            if (body[i] != patternAt(i)) return i;
        }
        return -1;
    }

    /**
     * Writes {@code total} bytes of the pattern 64 KiB at a time, each write once the previous one reached
     * the socket (that is, once the client granted window for it), then ends the stream; stops when a write
     * fails.
     */
    static void pump(io.aioduct.testing.H2StreamingResponse body, int total, int sent) {
        if (sent >= total) {
            body.end();
            return;
        }
        int n = Math.min(64 * 1024, total - sent);
        byte[] chunk = new byte[n];
        for (int i = 0; i < n; i++) {
            chunk[i] = patternAt(sent + (long) i);
        }
        body.write(chunk).whenComplete((v, failure) -> {
            if (failure == null) pump(body, total, sent + n);
        });
    }

    /** A subscriber that requests nothing by itself and counts what it gets. */
    static final class HoldingSubscriber implements Flow.Subscriber<ByteBuffer> {
        final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();
        final AtomicInteger items = new AtomicInteger();
        final AtomicLong bytes = new AtomicLong();
        final java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
        final CompletableFuture<Void> done = new CompletableFuture<>();

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription.complete(s);
        }

        @Override
        public void onNext(ByteBuffer item) {
            items.incrementAndGet();
            bytes.addAndGet(item.remaining());
            byte[] copy = new byte[item.remaining()];
            item.get(copy);
            synchronized (received) {
                received.writeBytes(copy);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            done.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            done.complete(null);
        }

        Flow.Subscription subscription() {
            return await(subscription);
        }

        byte[] received() {
            synchronized (received) {
                return received.toByteArray();
            }
        }
    }
}
