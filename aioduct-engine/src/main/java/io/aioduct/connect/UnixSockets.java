package io.aioduct.connect;

import io.aioduct.ConnectFailedException;
import io.aioduct.TimedOutException;
import io.aioduct.runtime.ChannelRuntime;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Connecting to a Unix domain socket ({@link SocketConfig#unixSocket()}) instead of over TCP: Netty's domain
 * socket channels of the runtime's transport on the loop runtimes, a JDK {@code SocketChannel} of the UNIX
 * family on the virtual runtime. Nothing is resolved and no TCP option applies; the connect timeout bounds
 * the loop connect (a local connect is immediate unless the listener's backlog is full).
 */
final class UnixSockets {
    private UnixSockets() {}

    /** Opens a domain socket channel on {@code loop}; completes with its transport, auto-read off. */
    static CompletionStage<Transport> dial(EventLoop loop, ChannelRuntime runtime, SocketConfig config) {
        Path path = Objects.requireNonNull(config.unixSocket(), "unixSocket");
        CompletableFuture<Transport> result = new CompletableFuture<>();
        Bootstrap bootstrap;
        try {
            bootstrap = new Bootstrap()
                    .group(loop)
                    .channelFactory(runtime.domainChannelFactory())
                    // As for TCP (LoopDialer): nothing is read until the connection's handler is in place.
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis(config))
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            // Leaves the pipeline empty for the engine.
                        }
                    });
        } catch (UnsupportedOperationException e) {
            result.completeExceptionally(failed(config, e));
            return result;
        }
        var connect = bootstrap.connect(runtime.domainSocketAddress(path));
        connect.addListener(f -> {
            if (f.isSuccess()) {
                result.complete(new LoopTransport(connect.channel()));
            } else if (f.cause() instanceof ConnectTimeoutException) {
                result.completeExceptionally(timedOut(config));
            } else {
                result.completeExceptionally(failed(config, f.cause()));
            }
        });
        return result;
    }

    /** Connects a UNIX-family JDK socket on the calling thread (a virtual thread parks while it waits). */
    static BlockingTransport connectBlocking(SocketConfig config) {
        Path path = Objects.requireNonNull(config.unixSocket(), "unixSocket");
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(path));
            return BlockingTransport.ofUnix(channel);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // Already failing; the connect error is what the caller needs.
                }
            }
            throw failed(config, e);
        }
    }

    private static int connectTimeoutMillis(SocketConfig config) {
        long nanos = config.connectTimeout().toNanos();
        return nanos == 0 ? 0 : (int) Math.max(1, Math.min(Integer.MAX_VALUE, nanos / 1_000_000));
    }

    private static ConnectFailedException failed(SocketConfig config, Throwable cause) {
        return new ConnectFailedException(
                "cannot connect to " + config.host() + ":" + config.port() + " over the Unix domain socket "
                        + config.unixSocket() + ": " + cause.getMessage(),
                cause);
    }

    private static TimedOutException timedOut(SocketConfig config) {
        return new TimedOutException(
                TimedOutException.Kind.CONNECT,
                config.connectTimeout(),
                "connecting to " + config.host() + ":" + config.port() + " over the Unix domain socket "
                        + config.unixSocket());
    }
}
