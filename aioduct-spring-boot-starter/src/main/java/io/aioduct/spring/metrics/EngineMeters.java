package io.aioduct.spring.metrics;

import io.aioduct.engine.HttpEngine;
import io.aioduct.event.EventListener;
import io.aioduct.runtime.RuntimeCompletion;
import io.aioduct.runtime.RuntimeLocal;
import io.aioduct.runtime.RuntimeStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.function.ToDoubleFunction;

/**
 * The meters of one engine, tagged {@code name} and {@code runtime}: its event listener (made before the
 * engine, which takes it in its config) and, once the engine runs, the pool, runtime and per-core gauges
 * read from its snapshots ({@link HttpEngine#poolStats()}, {@link RuntimeCompletion#stats()}). A count the
 * runtime does not track ({@code -1}) reads as NaN, which registries skip. Thread-safe.
 */
final class EngineMeters {
    private final MeterRegistry registry;
    private final Tags common;
    private final PoolGauges pools;
    private final MetricsEventListener listener;

    EngineMeters(MeterRegistry registry, String name, String runtime, int maxOrigins, boolean clientRequests) {
        this.registry = registry;
        this.common = Tags.of("name", name, "runtime", runtime);
        OriginTags origins = new OriginTags(registry, common, maxOrigins);
        this.pools = new PoolGauges(registry, common, origins, System::nanoTime);
        this.listener = new MetricsEventListener(registry, common, origins, pools, clientRequests);
    }

    EventListener listener() {
        return listener;
    }

    /** Registers the gauges of {@code engine}, which runs with {@link #listener()}. */
    void bind(HttpEngine engine) {
        RuntimeCompletion runtime = engine.runtime();
        pools.bind(engine);
        Gauge.builder("aioduct.runtime.threads", runtime, r -> {
                    // Read on every scrape: the moment to pick up pools opened since the last one.
                    pools.discover();
                    return count(r.stats().threads());
                })
                .description("Threads of the runtime (virtual: live virtual threads it started)")
                .tags(common)
                .strongReference(true)
                .register(registry);
        runtimeGauge(runtime, "running", "Tasks spawned and not yet finished", s -> count(s.tasksRunning()));
        runtimeGauge(runtime, "pending", "Tasks queued on event loops, not yet started", s -> count(s.pendingTasks()));
        FunctionCounter.builder(
                        "aioduct.runtime.tasks.spawned",
                        runtime,
                        r -> count(r.stats().tasksSpawned()))
                .description("Tasks spawned on the runtime since it started (not exchanges driven on event loops)")
                .tags(common)
                .register(registry);
        if (runtime instanceof RuntimeLocal local) {
            for (int core = 0; core < local.cores(); core++) {
                coreMeters(runtime, core);
            }
        }
    }

    private void runtimeGauge(
            RuntimeCompletion runtime, String state, String description, ToDoubleFunction<RuntimeStats> value) {
        Gauge.builder("aioduct.runtime.tasks", runtime, r -> value.applyAsDouble(r.stats()))
                .description(description)
                .tags(common)
                .tag("state", state)
                .strongReference(true)
                .register(registry);
    }

    private void coreMeters(RuntimeCompletion runtime, int core) {
        Tags tags = common.and("core", Integer.toString(core));
        Gauge.builder("aioduct.core.tasks.pending", runtime, r -> coreValue(r, core, 0))
                .description("Tasks queued on the core's event loop")
                .tags(tags)
                .strongReference(true)
                .register(registry);
        Gauge.builder("aioduct.core.connections", runtime, r -> coreValue(r, core, 1))
                .description("Connections the core owns, active and idle")
                .tags(tags)
                .strongReference(true)
                .register(registry);
        FunctionCounter.builder("aioduct.core.requests", runtime, r -> coreValue(r, core, 2))
                .description("Exchanges the core finished")
                .tags(tags)
                .register(registry);
    }

    private static double coreValue(RuntimeCompletion runtime, int core, int field) {
        for (RuntimeStats.CoreStats c : runtime.stats().cores()) {
            if (c.core() == core) {
                return switch (field) {
                    case 0 -> count(c.pendingTasks());
                    case 1 -> count(c.connections());
                    default -> count(c.requestsServed());
                };
            }
        }
        return Double.NaN;
    }

    private static double count(long value) {
        return value < 0 ? Double.NaN : value;
    }
}
