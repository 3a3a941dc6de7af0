package io.aioduct.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.aioduct.AioductClient;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.pool.PoolStats;
import io.aioduct.runtime.virtual.VirtualThreadRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base for behaviour tests: starts a {@link TestServer}, opens engines on request and, after each test,
 * checks that nothing leaked: no exchange in flight, no connection left acquired, no runtime thread
 * left running, no Netty buffer leaked, no server-side handler failure.
 */
public abstract class EngineTest {
    protected TestServer server;
    private final List<HttpEngine> engines = new ArrayList<>();

    @BeforeEach
    void startServer() {
        LeakRecordingDetector.collectLeaks();
        server = TestServer.start();
    }

    /** An engine of {@code kind} with default settings, closed and leak-checked after the test. */
    protected HttpEngine engine(RuntimeKind kind) {
        return engine(kind, EngineConfig.DEFAULT);
    }

    protected HttpEngine engine(RuntimeKind kind, EngineConfig config) {
        HttpEngine e = kind.engine(config);
        engines.add(e);
        return e;
    }

    /** Registers an engine the test built itself, so it is closed and leak-checked afterwards. */
    protected <E extends HttpEngine> E track(E engine) {
        engines.add(engine);
        return engine;
    }

    /** An engine whose requests from the test thread share one pool (io_uring on one core). */
    protected HttpEngine singlePoolEngine(RuntimeKind kind, EngineConfig config) {
        HttpEngine e = kind.singlePoolEngine(config);
        engines.add(e);
        return e;
    }

    /** A client with default settings on a new engine of {@code kind}. */
    protected AioductClient client(RuntimeKind kind) {
        return AioductClient.builder(engine(kind)).build();
    }

    protected AioductClient client(RuntimeKind kind, EngineConfig config, Consumer<AioductClient.Builder> settings) {
        AioductClient.Builder b = AioductClient.builder(engine(kind, config));
        settings.accept(b);
        return b.build();
    }

    /** Waits until nothing is in flight and no pooled connection is active, connecting or awaited. */
    protected static void awaitQuiet(HttpEngine engine) {
        awaitTrue(
                () -> engine.inFlight() == 0 && engine.poolStats().stream().allMatch(EngineTest::quiet),
                () -> "engine not quiet: inFlight=" + engine.inFlight() + " pools=" + engine.poolStats());
    }

    private static boolean quiet(PoolStats s) {
        return s.active() == 0 && s.connecting() == 0 && s.pending() == 0;
    }

    protected static int idleConnections(HttpEngine engine) {
        return engine.poolStats().stream().mapToInt(PoolStats::idle).sum();
    }

    protected static void awaitTrue(BooleanSupplier condition, java.util.function.Supplier<String> message) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail(message.get());
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    @AfterEach
    void checkNothingLeaked() {
        AssertionError notQuiet = null;
        try {
            for (HttpEngine e : engines) {
                try {
                    if (!e.isClosed()) {
                        awaitQuiet(e);
                    }
                } catch (AssertionError failure) {
                    // Still close everything, so one leaky test cannot poison the ones after it.
                    notQuiet = notQuiet == null ? failure : notQuiet;
                }
                e.close(Duration.ofSeconds(2));
                if (e.runtime() instanceof VirtualThreadRuntime v) {
                    awaitTrue(() -> v.runningTasks() == 0, () -> "virtual tasks left: " + v.runningTasks());
                }
            }
            awaitTrue(
                    () -> liveRuntimeThreads().isEmpty(),
                    () -> "runtime threads left running: " + liveRuntimeThreads());
        } finally {
            engines.clear();
            server.close();
        }
        if (notQuiet != null) {
            throw notQuiet;
        }
        assertThat(server.failures()).as("server-side failures").isEmpty();
        assertThat(LeakRecordingDetector.collectLeaks())
                .as("Netty buffer leaks")
                .isEmpty();
    }

    /** Platform threads any runtime started that are still alive. */
    public static List<String> liveRuntimeThreads() {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith("aioduct-")) {
                names.add(t.getName());
            }
        }
        return names;
    }
}
