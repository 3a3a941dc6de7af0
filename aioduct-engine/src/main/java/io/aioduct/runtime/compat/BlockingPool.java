package io.aioduct.runtime.compat;

import io.aioduct.concurrent.RuntimeThread;
import io.aioduct.runtime.RuntimePoll;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where {@code spawnBlocking} work runs: a bounded pool of platform threads {@code <prefix>-blocking-N}
 * beside the workers, so blocking calls never occupy a worker; or, on the virtual base, a fresh virtual
 * thread of the base for each call (blocking there only parks it). Platform threads end after
 * {@link #KEEP_ALIVE} idle. Thread-safe; the compat runtime closes it last.
 */
final class BlockingPool {
    private static final Logger log = LoggerFactory.getLogger(BlockingPool.class);
    // Long enough to reuse a thread across a burst of blocking calls, short enough not to hoard threads.
    static final Duration KEEP_ALIVE = Duration.ofSeconds(10);

    private final @Nullable ThreadPoolExecutor platform;
    private final @Nullable RuntimePoll virtualBase;
    private final Set<Thread> threads;
    private final String prefix;

    private BlockingPool(
            @Nullable ThreadPoolExecutor platform,
            @Nullable RuntimePoll virtualBase,
            Set<Thread> threads,
            String prefix) {
        this.platform = platform;
        this.virtualBase = virtualBase;
        this.threads = threads;
        this.prefix = prefix;
    }

    /** A pool of at most {@code maxThreads} platform threads named {@code prefix-blocking-N}. */
    static BlockingPool platform(String prefix, int maxThreads, Object owner) {
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        ThreadFactory named = RuntimeThread.factory(prefix + "-blocking", true, owner, -1, false, threads);
        // A thread leaves the set as it ends, so the set stays as small as the pool.
        ThreadFactory tracked = task -> named.newThread(() -> {
            try {
                task.run();
            } finally {
                threads.remove(Thread.currentThread());
            }
        });
        ThreadPoolExecutor executor = new ThreadPoolExecutor(
                maxThreads,
                maxThreads,
                KEEP_ALIVE.toNanos(),
                TimeUnit.NANOSECONDS,
                new LinkedBlockingQueue<>(),
                tracked);
        // Core threads time out too, so an idle runtime holds no blocking thread.
        executor.allowCoreThreadTimeOut(true);
        return new BlockingPool(executor, null, threads, prefix);
    }

    /** Blocking work on the virtual base: one virtual thread of the base per call. */
    static BlockingPool virtual(RuntimePoll base, String prefix) {
        return new BlockingPool(null, base, ConcurrentHashMap.newKeySet(), prefix);
    }

    void execute(Runnable task) {
        if (platform != null) {
            platform.execute(task);
        } else {
            Objects.requireNonNull(virtualBase).spawnSend(task);
        }
    }

    /** Stops the platform threads (interrupting any still blocked) and waits for them to end. */
    void close(Duration grace) {
        if (platform == null) {
            return; // the virtual base's own close waits for its threads
        }
        platform.shutdownNow();
        try {
            platform.awaitTermination(grace.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Thread> alive = RuntimeThread.join(threads, grace.toNanos());
        if (!alive.isEmpty()) {
            log.warn("{}: blocking threads still running after {}: {}", prefix, grace, alive);
        }
    }
}
