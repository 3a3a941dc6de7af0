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
import org.jspecify.annotations.Nullable;

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

    /** Its Happy Eyeballs race takes addresses that arrive after it started. */
    @Override
    public boolean takesLateAddresses() {
        return true;
    }

    @Override
    public CompletionStage<Transport> connect(SocketConfig config) {
        try {
            return CompletableFuture.completedFuture(connectBlocking(config));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Connects on the calling thread within the one connect timeout: one address directly, several by a
     * Happy Eyeballs race whose attempts run on virtual threads while the caller decides ({@link
     * BlockingRace}). Interrupting the caller cancels every attempt and closes its socket; the interrupt
     * flag stays set.
     *
     * @throws ConnectFailedException if every address failed (or the caller was interrupted)
     * @throws io.aioduct.TimedOutException of kind CONNECT if the connect timeout ran out first
     */
    public BlockingTransport connectBlocking(SocketConfig config) {
        if (config.unixSocket() != null) {
            return UnixSockets.connectBlocking(config);
        }
        if (config.addresses().isEmpty()) {
            throw new ConnectFailedException(
                    "cannot connect to " + config.host() + ":" + config.port() + ": no addresses to try", null);
        }
        if (config.addresses().size() > 1 || config.resolving() != null) {
            return new BlockingRace(config).run();
        }
        // One address, the common case: a plain blocking connect, no thread or queue of the race's.
        InetAddress address = config.addresses().get(0);
        long timeoutNanos = config.connectTimeout().toNanos();
        int millis = timeoutNanos == 0 ? 0 : (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeoutNanos / 1_000_000));
        SocketChannel channel = null;
        InetSocketAddress remote = new InetSocketAddress(address, config.port());
        config.observer().connectStart(remote);
        try {
            channel = open(config);
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
            throw new ConnectFailedException(
                    "cannot connect to " + config.host() + ":" + config.port() + " (tried " + config.addresses() + "): "
                            + e.getMessage(),
                    e);
        }
    }

    /** A new blocking socket with the config's options, bound if it names a local address; not connected. */
    static SocketChannel open(SocketConfig config) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, config.tcpNoDelay());
            channel.setOption(StandardSocketOptions.SO_KEEPALIVE, config.keepAlive());
            KeepAliveTuning.apply(channel, config);
            if (config.localAddress() != null) {
                channel.bind(new InetSocketAddress(config.localAddress(), 0));
            }
            return channel;
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    static void closeQuietly(@Nullable SocketChannel channel) {
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
