package io.aioduct.runtime;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoop;

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
}
