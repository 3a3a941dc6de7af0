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
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Opens a Netty channel to a {@link SocketConfig}'s addresses, on a given loop: one address connects
 * directly, several race by Happy Eyeballs ({@link LoopRace}). Shared by the event-loop connectors.
 */
final class LoopDialer {
    private LoopDialer() {}

    static CompletionStage<Transport> dial(
            EventLoop loop, ChannelFactory<? extends Channel> channels, SocketConfig config) {
        if (config.addresses().isEmpty()) {
            return CompletableFuture.failedFuture(new ConnectFailedException(
                    "cannot connect to " + config.host() + ":" + config.port() + ": no addresses to try", null));
        }
        if (config.addresses().size() > 1 || config.resolving() != null) {
            return new LoopRace(loop, channels, config).start();
        }
        // One address, the common case: no race, no timer of ours; Netty's connect timeout bounds it.
        CompletableFuture<Transport> result = new CompletableFuture<>();
        InetAddress address = config.addresses().get(0);
        InetSocketAddress remote = new InetSocketAddress(address, config.port());
        ConnectObserver observer = config.observer();
        observer.connectStart(remote);
        ChannelFuture connect = connect(loop, channels, config, config.connectTimeout(), remote);
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
            result.completeExceptionally(new ConnectFailedException(
                    "cannot connect to " + config.host() + ":" + config.port() + " (tried " + config.addresses() + "): "
                            + cause.getMessage(),
                    cause));
        });
        return result;
    }

    /**
     * Starts one connect attempt: a new channel with the config's options, on {@code loop}. A failed
     * attempt's channel is closed by the bootstrap; {@code timeout} ZERO means Netty sets no limit.
     */
    static ChannelFuture connect(
            EventLoop loop,
            ChannelFactory<? extends Channel> channels,
            SocketConfig config,
            Duration timeout,
            InetSocketAddress remote) {
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channelFactory(config.keepAliveTuned() ? tuned(channels, config) : channels)
                .option(ChannelOption.TCP_NODELAY, config.tcpNoDelay())
                .option(ChannelOption.SO_KEEPALIVE, config.keepAlive())
                // Nothing is read until the connection that takes the channel over has its handler in place:
                // a server that speaks first (h2c SETTINGS) must not have its bytes dropped by the pipeline's
                // tail. Set before the connect: with auto-read on, the channel starts reading as it becomes
                // active, before this connect's listener runs.
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        (timeout.isZero() ? 0 : Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()))))
                .handler(SelfRemovingHandler.INSTANCE);
        return config.localAddress() == null
                ? bootstrap.connect(remote)
                : bootstrap.connect(remote, new InetSocketAddress(config.localAddress(), 0));
    }

    /** New channels get the keepalive idle, interval and count before they connect. */
    private static ChannelFactory<Channel> tuned(ChannelFactory<? extends Channel> channels, SocketConfig config) {
        return () -> {
            Channel channel = channels.newChannel();
            KeepAliveTuning.apply(channel, config);
            return channel;
        };
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
