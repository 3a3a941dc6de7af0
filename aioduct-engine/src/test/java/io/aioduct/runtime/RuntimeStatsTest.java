package io.aioduct.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.pool.PoolConfig;
import io.aioduct.pool.PoolStats;
import io.aioduct.protocol.Http2Options;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.H2ServerExchange;
import io.aioduct.testing.H2TestServer;
import io.aioduct.testing.RuntimeKind;
import io.aioduct.testing.ServerExchange;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What {@link RuntimeCompletion#stats()} and {@link HttpEngine#poolStats()} report while requests are in
 * flight against an endpoint that holds them, and after they finished, on every runtime.
 */
class RuntimeStatsTest extends EngineTest {
    private static final int IN_FLIGHT = 3;

    private static PoolStats onlyPool(HttpEngine engine) {
        List<PoolStats> pools = engine.poolStats();
        assertThat(pools).hasSize(1);
        return pools.get(0);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void statsFollowRequestsInFlightAndBack(RuntimeKind kind) throws Exception {
        BlockingQueue<ServerExchange> held = new LinkedBlockingQueue<>();
        server.route("/slow", (req, ex) -> held.add(ex));
        // Two connections for three requests: the third waits in the pool.
        HttpEngine engine = singlePoolEngine(
                kind,
                EngineConfig.builder()
                        .pool(PoolConfig.DEFAULT.withMaxConnectionsPerOrigin(IN_FLIGHT - 1))
                        .build());
        AioductClient client = AioductClient.builder(engine).build();
        RuntimeStats before = engine.runtime().stats();

        List<CompletableFuture<Response>> pending = new ArrayList<>();
        for (int i = 0; i < IN_FLIGHT; i++) {
            pending.add(client.get(server.uri("/slow")).send());
        }
        List<ServerExchange> arrived = new ArrayList<>();
        for (int i = 0; i < IN_FLIGHT - 1; i++) {
            arrived.add(held.poll(10, TimeUnit.SECONDS));
        }
        awaitTrue(() -> onlyPool(engine).pending() == 1, () -> "one request should wait: " + engine.poolStats());

        PoolStats busy = onlyPool(engine);
        assertThat(busy.protocol()).isEqualTo("http/1.1");
        assertThat(busy.active()).isEqualTo(IN_FLIGHT - 1);
        assertThat(busy.idle()).isZero();
        assertThat(busy.connecting()).isZero();
        assertThat(busy.max()).isEqualTo(IN_FLIGHT - 1);
        assertThat(busy.activeStreams()).isZero();
        RuntimeStats during = engine.runtime().stats();
        assertThat(during.threads()).isPositive();
        assertThat(during.pendingTasks()).isNotNegative();
        switch (kind) {
            case VIRTUAL -> {
                // Each send is a virtual thread of its own, blocked until its response head arrives.
                assertThat(during.kind()).isEqualTo("virtual");
                assertThat(during.tasksRunning()).isGreaterThanOrEqualTo(IN_FLIGHT);
                assertThat(during.tasksSpawned() - before.tasksSpawned()).isGreaterThanOrEqualTo(IN_FLIGHT);
                assertThat(during.cores()).isEmpty();
            }
            case POOLED -> {
                assertThat(during.kind()).isEqualTo("pooled");
                assertThat(during.cores()).isEmpty();
            }
            case IO_URING -> {
                assertThat(during.kind()).isEqualTo("io-uring");
                assertThat(during.threads()).isEqualTo(1);
                assertThat(during.cores()).hasSize(1);
                // Sent from the test thread, each request was handed to the core as a task.
                assertThat(during.tasksSpawned() - before.tasksSpawned()).isGreaterThanOrEqualTo(IN_FLIGHT);
                RuntimeStats.CoreStats core = during.cores().get(0);
                assertThat(core.core()).isZero();
                assertThat(core.connections()).isEqualTo(IN_FLIGHT - 1);
                assertThat(core.requestsServed()).isZero();
            }
        }

        arrived.forEach(ex -> ex.respond(200, "done"));
        held.poll(10, TimeUnit.SECONDS).respond(200, "done");
        for (CompletableFuture<Response> f : pending) {
            try (Response r = f.get(10, TimeUnit.SECONDS)) {
                assertThat(r.body().string()).isEqualTo("done");
            }
        }
        awaitQuiet(engine);

        PoolStats after = onlyPool(engine);
        assertThat(after.active()).isZero();
        assertThat(after.pending()).isZero();
        assertThat(after.idle()).isEqualTo(IN_FLIGHT - 1);
        awaitTrue(
                () -> engine.runtime().stats().tasksRunning() == 0,
                () -> "tasks still running: " + engine.runtime().stats());
        RuntimeStats done = engine.runtime().stats();
        if (kind == RuntimeKind.IO_URING) {
            assertThat(done.cores().get(0).requestsServed()).isEqualTo(IN_FLIGHT);
            assertThat(done.cores().get(0).connections()).isEqualTo(IN_FLIGHT - 1);
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void http2PoolCountsStreamsAndRequestsWaitingForOne(RuntimeKind kind) throws Exception {
        try (H2TestServer h2 = H2TestServer.builder().maxConcurrentStreams(2).start()) {
            BlockingQueue<H2ServerExchange> held = new LinkedBlockingQueue<>();
            h2.route("/slow", (req, ex) -> held.add(ex));
            HttpEngine engine = singlePoolEngine(
                    kind,
                    EngineConfig.builder()
                            .http2(Http2Options.DEFAULT.withPriorKnowledge(true).withMaxConnectionsPerOrigin(1))
                            .build());
            AioductClient client = AioductClient.builder(engine).build();

            List<CompletableFuture<Response>> pending = new ArrayList<>();
            for (int i = 0; i < IN_FLIGHT; i++) {
                pending.add(client.get(h2.uri("/slow")).send());
            }
            List<H2ServerExchange> arrived = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                arrived.add(held.poll(10, TimeUnit.SECONDS));
            }
            // Both streams of the one connection are taken: the third request waits for a stream.
            awaitTrue(() -> onlyPool(engine).pending() == 1, () -> "one request should wait: " + engine.poolStats());
            PoolStats busy = onlyPool(engine);
            assertThat(busy.protocol()).isEqualTo("h2");
            assertThat(busy.active()).isEqualTo(1);
            assertThat(busy.activeStreams()).isEqualTo(2);
            assertThat(busy.max()).isEqualTo(1);
            assertThat(busy.connecting()).isZero();

            arrived.forEach(ex -> ex.respond(200, "done"));
            held.poll(10, TimeUnit.SECONDS).respond(200, "done");
            for (CompletableFuture<Response> f : pending) {
                try (Response r = f.get(10, TimeUnit.SECONDS)) {
                    assertThat(r.body().string()).isEqualTo("done");
                }
            }
            awaitQuiet(engine);
            PoolStats after = onlyPool(engine);
            assertThat(after.activeStreams()).isZero();
            assertThat(after.active()).isZero();
            assertThat(after.idle()).isEqualTo(1);
            assertThat(h2.connectionsAccepted()).isEqualTo(1);
        }
    }
}
