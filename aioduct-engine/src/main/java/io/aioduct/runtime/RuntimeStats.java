package io.aioduct.runtime;

import java.util.List;

/**
 * A snapshot of what a runtime is doing, cheap enough to read on every metrics scrape.
 *
 * @param kind {@code pooled}, {@code virtual}, {@code io-uring} or {@code compat} (a custom runtime names itself)
 * @param threads platform threads the runtime owns now (for {@code virtual}: carrier-independent, the
 *     virtual threads it started and that are alive)
 * @param tasksSpawned tasks spawned since the runtime started ({@code spawnSend}, {@code spawnLocal}, the
 *     runtime's executor). Exchanges an engine drives on its event loops, or on the caller's own thread,
 *     are not tasks: count them with the engine's events or, on io_uring, {@link CoreStats#requestsServed}
 * @param tasksRunning tasks spawned and not yet finished
 * @param pendingTasks tasks queued on event loops and not yet started (0 where there are none)
 * @param cores one entry per io_uring core; empty on other runtimes
 */
public record RuntimeStats(
        String kind, int threads, long tasksSpawned, int tasksRunning, int pendingTasks, List<CoreStats> cores) {

    public RuntimeStats {
        cores = List.copyOf(cores);
    }

    /**
     * One io_uring core.
     *
     * @param core the core's index, 0-based
     * @param pendingTasks tasks queued on its loop and not yet started
     * @param connections connections the core owns (all its pools, active and idle)
     * @param requestsServed exchanges the core finished since start
     */
    public record CoreStats(int core, int pendingTasks, int connections, long requestsServed) {}
}
