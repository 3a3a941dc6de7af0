package io.aioduct.sample;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Runs dashboard loads inside the app: at most one at a time per client, each with a bounded concurrency
 * (virtual-thread callers) and duration, stopping by itself. Every call is timed in {@code sample.load}
 * (tags {@code name} = client, {@code outcome} = success/error), with p50/p95/p99 over the last few seconds,
 * which the dashboard charts.
 */
@Component
class LoadRunner {

    static final String TIMER = "sample.load";
    private static final Logger log = LoggerFactory.getLogger(LoadRunner.class);

    private final Gateway gateway;
    private final ClientDirectory clients;
    private final MeterRegistry registry;
    private final Map<String, LoadRun> runs = new ConcurrentHashMap<>();

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
        Thread.ofVirtual().name("sample-load-" + spec.client()).start(() -> {
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
        });
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

    @PreDestroy
    void stopAll() {
        runs.values().forEach(run -> run.stopRequested.set(true));
    }
}
