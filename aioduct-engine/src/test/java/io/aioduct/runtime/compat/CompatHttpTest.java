package io.aioduct.runtime.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.aioduct.connect.BlockingTcpConnector;
import io.aioduct.connect.ConnectorSend;
import io.aioduct.connect.TcpConnector;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngineSend;
import io.aioduct.pool.PoolStats;
import io.aioduct.runtime.compat.CompatRuntime.BaseKind;
import io.aioduct.testing.EngineTest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The async client and the blocking facade on one compat runtime: one engine, one pool, one connection,
 * whether the call comes from new code (send), legacy code on the runtime (execute inside blockInPlace)
 * or a plain caller thread (execute).
 */
class CompatHttpTest extends EngineTest {

    private HttpEngineSend<CompatRuntime, ConnectorSend> engineOn(BaseKind kind) {
        CompatRuntime runtime = CompatTesting.builder(kind).build();
        // The engine owns the runtime here, so the leak check closes both and sees every thread end.
        return track(new HttpEngineSend<>(runtime, runtime.connector(), EngineConfig.DEFAULT, true));
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void sendAndExecuteShareOnePoolAndOneConnection(BaseKind kind) throws Exception {
        server.route("/price", (req, ex) -> ex.respond(200, "42"));
        String url = server.uri("/price");
        HttpEngineSend<CompatRuntime, ConnectorSend> engine = engineOn(kind);
        CompatRuntime runtime = engine.runtime();
        AioductClient client = AioductClient.builder(engine).build();

        // New code: an async call spawned on the runtime.
        CompletableFuture<String> modern = runtime.spawnHandleAsync(
                () -> client.get(url).send().thenCompose(r -> r.body().stringAsync()));
        assertThat(modern.get(30, TimeUnit.SECONDS)).isEqualTo("42");
        awaitQuiet(engine);

        // Legacy code: a blocking call in a task submitted through the ExecutorService face.
        Future<String> legacy = runtime.submit(() -> runtime.blockInPlace(() -> {
            try (Response r = client.get(url).execute()) {
                return r.body().string();
            }
        }));
        assertThat(legacy.get(30, TimeUnit.SECONDS)).isEqualTo("42");
        awaitQuiet(engine);

        // And the blocking facade from an ordinary thread.
        try (Response r = client.get(url).execute()) {
            assertThat(r.body().string()).isEqualTo("42");
        }
        awaitQuiet(engine);

        List<PoolStats> pools = engine.poolStats();
        assertThat(pools).hasSize(1);
        assertThat(server.requestCount()).isEqualTo(3);
        assertThat(server.connectionsAccepted())
                .as("one connection reused by send and execute")
                .isEqualTo(1);
        assertThat(engine.connector())
                .isInstanceOf(kind == BaseKind.POOLED ? TcpConnector.class : BlockingTcpConnector.class);
    }

    @ParameterizedTest
    @EnumSource(BaseKind.class)
    void callbacksOnAResponseATaskReturnedRunWhileTheTaskStillCounts(BaseKind kind) throws Exception {
        server.route("/price", (req, ex) -> ex.respond(200, "42"));
        String url = server.uri("/price");
        HttpEngineSend<CompatRuntime, ConnectorSend> engine = engineOn(kind);
        CompatRuntime runtime = engine.runtime();
        AioductClient client = AioductClient.builder(engine).build();
        CompletableFuture<Integer> countSeenByCallback = new CompletableFuture<>();
        CompletableFuture<String> child = new CompletableFuture<>();

        // The response completes on an event loop (pooled base) or on the exchange's virtual thread.
        runtime.spawnAsync(() -> {
            CompletableFuture<Response> sent = client.get(url).send();
            sent.thenAccept(response -> {
                response.close();
                countSeenByCallback.complete(runtime.countedTasks());
                runtime.spawn(() -> child.complete("child ran"));
            });
            return sent;
        });
        assertThat(countSeenByCallback.get(30, TimeUnit.SECONDS))
                .as("counted tasks while the response's callback runs")
                .isPositive();
        assertThat(child.get(30, TimeUnit.SECONDS)).isEqualTo("child ran");
        runtime.awaitIdle();
        awaitQuiet(engine);
    }

    @Test
    void executeOnAPooledWorkerWithoutBlockInPlaceFailsAtOnceNamingTheThread() throws Exception {
        server.route("/price", (req, ex) -> ex.respond(200, "42"));
        String url = server.uri("/price");
        HttpEngineSend<CompatRuntime, ConnectorSend> engine = engineOn(BaseKind.POOLED);
        AioductClient client = AioductClient.builder(engine).build();

        Future<Response> onWorker =
                engine.runtime().submit(() -> client.get(url).execute());
        assertThatThrownBy(() -> onWorker.get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("execute() called on thread '" + CompatTesting.PREFIX + "-worker-")
                .hasMessageContaining("blockInPlace");
        assertThat(server.requestCount()).isZero();
    }
}
