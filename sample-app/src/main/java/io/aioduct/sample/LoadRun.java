package io.aioduct.sample;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One load in progress or finished: its spec and progress counters. Threading: the counters are updated by
 * the load's callers and read by any thread.
 */
final class LoadRun {

    private static final AtomicLong IDS = new AtomicLong();

    final long id = IDS.incrementAndGet();
    final LoadSpec spec;
    final long startNanos = System.nanoTime();
    final long deadlineNanos;
    final AtomicLong requests = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicBoolean stopRequested = new AtomicBoolean();
    private volatile @Nullable String lastError;
    private volatile long endNanos;

    LoadRun(LoadSpec spec) {
        this.spec = spec;
        this.deadlineNanos = startNanos + spec.duration().toNanos();
    }

    boolean keepGoing() {
        return !stopRequested.get() && System.nanoTime() - deadlineNanos < 0;
    }

    void failed(Throwable failure) {
        errors.incrementAndGet();
        lastError = failure.getClass().getSimpleName() + ": " + failure.getMessage();
    }

    void finished() {
        endNanos = System.nanoTime();
    }

    boolean running() {
        return endNanos == 0;
    }

    Map<String, Object> snapshot() {
        long end = running() ? System.nanoTime() : endNanos;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("client", spec.client());
        m.put("via", spec.via().id());
        m.put("endpoint", spec.endpoint().id());
        m.put("concurrency", spec.concurrency());
        m.put("durationSeconds", spec.duration().toSeconds());
        m.put("state", running() ? "running" : "finished");
        m.put("elapsedMs", (end - startNanos) / 1_000_000);
        m.put("requests", requests.get());
        m.put("errors", errors.get());
        m.put("lastError", lastError);
        return m;
    }
}
