package io.aioduct.runtime.virtual;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.aioduct.connect.BlockingTcpConnector;
import io.aioduct.connect.BlockingTransport;
import io.aioduct.connect.ConnectorSend;
import io.aioduct.connect.SocketConfig;
import io.aioduct.connect.Transport;
import io.aioduct.connect.TransportKind;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngineSend;
import io.aioduct.testing.EngineTest;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The virtual-thread runtime does its socket I/O on the request's own virtual thread; no event loop. */
class VirtualThreadEngineTest extends EngineTest {

    /** Wraps the blocking connector; records the thread behind every write and every connect. */
    static final class RecordingConnector implements ConnectorSend {
        final BlockingTcpConnector delegate = new BlockingTcpConnector();
        final List<Thread> writers = new CopyOnWriteArrayList<>();
        final List<Thread> connectors = new CopyOnWriteArrayList<>();

        @Override
        public TransportKind kind() {
            return TransportKind.BLOCKING;
        }

        @Override
        public CompletionStage<Transport> connect(SocketConfig config) {
            connectors.add(Thread.currentThread());
            BlockingTransport plain = delegate.connectBlocking(config);
            OutputStream recording = new FilterOutputStream(plain.output()) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    writers.add(Thread.currentThread());
                    out.write(b, off, len);
                }
            };
            return CompletableFuture.completedFuture(new BlockingTransport(plain.channel(), plain.input(), recording));
        }
    }

    private final RecordingConnector connector = new RecordingConnector();

    private AioductClient client() {
        HttpEngineSend<VirtualThreadRuntime, RecordingConnector> engine =
                new HttpEngineSend<>(VirtualThreadRuntime.create(), connector, EngineConfig.DEFAULT, true);
        track(engine);
        return AioductClient.builder(engine).build();
    }

    @Test
    void sendWritesTheRequestFromAVirtualThread() throws Exception {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        AioductClient client = client();

        client.get(server.uri("/")).send().get(5, TimeUnit.SECONDS).close();

        assertThat(connector.connectors).singleElement().matches(Thread::isVirtual, "virtual");
        assertThat(connector.writers).isNotEmpty().allMatch(Thread::isVirtual, "virtual");
        assertThat(connector.writers).doesNotContain(Thread.currentThread());
    }

    @Test
    void executeOnAVirtualThreadRunsTheWholeExchangeInlineOnIt() throws Exception {
        server.route("/", (req, ex) -> ex.respond(200, "inline"));
        AioductClient client = client();
        CompletableFuture<Thread> caller = new CompletableFuture<>();
        CompletableFuture<String> body = new CompletableFuture<>();

        Thread.ofVirtual().start(() -> {
            caller.complete(Thread.currentThread());
            try (Response r = client.get(server.uri("/")).execute()) {
                body.complete(r.body().string());
            } catch (Throwable e) {
                body.completeExceptionally(e);
            }
        });

        assertThat(body.get(5, TimeUnit.SECONDS)).isEqualTo("inline");
        Thread thread = caller.get();
        assertThat(connector.connectors).containsExactly(thread);
        assertThat(connector.writers).isNotEmpty().allMatch(t -> t == thread, "the caller's own virtual thread");
    }

    @Test
    void noEventLoopThreadExistsOnTheVirtualRuntime() {
        server.route("/", (req, ex) -> ex.respond(200, "ok"));
        AioductClient client = client();
        client.get(server.uri("/")).execute().close();

        // The only platform thread the runtime owns is its timer; nothing named like an event loop.
        assertThat(liveRuntimeThreads()).containsExactly("aioduct-virtual-timer");
        assertThat(client.engine().runtime().inEventLoop()).isFalse();
    }
}
