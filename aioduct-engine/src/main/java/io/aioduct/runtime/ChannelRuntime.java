package io.aioduct.runtime;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoop;
import java.net.SocketAddress;
import java.nio.file.Path;

/**
 * What a Netty-based runtime offers its TCP connector: the loop a new connection registers on and the
 * socket channel type of its transport. Lets the connectors in {@code io.aioduct.connect} stay
 * transport-agnostic, so only a runtime's own package touches its native transport classes.
 */
public interface ChannelRuntime {

    /**
     * The loop a connection opened from the calling thread belongs to: the caller's own loop when it
     * is one of ours, otherwise one chosen by the runtime.
     */
    EventLoop connectLoop();

    /** Creates the socket channels of this runtime's transport (epoll, io_uring or NIO). */
    ChannelFactory<? extends Channel> channelFactory();

    /**
     * Creates the Unix domain socket channels of this runtime's transport; a runtime without them keeps this
     * default, which refuses.
     *
     * @throws UnsupportedOperationException if the transport has no Unix domain sockets
     */
    default ChannelFactory<? extends Channel> domainChannelFactory() {
        throw new UnsupportedOperationException("the runtime " + this + " has no Unix domain socket channels");
    }

    /** The address a channel of {@link #domainChannelFactory()} connects to for the socket file {@code path}. */
    default SocketAddress domainSocketAddress(Path path) {
        return java.net.UnixDomainSocketAddress.of(path);
    }
}
