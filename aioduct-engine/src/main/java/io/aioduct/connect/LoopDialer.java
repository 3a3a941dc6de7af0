package io.aioduct.connect;

import io.aioduct.ConnectFailedException;
import io.aioduct.TimedOutException;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Opens a Netty channel to the first reachable address of a {@link SocketConfig}, on a given loop.
 * Addresses are tried in order, sharing one connect deadline. Shared by the event-loop connectors.
 */
final class LoopDialer {
    private LoopDialer() {}

    static CompletionStage<Transport> dial(
            EventLoop loop, ChannelFactory<? extends Channel> channels, SocketConfig config) {
        CompletableFuture<Transport> result = new CompletableFuture<>();
        if (config.addresses().isEmpty()) {
            result.completeExceptionally(new ConnectFailedException(
                    "cannot connect to " + config.host() + ":" + config.port() + ": no addresses to try", null));
            return result;
        }
        long timeoutNanos = config.connectTimeout().toNanos();
        long deadline = timeoutNanos == 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutNanos;
        attempt(loop, channels, config, 0, deadline, null, result);
        return result;
    }

    private static void attempt(
            EventLoop loop,
            ChannelFactory<? extends Channel> channels,
            SocketConfig config,
            int index,
            long deadline,
            Throwable last,
            CompletableFuture<Transport> result) {
        List<InetAddress> addresses = config.addresses();
        long left = deadline == Long.MAX_VALUE ? 0 : deadline - System.nanoTime();
        if (deadline != Long.MAX_VALUE && left <= 0) {
            result.completeExceptionally(timedOut(config, addresses.get(Math.max(0, index - 1))));
            return;
        }
        InetAddress address = addresses.get(index);
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channelFactory(channels)
                .option(ChannelOption.TCP_NODELAY, config.tcpNoDelay())
                .option(ChannelOption.SO_KEEPALIVE, config.keepAlive())
                // Nothing is read until the connection that takes the channel over has its handler in place:
                // a server that speaks first (h2c SETTINGS) must not have its bytes dropped by the pipeline's
                // tail. Set before the connect: with auto-read on, the channel starts reading as it becomes
                // active, before this connect's listener runs.
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        Math.min(Integer.MAX_VALUE, Math.max(1, left / 1_000_000)))
                .handler(SelfRemovingHandler.INSTANCE);
        if (deadline == Long.MAX_VALUE) {
            bootstrap.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 0);
        }
        InetSocketAddress remote = new InetSocketAddress(address, config.port());
        ConnectObserver observer = config.observer();
        observer.connectStart(remote);
        ChannelFuture connect = config.localAddress() == null
                ? bootstrap.connect(remote)
                : bootstrap.connect(remote, new InetSocketAddress(config.localAddress(), 0));
        connect.addListener(f -> {
            if (f.isSuccess()) {
                observer.connectEnd(remote);
                result.complete(new LoopTransport(connect.channel()));
                return;
            }
            Throwable cause = f.cause();
            if (cause instanceof ConnectTimeoutException) {
                TimedOutException timedOut = timedOut(config, address);
                observer.connectFailed(remote, timedOut);
                result.completeExceptionally(timedOut);
                return;
            }
            observer.connectFailed(remote, cause);
            if (index + 1 < addresses.size()) {
                attempt(loop, channels, config, index + 1, deadline, cause, result);
            } else {
                ConnectFailedException failure = new ConnectFailedException(
                        "cannot connect to " + config.host() + ":" + config.port() + " (tried " + addresses + "): "
                                + cause.getMessage(),
                        cause);
                if (last != null) failure.addSuppressed(last);
                result.completeExceptionally(failure);
            }
        });
    }

    static TimedOutException timedOut(SocketConfig config, InetAddress address) {
        return new TimedOutException(
                TimedOutException.Kind.CONNECT,
                config.connectTimeout(),
                "connecting to " + config.host() + ":" + config.port() + " (" + address.getHostAddress() + ")");
    }

    /** Bootstrap insists on a handler; this one leaves the pipeline empty for the engine. */
    @ChannelHandler.Sharable
    private static final class SelfRemovingHandler extends ChannelInboundHandlerAdapter {
        static final SelfRemovingHandler INSTANCE = new SelfRemovingHandler();

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.pipeline().remove(this);
        }
    }
}
