package io.aioduct.sample;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs dashboard loads inside the app: at most one at a time per client, each with a bounded concurrency
 * (virtual-thread callers) and duration, stopping by itself. Every call is timed in {@code sample.load}
 * (tags {@code name} = client, {@code outcome} = success/error), with p50/p95/p99 over the last few seconds,
 * which the dashboard charts.
 *
 * <p>On shutdown the loads stop first ({@link StopLoadsFirst}), before the web server drains and the aioduct
 * engines wait for their requests in flight: a load still sending would keep those waits busy until their
 * budget ran out and its last calls were cancelled.
 */
@Component
class LoadRunner {

    static final String TIMER = "sample.load";
    private static final Logger log = LoggerFactory.getLogger(LoadRunner.class);

    private final Gateway gateway;
    private final ClientDirectory clients;
    private final MeterRegistry registry;
    private final Map<String, LoadRun> runs = new ConcurrentHashMap<>();
    private final List<Thread> supervisors = new CopyOnWriteArrayList<>();

    LoadRunner(Gateway gateway, ClientDirectory clients, MeterRegistry registry) {
        this.gateway = gateway;
        this.clients = clients;
        this.registry = registry;
        for (String name : clients.names()) {
            timer(name, "success");
            timer(name, "error");
        }
    }

    Timer timer(String client, String outcome) {
        return Timer.builder(TIMER)
                .description("calls made by the dashboard's load")
                .tag("name", client)
                .tag("outcome", outcome)
                .publishPercentiles(0.5, 0.95, 0.99)
                // Percentiles over the last ~6 s, rotating every 2 s: live enough for the charts.
                .distributionStatisticExpiry(Duration.ofSeconds(6))
                .distributionStatisticBufferLength(3)
                .register(registry);
    }

    /** @throws IllegalStateException when a load is already running on that client */
    synchronized LoadRun start(LoadSpec spec) {
        LoadRun current = runs.get(spec.client());
        if (current != null && current.running()) {
            throw new IllegalStateException("a load is already running on client '" + spec.client() + "'");
        }
        ClientSet client = clients.get("client", spec.client());
        LoadRun run = new LoadRun(spec);
        runs.put(spec.client(), run);
        Timer success = timer(spec.client(), "success");
        Timer error = timer(spec.client(), "error");
        List<Thread> callers = new ArrayList<>(spec.concurrency());
        for (int i = 0; i < spec.concurrency(); i++) {
            callers.add(Thread.ofVirtual()
                    .name("sample-load-" + spec.client() + "-" + i)
                    .start(() -> callLoop(run, client, success, error)));
        }
        // Listed before it starts, so its own removal at the end cannot come first.
        Thread supervisor = Thread.ofVirtual()
                .name("sample-load-" + spec.client())
                .unstarted(() -> {
                    for (Thread caller : callers) {
                        try {
                            caller.join();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            run.stopRequested.set(true);
                        }
                    }
                    run.finished();
                    log.info("load finished: {}", run.snapshot());
                    supervisors.remove(Thread.currentThread());
                });
        supervisors.add(supervisor);
        supervisor.start();
        log.info("load started: {}", spec);
        return run;
    }

    private void callLoop(LoadRun run, ClientSet client, Timer success, Timer error) {
        LoadSpec spec = run.spec;
        while (run.keepGoing()) {
            long start = System.nanoTime();
            try {
                gateway.call(client, spec.via(), spec.endpoint(), spec.delayMs());
                success.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (RuntimeException failure) {
                error.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
                run.failed(failure);
            }
            run.requests.incrementAndGet();
        }
    }

    @Nullable
    LoadRun current(String client) {
        return runs.get(client);
    }

    List<LoadRun> all() {
        return List.copyOf(runs.values());
    }

    /** Asks the client's load to stop; its callers finish the call they are in. */
    boolean stop(String client) {
        LoadRun run = runs.get(client);
        if (run == null || !run.running()) {
            return false;
        }
        run.stopRequested.set(true);
        return true;
    }

    /** Asks every load to stop and waits (up to {@code wait}) until their callers finished their last call. */
    void stopAll(Duration wait) {
        runs.values().forEach(run -> run.stopRequested.set(true));
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            for (Thread supervisor : supervisors) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !supervisor.join(Duration.ofNanos(left))) {
                    log.warn("loads still finishing their last calls after {}", wait);
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops the loads in the first shutdown phase (the highest), so no load call starts once the web server
     * begins its graceful drain or the aioduct engines wait for their requests in flight.
     */
    @Component
    static final class StopLoadsFirst implements SmartLifecycle {
        private final LoadRunner loads;
        private volatile boolean running;

        StopLoadsFirst(LoadRunner loads) {
            this.loads = loads;
        }

        @Override
        public void start() {
            running = true;
        }

        @Override
        public void stop() {
            running = false;
            loads.stopAll(Duration.ofSeconds(10));
        }

        @Override
        public boolean isRunning() {
            return running;
        }
    }
}
