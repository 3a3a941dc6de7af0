package io.aioduct;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import io.aioduct.testing.MatrixServer;
import io.aioduct.testing.MatrixServer.Protocol;
import io.aioduct.testing.MatrixTest;
import io.aioduct.testing.RuntimeKind;
import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Heap bytes allocated per request, on every runtime over HTTP/1.1 and h2c, for a small GET read with
 * {@code bytes()} and a 64 KiB GET read whole, as a stream and through the publisher: a change that makes
 * a request allocate more than its budget fails the build. No clock is involved: the count is the JVM's
 * per-thread allocation counter ({@link ThreadMXBean#getThreadAllocatedBytes(long[])}), summed over every
 * live platform thread but the in-process server's ({@code test-server-*}): the caller, the event loops,
 * and the carriers the virtual runtime's helper threads run on. Requests run one at a time from the test
 * thread, and nothing else runs in the JVM meanwhile (surefire runs test classes one after another).
 *
 * <p>Each budget is the value measured when it was set (JDK 25, see docs/allocation.md) plus a margin of
 * a quarter, at least 1 KiB and at most 8 KiB: room for JIT and JDK differences, not for a copy of the
 * body or a part of it. The
 * leak detector is off while counting (in paranoid mode it records a stack trace per buffer access, which
 * would be most of what is counted); the first requests run with it on, so the teardown still checks the
 * body paths for leaks.
 */
class AllocationBudgetTest extends MatrixTest {
    private static final byte[] SMALL = new byte[64];
    private static final byte[] LARGE = new byte[64 * 1024];
    private static final int LEAK_CHECKED = 20;
    private static final int WARM_UP = 1500;
    private static final int ROUNDS = 3;
    private static final int PER_ROUND = 300;

    /** How the body is read. */
    enum Read {
        /** A 64-byte body through {@code bytes()}. */
        SMALL_BYTES("/small"),
        /** A 64 KiB body (Content-Length) through {@code bytes()}. */
        LARGE_BYTES("/large"),
        /** A 64 KiB body through {@code inputStream()} into an 8 KiB array (the caller's, reused). */
        LARGE_STREAM("/large"),
        /** A 64 KiB body through {@code publisher()}, one buffer requested at a time. */
        LARGE_PUBLISHER("/large");

        final String path;

        Read(String path) {
            this.path = path;
        }
    }

    /**
     * Measured bytes per request when the budget was set, per runtime, protocol and read; the budget adds
     * {@link #margin}.
     */
    private static final Map<String, Long> MEASURED = new HashMap<>();

    static {
        measured(RuntimeKind.POOLED, Protocol.HTTP11, 1096, 66845, 1296, 1673);
        measured(RuntimeKind.POOLED, Protocol.H2C, 1446, 67309, 1900, 3308);
        measured(RuntimeKind.VIRTUAL, Protocol.HTTP11, 896, 66676, 1125, 2542);
        measured(RuntimeKind.VIRTUAL, Protocol.H2C, 2158, 68776, 2979, 6130);
        measured(RuntimeKind.IO_URING, Protocol.HTTP11, 1295, 66923, 1323, 1966);
        measured(RuntimeKind.IO_URING, Protocol.H2C, 1454, 67298, 2013, 3465);
    }

    private static void measured(
            RuntimeKind kind, Protocol protocol, long smallBytes, long largeBytes, long stream, long publisher) {
        MEASURED.put(key(kind, protocol, Read.SMALL_BYTES), smallBytes);
        MEASURED.put(key(kind, protocol, Read.LARGE_BYTES), largeBytes);
        MEASURED.put(key(kind, protocol, Read.LARGE_STREAM), stream);
        MEASURED.put(key(kind, protocol, Read.LARGE_PUBLISHER), publisher);
    }

    private static String key(RuntimeKind kind, Protocol protocol, Read read) {
        return kind + " " + protocol + " " + read;
    }

    /**
     * A quarter of the measured value, at least 1 KiB (JIT and JDK differences), at most 8 KiB: a 64 KiB row
     * must not hide a scratch buffer or half a body copy in its margin.
     */
    private static long margin(long measured) {
        return Math.max(Math.min(measured / 4, 8 * 1024), 1024);
    }

    /**
     * Every runtime, protocol and read; {@code -Daioduct.allocation.only=<substring of a row's name>} (for
     * instance {@code "POOLED H2C LARGE_STREAM"}) keeps only the matching rows, for profiling one of them.
     */
    static Stream<Arguments> cases() {
        String only = System.getProperty("aioduct.allocation.only", "");
        List<Arguments> out = new ArrayList<>();
        for (RuntimeKind kind : RuntimeKind.values()) {
            for (Protocol protocol : List.of(Protocol.HTTP11, Protocol.H2C)) {
                for (Read read : Read.values()) {
                    if (key(kind, protocol, read).contains(only)) out.add(Arguments.of(kind, protocol, read));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void allocationPerRequestStaysWithinBudget(RuntimeKind kind, Protocol protocol, Read read) {
        MatrixServer server = serve(protocol);
        server.route("/small", (request, reply) -> reply.respond(200, SMALL));
        server.route("/large", (request, reply) -> reply.respond(200, LARGE));
        AioductClient client =
                AioductClient.builder(matrixEngine(kind, protocol.config())).build();
        String uri = server.uri(read.path);
        Reader reader = new Reader(read);

        for (int i = 0; i < LEAK_CHECKED; i++) reader.get(client, uri);
        long[] rounds = new long[ROUNDS];
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        try {
            for (int i = 0; i < WARM_UP; i++) reader.get(client, uri);
            for (int r = 0; r < ROUNDS; r++) {
                long before = clientAllocatedBytes();
                for (int i = 0; i < PER_ROUND; i++) reader.get(client, uri);
                rounds[r] = (clientAllocatedBytes() - before) / PER_ROUND;
            }
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
        Arrays.sort(rounds);
        long perRequest = rounds[ROUNDS / 2];
        String key = key(kind, protocol, read);
        long measured = MEASURED.get(key);
        System.out.printf(
                "allocation per request: %-32s %8d B (budget %d + %d)%n", key, perRequest, measured, margin(measured));
        assertThat(perRequest)
                .as("bytes allocated per request, %s (rounds %s)", key, Arrays.toString(rounds))
                .isLessThanOrEqualTo(measured + margin(measured));
    }

    /** One way of reading a response; checks the length it read. */
    private static final class Reader {
        private final Read read;
        private final byte[] array = new byte[8 * 1024];

        Reader(Read read) {
            this.read = read;
        }

        void get(AioductClient client, String uri) {
            try (Response r = client.get(uri).execute()) {
                long n = switch (read) {
                    case SMALL_BYTES, LARGE_BYTES -> r.body().bytes().length;
                    case LARGE_STREAM -> stream(r.body());
                    case LARGE_PUBLISHER -> publish(r.body());
                };
                if (n != (read == Read.SMALL_BYTES ? SMALL.length : LARGE.length)) {
                    throw new AssertionError("read " + n + " bytes");
                }
            }
        }

        private long stream(ResponseBody body) {
            long total = 0;
            try (InputStream in = body.inputStream()) {
                int n;
                while ((n = in.read(array)) >= 0) total += n;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return total;
        }

        private static long publish(ResponseBody body) {
            CompletableFuture<Long> done = new CompletableFuture<>();
            body.publisher().subscribe(new Flow.Subscriber<ByteBuffer>() {
                private Flow.Subscription subscription;
                private long total;

                @Override
                public void onSubscribe(Flow.Subscription s) {
                    subscription = s;
                    s.request(1);
                }

                @Override
                public void onNext(ByteBuffer item) {
                    total += item.remaining();
                    subscription.request(1);
                }

                @Override
                public void onError(Throwable e) {
                    done.completeExceptionally(e);
                }

                @Override
                public void onComplete() {
                    done.complete(total);
                }
            });
            return done.join();
        }
    }

    /**
     * Heap bytes allocated so far by every live platform thread but the test server's. Threads that end
     * between two readings take their count with them; the loops and carriers live through a test.
     */
    private static long clientAllocatedBytes() {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] ids = mx.getAllThreadIds();
        ThreadInfo[] infos = mx.getThreadInfo(ids, 0);
        long[] allocated = mx.getThreadAllocatedBytes(ids);
        long sum = 0;
        for (int i = 0; i < ids.length; i++) {
            ThreadInfo info = infos[i];
            if (info != null && !info.getThreadName().startsWith("test-server") && allocated[i] > 0) {
                sum += allocated[i];
            }
        }
        return sum;
    }
}
