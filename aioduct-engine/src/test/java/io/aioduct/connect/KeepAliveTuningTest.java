package io.aioduct.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.Aioduct;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.engine.HttpEngineLocal;
import io.aioduct.engine.HttpEngineSend;
import io.aioduct.runtime.pooled.PooledRuntime;
import io.aioduct.runtime.uring.IoUringRuntime;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.RuntimeKind;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringSocketChannel;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * TCP keepalive idle, interval and count reach the connected socket on every runtime (epoll, io_uring and
 * JDK sockets; NIO on its own), for one address and for a Happy Eyeballs race: the engine's own connector
 * opens a connection with the engine's socket settings, and the test reads the options back from it.
 */
class KeepAliveTuningTest extends EngineTest {
    private static final EngineConfig TUNED = EngineConfig.builder()
            .keepAliveIdle(Duration.ofSeconds(17))
            .keepAliveInterval(Duration.ofMillis(4_500)) // rounds up to 5 s
            .keepAliveCount(4)
            .build();

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void idleIntervalAndCountReachTheSocket(RuntimeKind kind) throws Exception {
        HttpEngine engine = engine(kind, TUNED);
        InetAddress live = server.address().getAddress();

        assertTuned(connect(engine, List.of(live)));
        assertTuned(connect(engine, List.of(live, live)));
    }

    @Test
    void theNioFallbackTunesThroughTheJdkOptions() throws Exception {
        HttpEngine engine =
                track(Aioduct.pooled(PooledRuntime.builder().forceNio().build(), TUNED));

        Transport t = connect(engine, List.of(server.address().getAddress()));
        assertThat(((LoopTransport) t).channel()).isInstanceOf(NioSocketChannel.class);
        assertTuned(t);
    }

    @Test
    void unsetKeepsTheOsDefaults() throws Exception {
        SocketConfig plain = EngineConfig.DEFAULT.socket();
        assertThat(plain.keepAliveIdle()).isNull();
        assertThat(plain.keepAliveInterval()).isNull();
        assertThat(plain.keepAliveCount()).isZero();
        assertThat(plain.keepAliveTuned()).isFalse();
        assertThat(TUNED.socket().keepAliveIdle()).isEqualTo(Duration.ofSeconds(17));
        assertThat(TUNED.socket().keepAliveInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(TUNED.socket().keepAliveCount()).isEqualTo(4);
        assertThat(TUNED.socket().keepAliveTuned()).isTrue();
        assertThat(TUNED.toBuilder().keepAlive(false).build().socket().keepAliveTuned())
                .as("keepalive off: nothing to tune")
                .isFalse();
    }

    private void assertTuned(Transport t) throws IOException {
        try {
            if (t instanceof BlockingTransport b) {
                SocketChannel s = b.channel();
                assertThat(s.getOption(ExtendedSocketOptions.TCP_KEEPIDLE)).isEqualTo(17);
                assertThat(s.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL)).isEqualTo(5);
                assertThat(s.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT)).isEqualTo(4);
            } else {
                Channel c = ((LoopTransport) t).channel();
                List<ChannelOption<Integer>> options = switch (c) {
                    case EpollSocketChannel e ->
                        List.of(
                                EpollChannelOption.TCP_KEEPIDLE,
                                EpollChannelOption.TCP_KEEPINTVL,
                                EpollChannelOption.TCP_KEEPCNT);
                    case IoUringSocketChannel u ->
                        List.of(
                                IoUringChannelOption.TCP_KEEPIDLE,
                                IoUringChannelOption.TCP_KEEPINTVL,
                                IoUringChannelOption.TCP_KEEPCNT);
                    case NioSocketChannel n ->
                        List.of(
                                NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE),
                                NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL),
                                NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT));
                    default -> throw new AssertionError("unexpected channel " + c);
                };
                assertThat(options.stream().map(o -> c.config().getOption(o)).toList())
                        .as("idle, interval, count on " + c.getClass().getSimpleName())
                        .containsExactly(17, 5, 4);
                assertThat(c.config().getOption(ChannelOption.SO_KEEPALIVE)).isTrue();
            }
        } finally {
            t.close();
        }
    }

    /** Opens one connection to the test server with the engine's own connector and socket settings. */
    private Transport connect(HttpEngine engine, List<InetAddress> addresses) throws Exception {
        SocketConfig config = TUNED.socket().toBuilder()
                .host(server.host())
                .port(server.port())
                .addresses(addresses)
                .build();
        CompletionStage<Transport> connecting;
        if (engine instanceof HttpEngineSend<?, ?> send) {
            connecting = send.connector().connect(config);
        } else {
            HttpEngineLocal<?, ?> local = (HttpEngineLocal<?, ?>) engine;
            IoUringRuntime runtime = (IoUringRuntime) local.runtime();
            CompletableFuture<Transport> onCore = new CompletableFuture<>();
            // A core connector opens its channel on the calling core, so it must be called on one.
            runtime.spawnOn(
                    0,
                    () -> local.connector().connect(config).whenComplete((t, e) -> {
                        if (e != null) onCore.completeExceptionally(e);
                        else onCore.complete(t);
                    }));
            connecting = onCore;
        }
        return connecting.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
