package io.aioduct.spring.actuate;

import io.aioduct.engine.HttpEngine;
import java.util.List;
import java.util.Objects;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The engine's health: {@code DOWN} when its runtime is closed, or when a pool is exhausted (every
 * connection busy and its queue of waiting requests full, so new requests to that origin are refused at
 * once); {@code UP} otherwise. A busy pool with room in its queue is not a failure: its requests wait.
 * Details: the runtime, the exchanges in flight, and the exhausted and saturated (all connections busy,
 * requests waiting) origins.
 */
public class AioductHealthIndicator extends AbstractHealthIndicator {
    private final HttpEngine engine;

    public AioductHealthIndicator(HttpEngine engine) {
        super("aioduct health check failed");
        this.engine = Objects.requireNonNull(engine, "engine");
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        EngineSnapshot snapshot = EngineSnapshot.of(engine);
        builder.withDetail("runtime", snapshot.runtime().name()).withDetail("inFlight", snapshot.inFlight());
        if (engine.isClosed() || snapshot.runtime().closed()) {
            builder.down().withDetail("reason", "the engine is shut down");
            return;
        }
        List<String> exhausted = snapshot.pools().stream()
                .filter(p -> atLimit(p) && p.pending() >= snapshot.maxPendingAcquires())
                .map(EngineSnapshot.PoolInfo::origin)
                .distinct()
                .toList();
        List<String> saturated = snapshot.pools().stream()
                .filter(p -> atLimit(p) && p.pending() > 0)
                .map(EngineSnapshot.PoolInfo::origin)
                .distinct()
                .toList();
        if (!saturated.isEmpty()) {
            builder.withDetail("saturatedPools", saturated);
        }
        if (exhausted.isEmpty()) {
            builder.up();
        } else {
            builder.down()
                    .withDetail("exhaustedPools", exhausted)
                    .withDetail(
                            "reason",
                            "requests to these origins are being refused: every connection is busy and "
                                    + "the queue of waiting requests is full (aioduct.pool.max-connections-per-origin, "
                                    + "aioduct.pool.max-pending-acquires)");
        }
    }

    private static boolean atLimit(EngineSnapshot.PoolInfo p) {
        return p.active() + p.connecting() >= p.max();
    }
}
