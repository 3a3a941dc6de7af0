package io.aioduct.connect;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where and how to open one TCP connection: the host and port, the addresses it resolved to (tried in
 * order, the {@link AddressPreference DNS hint} applied), socket options and the connect timeout,
 * which covers all addresses together. Immutable; derive variants with {@link #toBuilder()}.
 */
public final class SocketConfig {
    private final String host;
    private final int port;
    private final List<InetAddress> addresses;
    private final AddressPreference addressPreference;
    private final boolean tcpNoDelay;
    private final boolean keepAlive;
    private final @Nullable InetAddress localAddress;
    private final Duration connectTimeout;
    private final ConnectObserver observer;
    private final @Nullable Path unixSocket;

    private SocketConfig(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.addressPreference = b.addressPreference;
        this.addresses = order(b.addresses, b.addressPreference);
        this.tcpNoDelay = b.tcpNoDelay;
        this.keepAlive = b.keepAlive;
        this.localAddress = b.localAddress;
        this.connectTimeout = b.connectTimeout;
        this.observer = b.observer;
        this.unixSocket = b.unixSocket;
    }

    private static List<InetAddress> order(List<InetAddress> in, AddressPreference pref) {
        if (pref == AddressPreference.AS_RESOLVED || in.size() < 2) {
            return List.copyOf(in);
        }
        Class<?> first = pref == AddressPreference.IPV4_FIRST ? Inet4Address.class : Inet6Address.class;
        List<InetAddress> out = new ArrayList<>(in.size());
        for (InetAddress a : in) if (first.isInstance(a)) out.add(a);
        for (InetAddress a : in) if (!first.isInstance(a)) out.add(a);
        return List.copyOf(out);
    }

    /** Defaults: TCP_NODELAY on, SO_KEEPALIVE on, connect timeout 10 s, no addresses yet. */
    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.host = host;
        b.port = port;
        b.addresses = addresses;
        b.addressPreference = addressPreference;
        b.tcpNoDelay = tcpNoDelay;
        b.keepAlive = keepAlive;
        b.localAddress = localAddress;
        b.connectTimeout = connectTimeout;
        b.observer = observer;
        b.unixSocket = unixSocket;
        return b;
    }

    /** The host name the addresses were resolved from (also used for TLS SNI). */
    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The addresses to try, in order. */
    public List<InetAddress> addresses() {
        return addresses;
    }

    public AddressPreference addressPreference() {
        return addressPreference;
    }

    public boolean tcpNoDelay() {
        return tcpNoDelay;
    }

    public boolean keepAlive() {
        return keepAlive;
    }

    public @Nullable InetAddress localAddress() {
        return localAddress;
    }

    /** The time allowed for the whole connect, across every address. {@link Duration#ZERO} means no limit. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /**
     * The Unix domain socket to connect to instead of TCP, or null. When set, the addresses, the port and the
     * TCP options are not used (nothing is resolved); the host and port still name the origin (TLS SNI and
     * certificate check, the {@code Host} header).
     */
    public @Nullable Path unixSocket() {
        return unixSocket;
    }

    /** Told about each connect attempt and the TLS handshake; {@link ConnectObserver#NONE} by default. */
    public ConnectObserver observer() {
        return observer;
    }

    @Override
    public String toString() {
        if (unixSocket != null) {
            return "SocketConfig[" + host + ":" + port + " via unix:" + unixSocket + ", connectTimeout="
                    + connectTimeout + "]";
        }
        return "SocketConfig[" + host + ":" + port + " " + addresses + ", nodelay=" + tcpNoDelay + ", keepalive="
                + keepAlive + ", connectTimeout=" + connectTimeout + "]";
    }

    /** Builds a {@link SocketConfig}. Not thread-safe. */
    public static final class Builder {
        private String host = "";
        private int port = 0;
        private List<InetAddress> addresses = List.of();
        private AddressPreference addressPreference = AddressPreference.AS_RESOLVED;
        private boolean tcpNoDelay = true;
        private boolean keepAlive = true;
        private @Nullable InetAddress localAddress;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private ConnectObserver observer = ConnectObserver.NONE;
        private @Nullable Path unixSocket;

        private Builder() {}

        /** Connects to this Unix domain socket file instead of over TCP; null (the default) for TCP. */
        public Builder unixSocket(@Nullable Path path) {
            this.unixSocket = path;
            return this;
        }

        public Builder observer(ConnectObserver observer) {
            this.observer = Objects.requireNonNull(observer, "observer");
            return this;
        }

        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        public Builder port(int port) {
            if (port < 1 || port > 65535) throw new IllegalArgumentException("port " + port + " is outside 1..65535");
            this.port = port;
            return this;
        }

        public Builder addresses(List<InetAddress> addresses) {
            this.addresses = List.copyOf(Objects.requireNonNull(addresses, "addresses"));
            return this;
        }

        public Builder addressPreference(AddressPreference preference) {
            this.addressPreference = Objects.requireNonNull(preference, "addressPreference");
            return this;
        }

        public Builder tcpNoDelay(boolean on) {
            this.tcpNoDelay = on;
            return this;
        }

        public Builder keepAlive(boolean on) {
            this.keepAlive = on;
            return this;
        }

        public Builder localAddress(@Nullable InetAddress address) {
            this.localAddress = address;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "connectTimeout");
            if (timeout.isNegative())
                throw new IllegalArgumentException("connectTimeout must not be negative, was " + timeout);
            this.connectTimeout = timeout;
            return this;
        }

        public SocketConfig build() {
            return new SocketConfig(this);
        }
    }
}
