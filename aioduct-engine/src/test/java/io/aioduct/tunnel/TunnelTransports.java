package io.aioduct.tunnel;

import static org.assertj.core.api.Assertions.fail;

import io.aioduct.connect.BlockingTcpConnector;
import io.aioduct.connect.BlockingTransport;
import io.aioduct.connect.ConnectObserver;
import io.aioduct.connect.LocalTcpConnector;
import io.aioduct.connect.LoopTransport;
import io.aioduct.connect.SocketConfig;
import io.aioduct.connect.TcpConnector;
import io.aioduct.connect.Transport;
import io.aioduct.proxy.Proxy;
import io.aioduct.runtime.pooled.PooledRuntime;
import io.aioduct.runtime.uring.IoUringRuntime;
import io.aioduct.testing.RuntimeKind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Connected transports of every kind for the tunnel tests, each made by its runtime's own connector: a
 * pooled (epoll) channel, a virtual-runtime blocking socket, an io_uring channel (one core). Tunnels are
 * opened as the engine would (on the virtual runtime, from a virtual thread), and bytes exchanged through
 * them. {@link #start()} in a class's {@code @BeforeAll}, {@link #stop()} in its {@code @AfterAll}.
 */
final class TunnelTransports {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static PooledRuntime pooled;
    private static IoUringRuntime uring;

    private TunnelTransports() {}

    static void start() {
        pooled = PooledRuntime.builder().ioThreads(1).workerThreads(1).build();
        uring = IoUringRuntime.builder().cores(1).build();
    }

    static void stop() {
        pooled.close(Duration.ofSeconds(2));
        uring.close(Duration.ofSeconds(2));
    }

    /** Opens a tunnel as the engine would: on the virtual runtime, from a virtual thread. */
    static CompletionStage<Transport> open(
            RuntimeKind kind,
            Transport transport,
            Proxy proxy,
            String host,
            int port,
            String authorization,
            Duration timeout) {
        return onItsThread(
                kind, () -> Tunnel.open(transport, proxy, host, port, authorization, timeout, ConnectObserver.NONE));
    }

    static CompletionStage<Transport> onItsThread(RuntimeKind kind, Supplier<CompletionStage<Transport>> open) {
        if (kind != RuntimeKind.VIRTUAL) {
            return open.get();
        }
        CompletableFuture<Transport> result = new CompletableFuture<>();
        Thread.ofVirtual()
                .start(() -> open.get().whenComplete((t, e) -> {
                    if (e != null) result.completeExceptionally(e);
                    else result.complete(t);
                }));
        return result;
    }

    /** A transport connected to 127.0.0.1:{@code port} by {@code kind}'s own connector. */
    static Transport connect(RuntimeKind kind, int port) throws Exception {
        SocketConfig config = SocketConfig.builder()
                .host("127.0.0.1")
                .port(port)
                .addresses(List.of(InetAddress.getLoopbackAddress()))
                .build();
        return switch (kind) {
            case POOLED ->
                new TcpConnector(pooled).connect(config).toCompletableFuture().get(10, TimeUnit.SECONDS);
            case VIRTUAL -> new BlockingTcpConnector().connectBlocking(config);
            case IO_URING -> {
                CompletableFuture<Transport> result = new CompletableFuture<>();
                uring.spawnOn(
                        0,
                        () -> new LocalTcpConnector(uring).connect(config).whenComplete((t, e) -> {
                            if (e != null) result.completeExceptionally(e);
                            else result.complete(t);
                        }));
                yield result.get(10, TimeUnit.SECONDS);
            }
        };
    }

    static Throwable failureOf(CompletionStage<Transport> stage) throws Exception {
        try {
            Transport t = stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
            t.close();
            return fail("the tunnel opened, but should have failed");
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    /** Writes {@code text} through the tunnel and reads {@code expected} bytes back. */
    static String exchange(Transport transport, String text, int expected) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        if (transport instanceof BlockingTransport b) {
            b.output().write(bytes);
            b.output().flush();
            InputStream in = b.input();
            byte[] got = new byte[expected];
            int n = 0;
            b.readTimeoutMillis(10_000);
            while (n < expected) {
                int r = in.read(got, n, expected - n);
                if (r < 0) throw new IOException("closed after " + n + " bytes");
                n += r;
            }
            return new String(got, StandardCharsets.US_ASCII);
        }
        Channel ch = ((LoopTransport) transport).channel();
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        ch.eventLoop()
                .submit(() -> {
                    if (ch.pipeline().get("collector") != null) ch.pipeline().remove("collector");
                    ch.pipeline().addLast("collector", new SimpleChannelInboundHandler<ByteBuf>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                            received.add(msg.toString(StandardCharsets.US_ASCII));
                        }
                    });
                    ch.config().setAutoRead(true);
                })
                .get(10, TimeUnit.SECONDS);
        ch.writeAndFlush(Unpooled.copiedBuffer(bytes)).sync();
        StringBuilder got = new StringBuilder();
        while (got.length() < expected) {
            String part = received.poll(10, TimeUnit.SECONDS);
            if (part == null) throw new IOException("only " + got + " came back");
            got.append(part);
        }
        return got.toString();
    }

    static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) fail("timed out waiting until " + what);
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }
}
