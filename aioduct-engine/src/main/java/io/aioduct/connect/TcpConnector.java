package io.aioduct.connect;

import io.aioduct.runtime.ChannelRuntime;
import io.aioduct.runtime.RuntimePoll;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * The pooled runtime's TCP connector: opens non-blocking channels on the runtime's event loops (epoll
 * or NIO), on the caller's own loop when the caller is one. Thread-safe.
 */
public final class TcpConnector implements ConnectorSend {
    private final ChannelRuntime runtime;

    /**
     * @throws IllegalArgumentException if {@code runtime} has no event loops to put channels on
     */
    public TcpConnector(RuntimePoll runtime) {
        Objects.requireNonNull(runtime, "runtime");
        if (!(runtime instanceof ChannelRuntime channels)) {
            throw new IllegalArgumentException("TcpConnector needs a runtime with event loops (the pooled runtime); "
                    + runtime.name() + " has none: use BlockingTcpConnector");
        }
        this.runtime = channels;
    }

    @Override
    public TransportKind kind() {
        return TransportKind.EVENT_LOOP;
    }

    /** Its Happy Eyeballs race takes addresses that arrive after it started. */
    @Override
    public boolean takesLateAddresses() {
        return true;
    }

    @Override
    public CompletionStage<Transport> connect(SocketConfig config) {
        if (config.unixSocket() != null) {
            return UnixSockets.dial(runtime.connectLoop(), runtime, config);
        }
        return LoopDialer.dial(runtime.connectLoop(), runtime.channelFactory(), config);
    }
}
