package io.aioduct.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.aioduct.connect.BlockingTcpConnector;
import io.aioduct.connect.ConnectorSend;
import io.aioduct.connect.SocketConfig;
import io.aioduct.connect.TcpConnector;
import io.aioduct.connect.Transport;
import io.aioduct.connect.TransportKind;
import io.aioduct.runtime.RuntimeCompletion;
import io.aioduct.runtime.RuntimePoll;
import io.aioduct.runtime.pooled.PooledRuntime;
import io.aioduct.testing.EngineTest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A user can assemble an engine from a runtime and a connector of their own. */
class CustomRuntimeTest extends EngineTest {

    // tag::custom-runtime[]
    /** A minimal RuntimePoll over a plain cached thread pool: the whole contract in a few lines. */
    static final class ExecutorRuntime implements RuntimePoll {
        final ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "custom-runtime");
            t.setDaemon(true);
            return t;
        });
        final AtomicInteger spawned = new AtomicInteger();

        @Override
        public String name() {
            return "custom";
        }

        @Override
        public void spawnSend(Runnable task) {
            spawned.incrementAndGet();
            threads.execute(task);
        }

        @Override
        public CompletionStage<Void> sleep(Duration duration) {
            return CompletableFuture.runAsync(
                    () -> {}, CompletableFuture.delayedExecutor(duration.toNanos(), TimeUnit.NANOSECONDS, threads));
        }

        @Override
        public <T> T blockOn(CompletionStage<T> stage) {
            return RuntimeCompletion.await(stage);
        }

        @Override
        public boolean inEventLoop() {
            return false;
        }

        @Override
        public boolean isClosed() {
            return threads.isShutdown();
        }

        @Override
        public void close(Duration grace) {
            threads.shutdown();
            try {
                threads.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // end::custom-runtime[]

    // tag::custom-connector[]
    /** Decorates any thread-safe connector, counting connects. */
    static final class CountingConnector implements ConnectorSend {
        final ConnectorSend delegate;
        final AtomicInteger connects = new AtomicInteger();

        CountingConnector(ConnectorSend delegate) {
            this.delegate = delegate;
        }

        @Override
        public TransportKind kind() {
            return delegate.kind();
        }

        @Override
        public CompletionStage<Transport> connect(SocketConfig config) {
            connects.incrementAndGet();
            return delegate.connect(config);
        }
    }
    // end::custom-connector[]

    @Test
    void anOwnRuntimeWithTheBlockingConnectorServesBothSendAndExecute() throws Exception {
        server.route("/", (req, ex) -> ex.respond(200, "custom"));
        ExecutorRuntime runtime = new ExecutorRuntime();
        // tag::assemble-engine[]
        CountingConnector connector = new CountingConnector(new BlockingTcpConnector());
        HttpEngineSend<ExecutorRuntime, CountingConnector> engine =
                new HttpEngineSend<>(runtime, connector, EngineConfig.DEFAULT, true);
        // end::assemble-engine[]
        track(engine);
        AioductClient client = AioductClient.builder(engine).build();

        try (Response r = client.get(server.uri("/")).send().get(5, TimeUnit.SECONDS)) {
            assertThat(r.body().string()).isEqualTo("custom");
        }
        try (Response r = client.get(server.uri("/")).execute()) {
            assertThat(r.body().string()).isEqualTo("custom");
        }

        assertThat(runtime.spawned).hasPositiveValue();
        assertThat(connector.connects).hasValue(1);
        assertThat(engine.runtime().name()).isEqualTo("custom");
    }

    @Test
    void aDecoratedConnectorOnThePooledRuntimeIsUsedForEveryConnect() {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        PooledRuntime runtime =
                PooledRuntime.builder().ioThreads(1).workerThreads(1).build();
        CountingConnector connector = new CountingConnector(new TcpConnector(runtime));
        HttpEngineSend<PooledRuntime, CountingConnector> engine =
                new HttpEngineSend<>(runtime, connector, EngineConfig.DEFAULT, true);
        track(engine);
        AioductClient client = AioductClient.builder(engine).build();

        client.get(server.uri("/")).execute().close();
        client.get(server.uri("/")).execute().close();

        assertThat(connector.connects).hasValue(1);
        assertThat(connector.kind()).isEqualTo(TransportKind.EVENT_LOOP);
    }
}
