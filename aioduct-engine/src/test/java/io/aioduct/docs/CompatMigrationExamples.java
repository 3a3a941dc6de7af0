package io.aioduct.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.aioduct.connect.ConnectorSend;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngineSend;
import io.aioduct.runtime.compat.CompatClock;
import io.aioduct.runtime.compat.CompatRuntime;
import io.aioduct.runtime.compat.CurrentThreadRuntime;
import io.aioduct.testing.EngineTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The worked example of docs/compat.md: a price-alert service whose legacy half (executors, futures,
 * blocking HTTP) and new half (stages, the async client) move onto one compat runtime. Every tagged region
 * is a snippet of that page; {@link DocsSnippetsTest} keeps them in step and this class runs them.
 */
class CompatMigrationExamples extends EngineTest {

    // tag::legacy-service[]
    /** Legacy code. It knows ScheduledExecutorService and Future, and fetches prices with a blocking call. */
    static final class PriceAlerts {
        private final ScheduledExecutorService executor;
        private final Function<String, String> fetchPrice; // blocking, e.g. restTemplate.getForObject
        final List<String> seen = new CopyOnWriteArrayList<>();

        PriceAlerts(ScheduledExecutorService executor, Function<String, String> fetchPrice) {
            this.executor = executor;
            this.fetchPrice = fetchPrice;
        }

        ScheduledFuture<?> watch(String symbol, long everySeconds) {
            return executor.scheduleAtFixedRate(() -> check(symbol), 0, everySeconds, TimeUnit.SECONDS);
        }

        Future<String> checkNow(String symbol) {
            return executor.submit(() -> check(symbol));
        }

        private String check(String symbol) {
            String price = fetchPrice.apply(symbol);
            seen.add(symbol + "=" + price);
            return price;
        }
    }
    // end::legacy-service[]

    // tag::legacy-helper[]
    /** A legacy static helper: it finds "the executor" instead of being handed one. */
    static final class Audit {
        static final List<String> LOG = new CopyOnWriteArrayList<>();

        static void record(String event) {
            CompatRuntime.current().execute(() -> LOG.add(event));
        }
    }
    // end::legacy-helper[]

    @Test
    void migratingThePriceAlertService() throws Exception {
        server.route("/price/", (req, ex) -> ex.respond(200, req.path().equals("/price/ACME") ? "42" : "7"));
        String baseUrl = server.uri("");
        Audit.LOG.clear();

        // tag::step-1[]
        CompatRuntime runtime = CompatRuntime.builder()
                .workers(4)
                .threadNamePrefix("aioduct-alerts")
                .build();
        ScheduledExecutorService executor = runtime; // was: Executors.newScheduledThreadPool(4)
        // end::step-1[]

        // tag::step-2[]
        HttpEngineSend<CompatRuntime, ConnectorSend> engine = runtime.engine(EngineConfig.DEFAULT);
        AioductClient client = AioductClient.builder(engine).build();
        // The legacy fetch blocks, on a runtime worker: blockInPlace says so, and the pool adds a thread.
        Function<String, String> blockingFetch = symbol -> runtime.blockInPlace(() -> {
            try (Response response = client.get(baseUrl + "/price/" + symbol).execute()) {
                return response.body().string();
            }
        });
        PriceAlerts alerts = new PriceAlerts(executor, blockingFetch);
        ScheduledFuture<?> watching = alerts.watch("ACME", 60);
        // end::step-2[]

        List<String> dashboard = new CopyOnWriteArrayList<>();
        // tag::step-3[]
        // New code, on the same threads and the same connection pool:
        runtime.spawnAsync(() -> client.get(baseUrl + "/price/INITECH")
                .send()
                .thenCompose(response -> response.body().stringAsync())
                .thenAccept(price -> dashboard.add("INITECH=" + price)));
        CompletableFuture<String> quote = runtime.spawnHandleAsync(() -> client.get(baseUrl + "/price/ACME")
                .send()
                .thenCompose(r -> r.body().stringAsync()));

        // Each side can wait for the other, from outside the runtime:
        String fromNewCode = runtime.blockOn(quote);
        String fromLegacyCode = runtime.blockOn(alerts.checkNow("ACME"));
        // end::step-3[]

        // tag::step-4[]
        try (CompatRuntime.EnterGuard entered = runtime.enter()) {
            Audit.record("migration started"); // lands on the runtime, counted
        }
        // end::step-4[]

        awaitTrue(() -> alerts.seen.size() == 2, () -> "the watch's first check has not run: " + alerts.seen);
        assertThat(engine.poolStats()).as("legacy and new calls share one pool").hasSize(1);

        // tag::step-5[]
        watching.cancel(false); // periodic tasks never count towards idle; shutdown would cancel it anyway
        runtime.awaitIdle(); // the spawned INITECH fetch, the audit entry: everything counted is done
        engine.close();
        runtime.shutdownOnIdle(); // stops the runtime; no thread it started is left
        // end::step-5[]

        assertThat(fromNewCode).isEqualTo("42");
        assertThat(fromLegacyCode).isEqualTo("42");
        assertThat(dashboard).containsExactly("INITECH=7");
        assertThat(alerts.seen).containsExactly("ACME=42", "ACME=42");
        assertThat(Audit.LOG).containsExactly("migration started");
        assertThat(runtime.isTerminated()).isTrue();
    }

    @Test
    void runUntilIdle() {
        List<String> log = new CopyOnWriteArrayList<>();
        // tag::run[]
        CompatRuntime.run(() -> {
            CompatRuntime runtime = CompatRuntime.current();
            runtime.execute(() -> log.add("legacy task"));
            runtime.spawnAsync(() -> runtime.sleep(Duration.ofMillis(10)).thenRun(() -> log.add("new task")));
        });
        // run() has returned: the runtime went idle (both tasks finished) and then stopped.
        // end::run[]
        assertThat(log).containsExactlyInAnyOrder("legacy task", "new task");
    }

    @Test
    void testingTimersWithAManualClock() {
        // tag::manual-clock[]
        AtomicLong now = new AtomicLong();
        List<Runnable> wakeUps = new CopyOnWriteArrayList<>();
        CompatClock clock = new CompatClock() {
            @Override
            public long nanoTime() {
                return now.get();
            }

            @Override
            public Runnable onAdvance(Runnable wakeUp) {
                wakeUps.add(wakeUp);
                return () -> wakeUps.remove(wakeUp);
            }
        };
        try (CompatRuntime runtime = CompatRuntime.builder().clock(clock).build()) {
            ScheduledFuture<String> report = runtime.schedule(() -> "nightly report", 24, TimeUnit.HOURS);
            now.addAndGet(TimeUnit.HOURS.toNanos(24)); // a day passes at once
            wakeUps.forEach(Runnable::run);
            System.out.println(runtime.blockOn(report));
        }
        // end::manual-clock[]
        assertThat(wakeUps).isEmpty();
    }

    @Test
    void aSingleThreadRuntime() {
        // tag::current-thread[]
        try (CurrentThreadRuntime runtime = new CurrentThreadRuntime()) {
            List<String> notThreadSafe = new ArrayList<>(); // fine: every task runs on this thread
            runtime.spawn(() -> notThreadSafe.add("legacy"));
            CompletableFuture<Void> fromElsewhere =
                    CompletableFuture.runAsync(() -> runtime.handle().spawn(() -> notThreadSafe.add("other thread")));
            runtime.blockOn(fromElsewhere);
            runtime.runUntilIdle();
            System.out.println(notThreadSafe); // [legacy, other thread]
        }
        // end::current-thread[]
    }
}
