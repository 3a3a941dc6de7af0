package io.aioduct.spring.autoconfigure;

import io.aioduct.engine.HttpEngine;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;

/**
 * Closes the auto-configured engine, and with it the runtime's threads and every pool, when the
 * context closes: in-flight requests get {@code aioduct.shutdown.grace} to finish.
 *
 * <p>The engine bean depends on this one, so Spring destroys this one last: every bean that uses the
 * engine (clients, request factories, the user's own beans) is destroyed before the engine closes, and
 * a failed start-up closes it too.
 */
final class EngineShutdown implements DisposableBean {
    private final Duration grace;
    private volatile @Nullable HttpEngine engine;

    EngineShutdown(Duration grace) {
        this.grace = grace;
    }

    HttpEngine manage(HttpEngine engine) {
        this.engine = engine;
        return engine;
    }

    @Override
    public void destroy() {
        HttpEngine e = engine;
        if (e != null && !e.isClosed()) {
            e.close(grace);
        }
    }
}
