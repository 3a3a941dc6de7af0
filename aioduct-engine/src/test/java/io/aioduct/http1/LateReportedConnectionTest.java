package io.aioduct.http1;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import io.aioduct.connect.ConnectorLocal;
import io.aioduct.connect.ConnectorSend;
import io.aioduct.connect.LocalTcpConnector;
import io.aioduct.connect.SocketConfig;
import io.aioduct.connect.TcpConnector;
import io.aioduct.connect.Transport;
import io.aioduct.connect.TransportKind;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.engine.HttpEngineLocal;
import io.aioduct.engine.HttpEngineSend;
import io.aioduct.event.ConnectionInfo;
import io.aioduct.event.EventListener;
import io.aioduct.runtime.pooled.PooledRuntime;
import io.aioduct.runtime.uring.IoUringRuntime;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.RuntimeKind;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A connector may report a new connection late, from a thread of its own (a decorating connector, a TLS
 * connector finishing elsewhere). The HTTP/1.1 connection is still set up and driven on its channel's
 * event loop only. Set up on the reporting thread instead, it raced its own loop: a body pump's report
 * was dropped (no {@code requestBodyEnd}, or a failed body never ending the exchange), and the
 * connection was found not reusable and closed right after its release.
 */
class LateReportedConnectionTest extends EngineTest {

    private static final Executor LATER = CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS);

    /** The event-loop runtimes: the virtual runtime's connections live on the caller's thread. */
    @ParameterizedTest
    @EnumSource(
            value = RuntimeKind.class,
            names = {"POOLED", "IO_URING"})
    void aConnectionReportedLateFromAnotherThreadRunsOnItsLoopAndIsReused(RuntimeKind kind) {
        server.route("/", (req, ex) -> ex.respond(200, "got " + req.bodySize()));
        LoopThreads threads = new LoopThreads();
        HttpEngine engine = track(
                lateEngine(kind, EngineConfig.builder().eventListener(threads).build()));
        AioductClient client = AioductClient.builder(engine).build();
        byte[] data = new byte[40_000];

        for (int i = 0; i < 2; i++) {
            // Unknown length: sent chunked by the body pump, whose end is reported on the loop.
            try (Response r = client.post(server.uri("/"))
                    .body(RequestBody.ofInputStream(new ByteArrayInputStream(data), -1))
                    .execute()) {
                assertThat(r.body().string()).isEqualTo("got 40000");
            }
        }
        awaitQuiet(engine);

        assertThat(threads.requestStarts)
                .as("each request is started on the thread its response is read on (the channel's loop)")
                .hasSize(2)
                .containsExactlyElementsOf(threads.responseStarts);
        assertThat(threads.requestBodyEnds)
                .as("both pumped bodies were reported sent")
                .hasSize(2);
        assertThat(server.requests())
                .extracting(RecordedRequest::connectionId)
                .as("the second request reused the connection the first one left")
                .containsExactly(1, 1);
        assertThat(idleConnections(engine)).isEqualTo(1);
    }

    /** An engine of {@code kind} (one I/O thread or core) whose connector reports connections late. */
    private static HttpEngine lateEngine(RuntimeKind kind, EngineConfig config) {
        if (kind == RuntimeKind.IO_URING) {
            IoUringRuntime runtime = IoUringRuntime.builder().cores(1).build();
            return new HttpEngineLocal<>(runtime, new LateLocalConnector(new LocalTcpConnector(runtime)), config, true);
        }
        PooledRuntime runtime =
                PooledRuntime.builder().ioThreads(1).workerThreads(1).build();
        return new HttpEngineSend<>(runtime, new LateConnector(new TcpConnector(runtime)), config, true);
    }

    /** Records the threads the connection's request and response events run on. */
    private static final class LoopThreads implements EventListener {
        final List<Thread> requestStarts = new CopyOnWriteArrayList<>();
        final List<Thread> responseStarts = new CopyOnWriteArrayList<>();
        final List<Long> requestBodyEnds = new CopyOnWriteArrayList<>();

        @Override
        public void requestHeadersStart(Request request, ConnectionInfo connection) {
            requestStarts.add(Thread.currentThread());
        }

        @Override
        public void requestBodyEnd(Request request, ConnectionInfo connection, long bytes) {
            requestBodyEnds.add(bytes);
        }

        @Override
        public void responseHeadersStart(Request request, ConnectionInfo connection) {
            responseStarts.add(Thread.currentThread());
        }
    }

    /** Reports each connection a moment after it is made, from a thread of its own. */
    private record LateConnector(ConnectorSend delegate) implements ConnectorSend {
        @Override
        public TransportKind kind() {
            return delegate.kind();
        }

        @Override
        public CompletionStage<Transport> connect(SocketConfig config) {
            return delegate.connect(config).thenApplyAsync(t -> t, LATER);
        }
    }

    /** The same for a thread-per-core engine, whose connector is called on a core. */
    private record LateLocalConnector(ConnectorLocal delegate) implements ConnectorLocal {
        @Override
        public CompletionStage<Transport> connect(SocketConfig config) {
            return delegate.connect(config).thenApplyAsync(t -> t, LATER);
        }
    }
}
