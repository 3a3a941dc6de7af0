package io.aioduct.runtime.uring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.aioduct.connect.ConnectorLocal;
import io.aioduct.connect.LocalTcpConnector;
import io.aioduct.connect.LoopTransport;
import io.aioduct.connect.SocketConfig;
import io.aioduct.connect.Transport;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngineLocal;
import io.aioduct.pool.PoolStats;
import io.aioduct.runtime.RuntimeUnavailableException;
import io.aioduct.testing.EngineTest;
import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** io_uring specifics: real io_uring channels, a pool per core, connections that never change core. */
class IoUringEngineTest extends EngineTest {

    /** Wraps the core connector, recording each channel it opens and the core that opened it. */
    static final class RecordingConnector implements ConnectorLocal {
        final LocalTcpConnector delegate;
        final IoUringRuntime runtime;
        final List<Channel> channels = new CopyOnWriteArrayList<>();
        final List<Integer> connectCores = new CopyOnWriteArrayList<>();

        RecordingConnector(IoUringRuntime runtime) {
            this.runtime = runtime;
            this.delegate = new LocalTcpConnector(runtime);
        }

        @Override
        public CompletionStage<Transport> connect(SocketConfig config) {
            connectCores.add(runtime.currentCore());
            return delegate.connect(config).thenApply(t -> {
                channels.add(((LoopTransport) t).channel());
                return t;
            });
        }
    }

    private RecordingConnector connector;
    private HttpEngineLocal<IoUringRuntime, RecordingConnector> engine;

    private AioductClient client(IoUringRuntime runtime) {
        connector = new RecordingConnector(runtime);
        engine = new HttpEngineLocal<>(runtime, connector, EngineConfig.DEFAULT, true);
        track(engine);
        return AioductClient.builder(engine).build();
    }

    @Test
    void connectionsAreIoUringChannelsOwnedByTheCoreThatOpenedThem() {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        AioductClient client = client(IoUringRuntime.builder().cores(2).build());

        for (int i = 0; i < 4; i++) {
            client.get(server.uri("/")).execute().close();
        }

        assertThat(connector.channels).hasSize(2).allMatch(c -> c instanceof IoUringSocketChannel);
        assertThat(connector.connectCores).containsExactlyInAnyOrder(0, 1);
        for (Channel c : connector.channels) {
            int core =
                    connector.channels.indexOf(c) == 0 ? connector.connectCores.get(0) : connector.connectCores.get(1);
            assertThat(c.eventLoop()).isSameAs(engine.runtime().loop(core));
        }
    }

    @Test
    void eachCoreHasItsOwnPoolAndRequestsFromOtherThreadsGoRoundRobin() {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        AioductClient client = client(IoUringRuntime.builder().cores(2).build());

        for (int i = 0; i < 6; i++) {
            client.get(server.uri("/")).execute().close();
        }

        awaitQuiet(engine);
        for (int core = 0; core < 2; core++) {
            List<PoolStats> pools = engine.poolStats(core);
            assertThat(pools).hasSize(1);
            assertThat(pools.get(0).idle())
                    .as("idle connections of core %d", core)
                    .isEqualTo(1);
        }
        assertThat(server.connectionsAccepted()).isEqualTo(2);
        // Round-robin: the two connections took turns, three requests each.
        assertThat(server.requests().stream().filter(r -> r.connectionId() == 1))
                .hasSize(3);
    }

    @Test
    void aRequestSentFromACoreStaysOnThatCore() throws Exception {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        AioductClient client = client(IoUringRuntime.builder().cores(2).build());
        IoUringRuntime runtime = engine.runtime();

        CompletableFuture<String> seen = new CompletableFuture<>();
        runtime.spawnOn(
                1,
                () -> client.get(server.uri("/")).send().whenComplete((r, e) -> {
                    if (e != null) {
                        seen.completeExceptionally(e);
                        return;
                    }
                    r.close();
                    seen.complete(Thread.currentThread().getName() + " core " + runtime.currentCore());
                }));

        assertThat(seen.get(5, TimeUnit.SECONDS)).isEqualTo("aioduct-uring-core-1 core 1");
        assertThat(connector.connectCores).containsExactly(1);
        awaitQuiet(engine);
        assertThat(engine.poolStats(0)).isEmpty();
        assertThat(engine.poolStats(1))
                .singleElement()
                .extracting(PoolStats::idle)
                .isEqualTo(1);
    }

    @Test
    void buildingFailsWithTheCauseWhenIoUringIsUnavailable() {
        UnsupportedOperationException cause = new UnsupportedOperationException("io_uring disabled by sysctl");

        assertThatThrownBy(() ->
                        IoUringRuntime.builder().simulateUnavailable(cause).build())
                .isInstanceOf(RuntimeUnavailableException.class)
                .hasMessageContaining("io_uring is unavailable")
                .hasMessageContaining("io_uring disabled by sysctl")
                .hasCause(cause);
        assertThat(liveRuntimeThreads()).isEmpty();
    }

    @Test
    void theEpollFallbackRunsOnlyWhenAskedForAndSaysSoInItsName() {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        IoUringRuntime runtime = IoUringRuntime.builder()
                .simulateUnavailable(new UnsupportedOperationException("no io_uring here"))
                .fallbackToEpoll(true)
                .build();
        AioductClient client = client(runtime);

        try (Response r = client.get(server.uri("/")).execute()) {
            assertThat(r.body().string()).isEqualTo("ok");
        }
        assertThat(runtime.name()).isEqualTo("io-uring(fallback: epoll)");
        assertThat(runtime.fellBackToEpoll()).isTrue();
        assertThat(connector.channels).singleElement().isInstanceOf(EpollSocketChannel.class);
    }

    @Test
    void theRealRuntimeUsesIoUringWhereItIsAvailable() {
        assertThat(IoUringRuntime.isAvailable())
                .as("io_uring must be available on these machines: %s", IoUringRuntime.unavailabilityCause())
                .isTrue();
        try (IoUringRuntime runtime = IoUringRuntime.create()) {
            assertThat(runtime.name()).isEqualTo("io-uring");
            assertThat(runtime.fellBackToEpoll()).isFalse();
        }
    }
}
