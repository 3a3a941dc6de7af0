package io.aioduct.connect;

import io.netty.channel.Channel;
import java.net.SocketAddress;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A connected Netty channel. Its pipeline holds whatever the connector layered on it (for example TLS);
 * the engine appends its protocol handler after. All I/O on it happens on the channel's event loop.
 */
public final class LoopTransport implements Transport {
    private final Channel channel;
    private final @Nullable String applicationProtocol;

    public LoopTransport(Channel channel) {
        this(channel, null);
    }

    /** A channel over which TLS negotiated {@code applicationProtocol} by ALPN. */
    public LoopTransport(Channel channel, @Nullable String applicationProtocol) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.applicationProtocol = applicationProtocol;
    }

    @Override
    public @Nullable String applicationProtocol() {
        return applicationProtocol;
    }

    public Channel channel() {
        return channel;
    }

    @Override
    public boolean isOpen() {
        return channel.isActive();
    }

    @Override
    public void close() {
        channel.close();
    }

    @Override
    public @Nullable SocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    @Override
    public String toString() {
        return "LoopTransport[" + channel + "]";
    }
}
