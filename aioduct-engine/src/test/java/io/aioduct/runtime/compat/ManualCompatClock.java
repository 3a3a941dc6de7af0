package io.aioduct.runtime.compat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link CompatClock} that moves only when a test says so, waking the timer threads that wait on it. Thread-safe. */
final class ManualCompatClock implements CompatClock {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    @Override
    public long nanoTime() {
        return now.get();
    }

    @Override
    public Runnable onAdvance(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    void advance(Duration by) {
        now.addAndGet(by.toNanos());
        listeners.forEach(Runnable::run);
    }

    /** How many runtimes still listen (each removes itself when it stops). */
    int listeners() {
        return listeners.size();
    }
}
