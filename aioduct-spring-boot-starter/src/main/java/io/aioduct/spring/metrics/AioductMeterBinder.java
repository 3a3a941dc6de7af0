package io.aioduct.spring.metrics;

import io.aioduct.engine.HttpEngine;
import io.aioduct.event.EventListener;
import io.aioduct.spring.autoconfigure.AioductEngineObserver;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Binds every engine the starter creates to a {@link MeterRegistry}: a metrics listener goes into the engine's
 * config (beside any listener the application set), and once the engine runs its pool and runtime gauges are
 * registered. Meters are tagged {@code name} (the client name) and {@code runtime}. Thread-safe.
 */
public final class AioductMeterBinder implements AioductEngineObserver {
    private final MeterRegistry registry;
    private final int maxOrigins;
    private final boolean clientRequests;
    private final Map<String, EngineMeters> engines = new ConcurrentHashMap<>();
    private final Map<HttpEngine, String> names = new ConcurrentHashMap<>();

    /**
     * @param maxOrigins distinct origins tagged per client before the rest are tagged {@code OTHER}
     * @param clientRequests whether requests sent with an AioductClient directly are timed
     */
    public AioductMeterBinder(MeterRegistry registry, int maxOrigins, boolean clientRequests) {
        this.registry = Objects.requireNonNull(registry, "registry");
        if (maxOrigins < 1) {
            throw new IllegalArgumentException("maxOrigins must be at least 1, was " + maxOrigins);
        }
        this.maxOrigins = maxOrigins;
        this.clientRequests = clientRequests;
    }

    @Override
    public EventListener eventListener(String name, String runtime) {
        return engines.computeIfAbsent(name, n -> new EngineMeters(registry, n, runtime, maxOrigins, clientRequests))
                .listener();
    }

    @Override
    public void engineCreated(String name, String runtime, HttpEngine engine) {
        EngineMeters meters = engines.get(name);
        if (meters == null) {
            // Created without asking for a listener first: gauges only.
            meters = new EngineMeters(registry, name, runtime, maxOrigins, clientRequests);
            engines.put(name, meters);
        }
        meters.bind(engine);
        names.put(engine, name);
    }

    /**
     * The client name ({@code default}, or a named client's) of an engine the starter created, {@code null}
     * for any other engine.
     */
    public @Nullable String clientName(HttpEngine engine) {
        return names.get(engine);
    }
}
