package io.aioduct.bench.load;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The closed loop: keeps exactly {@code concurrency} requests in flight (a new one is sent as soon as one
 * completes) for a warm-up, then for a timed window, then stops and waits for the last ones. Latency is
 * recorded per request (send to body read) in an HdrHistogram; CPU time is the whole process's and
 * allocation is the sum over all threads (JVM-wide counters), both taken at the window's edges.
 */
public final class LoadDriver {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final Contender contender;
    private final Call call;
    private final int concurrency;
    private final Recorder recorder = new Recorder(3);
    private final LongAdder completed = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicReference<Throwable> firstError = new AtomicReference<>();
    private volatile boolean running;

    public LoadDriver(Contender contender, Call call, int concurrency) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be >= 1, was " + concurrency);
        }
        this.contender = contender;
        this.call = call;
        this.concurrency = concurrency;
    }

    /** Runs warm-up then the timed window; returns what the window measured. */
    public Sample run(long warmMillis, long windowMillis) throws InterruptedException {
        running = true;
        List<Thread> threads = start();
        sleep(warmMillis);
        recorder.getIntervalHistogram(); // drops the warm-up's latencies
        long n0 = completed.sum();
        long e0 = errors.sum();
        long cpu0 = OS.getProcessCpuTime();
        long alloc0 = THREADS.getTotalThreadAllocatedBytes();
        long t0 = System.nanoTime();
        sleep(windowMillis);
        long t1 = System.nanoTime();
        long alloc1 = THREADS.getTotalThreadAllocatedBytes();
        long cpu1 = OS.getProcessCpuTime();
        long n1 = completed.sum();
        long e1 = errors.sum();
        Histogram h = recorder.getIntervalHistogram();
        stop(threads);
        return new Sample(
                n1 - n0,
                e1 - e0,
                t1 - t0,
                h.getValueAtPercentile(50) / 1e3,
                h.getValueAtPercentile(99) / 1e3,
                h.getValueAtPercentile(99.9) / 1e3,
                cpu1 - cpu0,
                alloc0 < 0 || alloc1 < 0 ? -1 : alloc1 - alloc0);
    }

    /** The first failure seen, for the log (the run goes on; failures are counted). */
    public Throwable firstError() {
        return firstError.get();
    }

    private List<Thread> start() {
        List<Thread> threads = new ArrayList<>();
        switch (contender.mode()) {
            case ASYNC -> {
                inFlight.set(concurrency);
                for (int i = 0; i < concurrency; i++) {
                    issue();
                }
            }
            case BLOCKING_VIRTUAL -> {
                for (int i = 0; i < concurrency; i++) {
                    threads.add(Thread.ofVirtual().name("load-", i).start(this::blockingLoop));
                }
            }
        }
        return threads;
    }

    private void issue() {
        if (!running) {
            inFlight.decrementAndGet();
            return;
        }
        long start = System.nanoTime();
        try {
            contender.send(call, (bytes, failure) -> completed(start, failure));
        } catch (RuntimeException e) {
            completed(start, e);
        }
    }

    private void completed(long start, Throwable failure) {
        if (failure == null) {
            recorder.recordValue(System.nanoTime() - start);
            completed.increment();
            issue();
        } else {
            errors.increment();
            firstError.compareAndSet(null, failure);
            // Not from this stack: a client failing synchronously must not recurse without end.
            Thread.ofVirtual().start(() -> {
                sleep(1);
                issue();
            });
        }
    }

    private void blockingLoop() {
        while (running) {
            long start = System.nanoTime();
            try {
                contender.call(call);
                recorder.recordValue(System.nanoTime() - start);
                completed.increment();
            } catch (Exception | Error e) {
                errors.increment();
                firstError.compareAndSet(null, e);
                sleep(1);
            }
        }
    }

    private void stop(List<Thread> threads) throws InterruptedException {
        running = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        if (inFlight.get() > 0 || threads.stream().anyMatch(Thread::isAlive)) {
            throw new IllegalStateException("requests still in flight 60 s after the window ended");
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
