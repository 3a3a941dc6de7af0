package io.aioduct.spring.actuate;

import io.aioduct.engine.HttpEngine;
import io.aioduct.engine.HttpEngineLocal;
import io.aioduct.pool.PoolStats;
import io.aioduct.runtime.RuntimeCompletion;
import io.aioduct.runtime.RuntimeLocal;
import io.aioduct.runtime.pooled.PooledRuntime;
import io.aioduct.runtime.virtual.VirtualThreadRuntime;
import io.aioduct.spring.autoconfigure.RuntimeKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;

/**
 * What the {@code aioduct} endpoint shows: the runtime, its threads (per core for thread-per-core
 * runtimes, with each core's own pools) and every pool. A snapshot: each number is current when read,
 * the set may be momentarily uneven while requests run.
 *
 * @param runtime the runtime the engine runs on
 * @param inFlight exchanges started and not yet finished
 * @param maxPendingAcquires how many requests may wait per pool before requests are refused
 * @param pools every pool; on a thread-per-core runtime each row names its core
 */
public record EngineSnapshot(RuntimeInfo runtime, long inFlight, int maxPendingAcquires, List<PoolInfo> pools)
        implements OperationResponseBody {

    /** How long the endpoint waits for a core's loop to answer before it reports the core as busy. */
    private static final Duration CORE_PROBE = Duration.ofSeconds(1);

    /**
     * @param kind {@code pooled}, {@code virtual}, {@code io-uring}, {@code compat} (the chosen runtime under
     *     a compat runtime; its name says which), or {@code custom}
     * @param name the runtime's own name, e.g. {@code pooled(epoll)} or {@code io-uring(fallback: epoll)}
     * @param threads what runs the work
     */
    public record RuntimeInfo(String kind, String name, boolean closed, ThreadsInfo threads) {}

    /**
     * @param ioThreads event-loop threads (pooled); null where the runtime has none of that kind
     * @param workerThreads worker threads for spawned tasks (pooled)
     * @param runningTasks virtual threads running spawned tasks right now (virtual)
     * @param cores one entry per core (thread-per-core runtimes)
     */
    public record ThreadsInfo(
            @Nullable Integer ioThreads,
            @Nullable Integer workerThreads,
            @Nullable Integer runningTasks,
            @Nullable List<CoreInfo> cores) {}

    /**
     * @param thread the name of the core's event-loop thread, or null if it did not answer in time
     * @param pools the pools this core owns
     */
    public record CoreInfo(int core, @Nullable String thread, List<PoolInfo> pools) {}

    /** One pool: where its connections go and how they are used. */
    public record PoolInfo(
            String origin,
            String protocol,
            int active,
            int idle,
            int connecting,
            int pending,
            int max,
            @Nullable Integer core) {

        static PoolInfo of(PoolStats s, @Nullable Integer core) {
            return new PoolInfo(
                    s.origin().toString(),
                    s.protocol(),
                    s.active(),
                    s.idle(),
                    s.connecting(),
                    s.pending(),
                    s.max(),
                    core);
        }
    }

    /** Reads {@code engine} now. */
    public static EngineSnapshot of(HttpEngine engine) {
        RuntimeCompletion runtime = engine.runtime();
        List<PoolInfo> pools = new ArrayList<>();
        ThreadsInfo threads;
        if (runtime instanceof RuntimeLocal local && engine instanceof HttpEngineLocal<?, ?> perCore) {
            List<CoreInfo> cores = new ArrayList<>();
            for (int core = 0; core < local.cores(); core++) {
                List<PoolInfo> own = new ArrayList<>();
                for (PoolStats s : perCore.poolStats(core)) own.add(PoolInfo.of(s, core));
                pools.addAll(own);
                cores.add(new CoreInfo(core, threadName(local, core), own));
            }
            threads = new ThreadsInfo(null, null, null, cores);
        } else {
            engine.poolStats().forEach(s -> pools.add(PoolInfo.of(s, null)));
            threads = switch (runtime) {
                case PooledRuntime p -> new ThreadsInfo(p.ioThreads(), p.workerThreads(), null, null);
                case VirtualThreadRuntime v -> new ThreadsInfo(null, null, v.runningTasks(), null);
                default -> new ThreadsInfo(null, null, null, null);
            };
        }
        return new EngineSnapshot(
                new RuntimeInfo(kind(runtime), runtime.name(), runtime.isClosed(), threads),
                engine.inFlight(),
                engine.config().pool().maxPendingAcquires(),
                pools);
    }

    /** The runtime kind as {@code aioduct.runtime.kind} names it, or {@code compat}. */
    static String kind(RuntimeCompletion runtime) {
        return RuntimeKind.tagOf(runtime);
    }

    /** Asks the core's own loop for its thread name; a core too busy to answer within a second shows null. */
    private static @Nullable String threadName(RuntimeLocal runtime, int core) {
        if (runtime.isClosed()) {
            return null;
        }
        CompletableFuture<String> name = new CompletableFuture<>();
        try {
            runtime.spawnOn(core, () -> name.complete(Thread.currentThread().getName()));
            return name.get(CORE_PROBE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException | ExecutionException | TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
