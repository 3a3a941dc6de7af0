package io.aioduct.connect;

import io.aioduct.ConnectFailedException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The virtual-thread runtime's TCP connector: connects a JDK socket with a blocking call on the
 * calling thread (a virtual thread parks while it waits) and returns an already completed stage. No
 * event loop is involved. Thread-safe.
 */
public final class BlockingTcpConnector implements ConnectorSend {

    /** A connector with no state of its own: every setting comes with each {@link SocketConfig}. */
    public BlockingTcpConnector() {}

    @Override
    public TransportKind kind() {
        return TransportKind.BLOCKING;
    }

    @Override
    public CompletionStage<Transport> connect(SocketConfig config) {
        try {
            return CompletableFuture.completedFuture(connectBlocking(config));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Connects on the calling thread, trying each address in turn within the one connect timeout. */
    public BlockingTransport connectBlocking(SocketConfig config) {
        if (config.unixSocket() != null) {
            return UnixSockets.connectBlocking(config);
        }
        if (config.addresses().isEmpty()) {
            throw new ConnectFailedException(
                    "cannot connect to " + config.host() + ":" + config.port() + ": no addresses to try", null);
        }
        long timeoutNanos = config.connectTimeout().toNanos();
        long deadline = System.nanoTime() + timeoutNanos;
        IOException last = null;
        for (InetAddress address : config.addresses()) {
            int millis = 0;
            if (timeoutNanos > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw LoopDialer.timedOut(config, address);
                }
                millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000));
            }
            SocketChannel channel = null;
            InetSocketAddress remote = new InetSocketAddress(address, config.port());
            config.observer().connectStart(remote);
            try {
                channel = SocketChannel.open();
                channel.setOption(StandardSocketOptions.TCP_NODELAY, config.tcpNoDelay());
                channel.setOption(StandardSocketOptions.SO_KEEPALIVE, config.keepAlive());
                if (config.localAddress() != null) {
                    channel.bind(new InetSocketAddress(config.localAddress(), 0));
                }
                channel.socket().connect(remote, millis);
                BlockingTransport transport = BlockingTransport.of(channel);
                config.observer().connectEnd(remote);
                return transport;
            } catch (SocketTimeoutException e) {
                closeQuietly(channel);
                var timedOut = LoopDialer.timedOut(config, address);
                config.observer().connectFailed(remote, timedOut);
                throw timedOut;
            } catch (IOException e) {
                closeQuietly(channel);
                config.observer().connectFailed(remote, e);
                if (Thread.currentThread().isInterrupted()) {
                    throw new ConnectFailedException(
                            "interrupted while connecting to " + config.host() + ":" + config.port(), e);
                }
                if (last != null) e.addSuppressed(last);
                last = e;
            }
        }
        throw new ConnectFailedException(
                "cannot connect to " + config.host() + ":" + config.port() + " (tried " + config.addresses() + "): "
                        + last.getMessage(),
                last);
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Already failing; the connect error is what the caller needs to see.
            }
        }
    }

    @Override
    public String toString() {
        return "BlockingTcpConnector";
    }
}
