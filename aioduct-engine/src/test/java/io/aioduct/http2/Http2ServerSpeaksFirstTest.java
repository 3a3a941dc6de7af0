package io.aioduct.http2;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
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
import io.aioduct.protocol.Http2Options;
import io.aioduct.runtime.pooled.PooledRuntime;
import io.aioduct.runtime.uring.IoUringRuntime;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.H2ServerExchange;
import io.aioduct.testing.H2TestServer;
import io.aioduct.testing.RuntimeKind;
import io.aioduct.testing.TlsMaterial;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An h2c server speaks first: its SETTINGS may arrive before the connection that takes the channel over
 * has its handler in place, for instance when a decorating connector reports the connection late, from
 * another thread. Those bytes must wait for the connection, not be dropped by the pipeline, and the
 * client's preface must still go out before anything it answers.
 */
class Http2ServerSpeaksFirstTest extends EngineTest {

    /** The event-loop runtimes: the virtual runtime's blocking sockets hold unread bytes by themselves. */
    @ParameterizedTest
    @EnumSource(
            value = RuntimeKind.class,
            names = {"POOLED", "IO_URING"})
    void theServersSettingsAreHonouredWhenTheConnectorReportsTheConnectionLate(RuntimeKind kind) throws Exception {
        try (H2TestServer h2 = H2TestServer.builder().maxConcurrentStreams(1).start()) {
            twoHeldRequestsTakeTheOnlyStreamAndASecondConnection(h2, track(lateEngine(kind, H2Support.h2c())));
        }
    }

    /**
     * Over TLS the handshake reads: the SslHandler goes on reading (and decrypting) after the handshake
     * succeeded, so the h2 server's SETTINGS, sent as soon as its side of the handshake ends, arrive while
     * the connection is still on its way to the engine (here 100 ms late). They must wait for it.
     */
    @ParameterizedTest
    @EnumSource(
            value = RuntimeKind.class,
            names = {"POOLED", "IO_URING"})
    void theServersSettingsAreHonouredOverTlsWhenTheHandshakeIsReportedLate(RuntimeKind kind) throws Exception {
        TlsMaterial tls = TlsMaterial.shared();
        try (H2TestServer h2 =
                H2TestServer.builder().tls(tls).maxConcurrentStreams(1).start()) {
            HttpEngine engine = track(lateEngine(kind, H2Support.tls(tls, Http2Options.DEFAULT)));
            twoHeldRequestsTakeTheOnlyStreamAndASecondConnection(h2, engine);
        }
    }

    private void twoHeldRequestsTakeTheOnlyStreamAndASecondConnection(H2TestServer h2, HttpEngine engine)
            throws Exception {
        BlockingQueue<H2ServerExchange> held = new LinkedBlockingQueue<>();
        h2.route("/held", (req, ex) -> held.add(ex));
        h2.route("/warm", (req, ex) -> ex.respond(200, "warm"));
        AioductClient client = AioductClient.builder(engine).build();

        // By the time the connection is reported, the server's SETTINGS (1 stream at a time) have arrived.
        assertThat(client.get(h2.uri("/warm")).execute().body().string()).isEqualTo("warm");
        // No waiting for the warm stream's lease to come back: the two held requests race its release on
        // the loop. Either way one of them takes the connection's only stream and the other opens the
        // second connection; neither may be refused by the server, nor left unsent.
        List<CompletableFuture<Response>> two = List.of(
                client.get(h2.uri("/held")).send(), client.get(h2.uri("/held")).send());
        H2ServerExchange first = held.poll(10, TimeUnit.SECONDS);
        H2ServerExchange second = held.poll(10, TimeUnit.SECONDS);
        assertThat(first).isNotNull();
        assertThat(second).isNotNull();

        assertThat(h2.streamsRefused())
                .as("the client ignored the server's limit of one stream: its SETTINGS were lost")
                .isZero();
        assertThat(h2.connectionsAccepted())
                .as("one connection per stream the server allows")
                .isEqualTo(2);
        first.respond(200, "a");
        second.respond(200, "b");
        for (CompletableFuture<Response> r : two) {
            assertThat(r.get(10, TimeUnit.SECONDS).body().string()).isIn("a", "b");
        }
        awaitQuiet(engine);
        assertThat(h2.failures()).as("the server saw the client break HTTP/2").isEmpty();
    }

    private static final Executor LATER = CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS);

    /**
     * An engine of {@code kind} (one core for io_uring) whose connector reports connections late: 100 ms
     * after the connect, and, over TLS, also 100 ms after the handshake (the TLS connector composes its
     * handshake onto this connector's stage, whose dependents all report late).
     */
    private static HttpEngine lateEngine(RuntimeKind kind, EngineConfig config) {
        if (kind == RuntimeKind.IO_URING) {
            IoUringRuntime runtime = IoUringRuntime.builder().cores(1).build();
            return new HttpEngineLocal<>(runtime, new LateLocalConnector(new LocalTcpConnector(runtime)), config, true);
        }
        PooledRuntime runtime =
                PooledRuntime.builder().ioThreads(1).workerThreads(1).build();
        return new HttpEngineSend<>(runtime, new LateConnector(new TcpConnector(runtime)), config, true);
    }

    /** Reports each connection 100 ms after it is made, from a thread of its own. */
    private record LateLocalConnector(ConnectorLocal delegate) implements ConnectorLocal {
        @Override
        public CompletionStage<Transport> connect(SocketConfig config) {
            return LateFuture.of(delegate.connect(config));
        }
    }

    /**
     * A future whose completion is reported 100 ms late, from another thread, and so is that of every
     * future derived from it ({@code thenCompose} and the like): what a connector on another executor
     * would do.
     */
    private static final class LateFuture<T> extends CompletableFuture<T> {
        static <T> LateFuture<T> of(CompletionStage<T> stage) {
            LateFuture<T> late = new LateFuture<>();
            stage.whenComplete((t, e) -> {
                if (e != null) {
                    late.completeExceptionally(e);
                } else {
                    late.complete(t);
                }
            });
            return late;
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new LateFuture<>();
        }

        @Override
        public CompletableFuture<T> whenComplete(BiConsumer<? super T, ? super Throwable> action) {
            return whenCompleteAsync(action, LATER);
        }
    }

    /** Reports each connection 100 ms after it is made, from a thread of its own. */
    private record LateConnector(ConnectorSend delegate) implements ConnectorSend {

        @Override
        public TransportKind kind() {
            return delegate.kind();
        }

        @Override
        public CompletionStage<Transport> connect(SocketConfig config) {
            return LateFuture.of(delegate.connect(config));
        }
    }
}
