package io.aioduct.connect;

import io.aioduct.runtime.ChannelRuntime;
import io.aioduct.runtime.RuntimeLocal;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * The thread-per-core runtime's TCP connector: opens the channel on the calling core, so the
 * connection belongs to that core for its whole life. Must be called on a core thread.
 */
public final class LocalTcpConnector implements ConnectorLocal {
    private final RuntimeLocal runtime;
    private final ChannelRuntime channels;

    /**
     * @throws IllegalArgumentException if {@code runtime} has no event loops to put channels on
     */
    public LocalTcpConnector(RuntimeLocal runtime) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        if (!(runtime instanceof ChannelRuntime c)) {
            throw new IllegalArgumentException(
                    "LocalTcpConnector needs a runtime with event loops; " + runtime.name() + " has none");
        }
        this.channels = c;
    }

    /** Its Happy Eyeballs race takes addresses that arrive after it started. */
    @Override
    public boolean takesLateAddresses() {
        return true;
    }

    @Override
    public CompletionStage<Transport> connect(SocketConfig config) {
        if (runtime.currentCore() < 0) {
            throw new IllegalStateException("LocalTcpConnector.connect must run on a core thread of " + runtime.name()
                    + ", not on '" + Thread.currentThread().getName() + "'");
        }
        if (config.unixSocket() != null) {
            return UnixSockets.dial(channels.connectLoop(), channels, config);
        }
        return LoopDialer.dial(channels.connectLoop(), channels.channelFactory(), config);
    }
}
