package io.aioduct.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.Aioduct;
import io.aioduct.AioductClient;
import io.aioduct.Request;
import io.aioduct.Response;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.event.ConnectionInfo;
import io.aioduct.event.EventListener;
import io.aioduct.pool.PoolStats;
import io.aioduct.runtime.RuntimeStats;
import io.aioduct.testing.EngineTest;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** The code of docs/events.md, run. */
class EventsExamples extends EngineTest {

    // tag::listener[]
    /** Counts calls and new connections, and sums the time spent waiting for the pool. */
    static final class Counting implements EventListener {
        final LongAdder calls = new LongAdder();
        final LongAdder failures = new LongAdder();
        final LongAdder newConnections = new LongAdder();
        final LongAdder acquireWaitNanos = new LongAdder();

        @Override
        public void callEnd(Request request, int status, long nanos) {
            calls.increment();
        }

        @Override
        public void callFailed(Request request, Throwable error, long nanos) {
            failures.increment();
        }

        @Override
        public void acquireEnd(Request request, ConnectionInfo connection, long waitNanos) {
            acquireWaitNanos.add(waitNanos);
        }

        @Override
        public void connectionAcquired(Request request, ConnectionInfo connection, boolean reused) {
            if (!reused) newConnections.increment();
        }
    }
    // end::listener[]

    @Test
    void aListenerAndTheStats() {
        server.route("/", (req, ex) -> ex.respond(200, "hi"));
        String url = server.uri("/");
        // tag::use[]
        Counting counting = new Counting();
        EngineConfig config = EngineConfig.builder().eventListener(counting).build();
        try (HttpEngine engine = Aioduct.pooled(config)) {
            AioductClient client = AioductClient.builder(engine).build();
            for (int i = 0; i < 3; i++) {
                try (Response response = client.get(url).uriTemplate("/").execute()) {
                    response.body().string();
                }
            }
            for (PoolStats pool : engine.poolStats()) {
                System.out.println(pool.origin() + " " + pool.protocol() + ": " + pool.active() + " active, "
                        + pool.idle() + " idle, " + pool.pending() + " waiting");
            }
            RuntimeStats runtime = engine.runtime().stats();
            System.out.println(runtime.kind() + ": " + runtime.threads() + " threads, " + runtime.pendingTasks()
                    + " tasks queued on event loops");
            // end::use[]
            assertThat(engine.poolStats())
                    .singleElement()
                    .extracting(PoolStats::idle)
                    .isEqualTo(1);
            assertThat(runtime.kind()).isEqualTo("pooled");
        }
        awaitTrue(() -> counting.calls.sum() == 3, () -> "calls: " + counting.calls.sum());
        assertThat(counting.newConnections.sum()).isEqualTo(1);
        assertThat(counting.failures.sum()).isZero();
    }

    @Test
    void severalListenersOnATestClock() {
        server.route("/", (req, ex) -> ex.respond(200, "hi"));
        String url = server.uri("/");
        // tag::clock[]
        AtomicLong now = new AtomicLong(); // a clock that moves only when the test says so
        AtomicLong dnsNanos = new AtomicLong();
        EventListener slowDns = new EventListener() {
            @Override
            public void dnsStart(Request request, String host) {
                now.addAndGet(5_000_000); // pretend the lookup took 5 ms
            }

            @Override
            public void dnsEnd(Request request, String host, List<InetAddress> addresses, long nanos) {
                dnsNanos.set(nanos);
            }
        };
        Counting counting = new Counting();
        EngineConfig config = EngineConfig.builder()
                .ticker(now::get) // every event duration is read from this clock
                .eventListener(slowDns.plus(counting)) // both hear every event, in this order
                .build();
        // end::clock[]
        try (HttpEngine engine = Aioduct.pooled(config)) {
            AioductClient client = AioductClient.builder(engine).build();
            try (Response response = client.get(url).execute()) {
                response.body().string();
            }
        }
        assertThat(dnsNanos.get()).isEqualTo(5_000_000);
        awaitTrue(() -> counting.calls.sum() == 1, () -> "calls: " + counting.calls.sum());
    }
}
