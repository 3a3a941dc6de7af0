package io.aioduct.connect;

import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import jdk.net.ExtendedSocketOptions;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a {@link SocketConfig}'s TCP keepalive idle, interval and count (beyond SO_KEEPALIVE on/off) to a
 * socket before it connects: a JDK {@link SocketChannel} through {@link ExtendedSocketOptions}, a Netty
 * channel through its transport's own options. Where the platform or transport has no such option the
 * OS default stays, and a DEBUG line (logger {@code io.aioduct.connect.KeepAliveTuning}) says so once per
 * transport and option: the setting is never lost without a trace. A value the OS rejects (the builder
 * already keeps them within Linux's ranges) is logged at WARN, once per transport and option, and the
 * connect goes on with the OS default: tuning never fails a connect, and never throws out of a Netty
 * channel factory (which would leave the new channel open and complete its future off the loop).
 *
 * <p>Netty transports are matched by option name, so this package stays transport-agnostic (see {@link
 * io.aioduct.runtime.ChannelRuntime}): epoll and io_uring both name them {@code TCP_KEEPIDLE},
 * {@code TCP_KEEPINTVL}, {@code TCP_KEEPCNT}; NIO goes through the JDK's options. Thread-safe.
 */
final class KeepAliveTuning {
    private static final Logger log = LoggerFactory.getLogger(KeepAliveTuning.class);

    /** What is already logged as missing, so each (transport, option) pair is logged once. */
    private static final Set<String> reported = ConcurrentHashMap.newKeySet();

    /** Per Netty channel class: its idle, interval and count options, each null where it has none. */
    private static final Map<Class<?>, NettyOptions> nettyOptions = new ConcurrentHashMap<>();

    private KeepAliveTuning() {}

    /** Sets the tuned values on a JDK socket channel, before it connects. */
    static void apply(SocketChannel channel, SocketConfig config) {
        if (!config.keepAliveTuned()) {
            return;
        }
        Set<SocketOption<?>> supported = channel.supportedOptions();
        set(channel, supported, ExtendedSocketOptions.TCP_KEEPIDLE, seconds(config.keepAliveIdle()));
        set(channel, supported, ExtendedSocketOptions.TCP_KEEPINTERVAL, seconds(config.keepAliveInterval()));
        set(channel, supported, ExtendedSocketOptions.TCP_KEEPCOUNT, config.keepAliveCount());
    }

    private static void set(
            SocketChannel channel, Set<SocketOption<?>> supported, SocketOption<Integer> option, int value) {
        if (value == 0) {
            return;
        }
        if (!supported.contains(option)) {
            missing("JDK SocketChannel", option.name());
            return;
        }
        try {
            channel.setOption(option, value);
        } catch (IOException | IllegalArgumentException e) {
            rejected("JDK SocketChannel", option.name(), value, e);
        }
    }

    /** Sets the tuned values on a new Netty channel, before it registers and connects. */
    static void apply(Channel channel, SocketConfig config) {
        if (!config.keepAliveTuned()) {
            return;
        }
        NettyOptions options = nettyOptions.computeIfAbsent(channel.getClass(), c -> NettyOptions.of(channel));
        String transport = channel.getClass().getSimpleName();
        set(channel.config(), transport, options.idle(), "TCP_KEEPIDLE", seconds(config.keepAliveIdle()));
        set(channel.config(), transport, options.interval(), "TCP_KEEPINTVL", seconds(config.keepAliveInterval()));
        set(channel.config(), transport, options.count(), "TCP_KEEPCNT", config.keepAliveCount());
    }

    private static void set(
            ChannelConfig config, String transport, @Nullable ChannelOption<Integer> option, String name, int value) {
        if (value == 0) {
            return;
        }
        try {
            if (option == null || !config.setOption(option, value)) {
                missing(transport, name);
            }
        } catch (ChannelException | IllegalArgumentException e) {
            rejected(transport, name, value, e);
        }
    }

    private static int seconds(@Nullable Duration d) {
        return d == null ? 0 : (int) d.getSeconds();
    }

    private static void missing(String transport, String option) {
        if (reported.add(transport + "#" + option) && log.isDebugEnabled()) {
            log.debug(
                    "{} has no {} on this platform: the OS default stays for connections it opens"
                            + " (see docs/connect.md)",
                    transport,
                    option);
        }
    }

    private static void rejected(String transport, String option, int value, Exception e) {
        if (reported.add(transport + "#" + option + "=" + value)) {
            log.warn("{} rejected {}={}: the OS default stays for connections it opens", transport, option, value, e);
        }
    }

    /** One transport's keepalive options, found once per channel class. */
    private record NettyOptions(
            @Nullable ChannelOption<Integer> idle,
            @Nullable ChannelOption<Integer> interval,
            @Nullable ChannelOption<Integer> count) {

        static NettyOptions of(Channel channel) {
            if (channel instanceof NioSocketChannel) {
                return new NettyOptions(
                        NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE),
                        NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL),
                        NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT));
            }
            Map<ChannelOption<?>, Object> all;
            try {
                all = channel.config().getOptions();
            } catch (ChannelException e) {
                log.debug("cannot list the options of {}: keepalive tuning skipped", channel.getClass(), e);
                return new NettyOptions(null, null, null);
            }
            return new NettyOptions(named(all, "TCP_KEEPIDLE"), named(all, "TCP_KEEPINTVL"), named(all, "TCP_KEEPCNT"));
        }

        /** The option called {@code name}: epoll's and io_uring's are pooled as {@code <class>#<name>}. */
        @SuppressWarnings("unchecked")
        private static @Nullable ChannelOption<Integer> named(Map<ChannelOption<?>, Object> all, String name) {
            for (ChannelOption<?> option : all.keySet()) {
                String full = option.name();
                if (full.equals(name) || full.endsWith("#" + name)) {
                    return (ChannelOption<Integer>) option;
                }
            }
            return null;
        }
    }
}
