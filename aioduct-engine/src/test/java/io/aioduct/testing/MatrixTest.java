package io.aioduct.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.testing.MatrixServer.Protocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * Base for runtime x protocol behaviour tests: {@link #serve} starts a {@link MatrixServer}, {@link
 * #matrixEngine} opens a single-pool engine. After each test, before {@link EngineTest}'s leak checks, the
 * engines must go quiet while the servers still run (so a leak is not hidden by a server closing the
 * connection), then the servers close and their handler failures fail the test.
 */
public abstract class MatrixTest extends EngineTest {
    private final List<MatrixServer> servers = new ArrayList<>();
    private final List<HttpEngine> matrixEngines = new ArrayList<>();

    /** Starts {@code protocol}'s server; closed and checked for handler failures after the test. */
    protected MatrixServer serve(Protocol protocol) {
        MatrixServer s = protocol.start();
        servers.add(s);
        return s;
    }

    /**
     * A single-pool engine ({@link RuntimeKind#singlePoolEngine}: connection counts are exact), awaited
     * quiet before the servers close.
     */
    protected HttpEngine matrixEngine(RuntimeKind kind, EngineConfig config) {
        HttpEngine engine = singlePoolEngine(kind, config);
        matrixEngines.add(engine);
        return engine;
    }

    /** The engine {@link #matrixEngine} opened last. */
    protected HttpEngine lastMatrixEngine() {
        return matrixEngines.getLast();
    }

    @AfterEach
    void closeMatrixServers() {
        AssertionError first = null;
        for (HttpEngine e : matrixEngines) {
            try {
                if (!e.isClosed()) {
                    awaitQuiet(e);
                }
            } catch (AssertionError notQuiet) {
                first = first == null ? notQuiet : first;
                e.close(Duration.ofSeconds(1));
            }
        }
        matrixEngines.clear();
        List<Throwable> failures = new ArrayList<>();
        for (MatrixServer s : servers) {
            failures.addAll(s.failures());
            s.close();
        }
        servers.clear();
        if (first != null) {
            throw first;
        }
        assertThat(failures).as("server-side failures").isEmpty();
    }
}
