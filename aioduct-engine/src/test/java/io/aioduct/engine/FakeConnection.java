package io.aioduct.engine;

import io.aioduct.exchange.PooledConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A connection that does no I/O: reuse and validation are switches, closes are recorded. It speaks
 * HTTP/1.1 unless made {@linkplain #multiplexed(int) multiplexed}, with a capacity the test sets. Thread-safe.
 */
final class FakeConnection implements PooledConnection {
    private final String name;
    private final long createdNanos;
    private final List<String> closeReasons = new ArrayList<>();
    private final AtomicInteger validateCalls = new AtomicInteger();
    private volatile boolean reusable = true;
    private volatile boolean valid = true;
    private volatile @Nullable List<String> closeLog;
    private volatile boolean multiplexed;
    private volatile int capacity = 1;
    private volatile boolean settled = true;
    private volatile @Nullable Runnable onValidate;

    FakeConnection(String name, long createdNanos) {
        this.name = name;
        this.createdNanos = createdNanos;
    }

    /** Makes {@link #isReusable()} answer false, as if the peer had said "Connection: close". */
    FakeConnection notReusable() {
        reusable = false;
        return this;
    }

    /** Makes {@link #validate()} answer false, as if the peer had closed it while idle. */
    FakeConnection failsValidation() {
        valid = false;
        return this;
    }

    /** Also appends "name: reason" to {@code log} on close, to see the order across connections. */
    FakeConnection logClosesTo(List<String> log) {
        closeLog = log;
        return this;
    }

    /** Makes it an HTTP/2 connection carrying up to {@code capacity} exchanges at once. */
    FakeConnection multiplexed(int capacity) {
        this.multiplexed = true;
        this.capacity = capacity;
        return this;
    }

    /** Changes the capacity, as a SETTINGS frame (or GOAWAY, for 0) would; the pool is not told. */
    FakeConnection capacity(int capacity) {
        this.capacity = capacity;
        return this;
    }

    /** Makes its capacity provisional (an HTTP/2 connection whose server's SETTINGS are still to come). */
    FakeConnection unsettled() {
        settled = false;
        return this;
    }

    /** Makes its capacity final, as the server's first SETTINGS would; the pool is not told. */
    FakeConnection settle(int capacity) {
        this.capacity = capacity;
        settled = true;
        return this;
    }

    /** Runs {@code hook} at the start of every {@link #validate()}, to interleave other pool calls there. */
    FakeConnection onValidate(Runnable hook) {
        onValidate = hook;
        return this;
    }

    @Override
    public boolean multiplexed() {
        return multiplexed;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public boolean capacitySettled() {
        return settled;
    }

    @Override
    public boolean isReusable() {
        return reusable && !isClosed();
    }

    @Override
    public boolean validate() {
        validateCalls.incrementAndGet();
        Runnable hook = onValidate;
        if (hook != null) {
            hook.run();
        }
        return valid && isReusable();
    }

    int validateCalls() {
        return validateCalls.get();
    }

    /** When the test opened it (the pool keeps its own record). */
    long createdNanos() {
        return createdNanos;
    }

    @Override
    public synchronized void close(String reason) {
        closeReasons.add(reason);
        List<String> log = closeLog;
        if (log != null) {
            log.add(name + ": " + reason);
        }
    }

    synchronized boolean isClosed() {
        return !closeReasons.isEmpty();
    }

    synchronized int closeCount() {
        return closeReasons.size();
    }

    synchronized List<String> closeReasons() {
        return List.copyOf(closeReasons);
    }

    @Override
    public String toString() {
        return name;
    }
}
