package io.aioduct.connect;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where and how to open one TCP connection: the host and port, the addresses it resolved to (tried in
 * order: families interleaved, the {@link AddressPreference DNS hint} choosing the first), the Happy
 * Eyeballs delay between attempts, socket options (TCP keepalive tuning included) and the connect
 * timeout, which covers the whole race. Immutable; derive variants with {@link #toBuilder()}. See
 * docs/connect.md.
 */
public final class SocketConfig {
    /** RFC 8305 §5's recommended Connection Attempt Delay. */
    public static final Duration DEFAULT_HAPPY_EYEBALLS_DELAY = Duration.ofMillis(250);

    /** RFC 8305 §3's recommended Resolution Delay: how long an A answer waits for the AAAA one. */
    public static final Duration DEFAULT_RESOLUTION_DELAY = Duration.ofMillis(50);

    /** RFC 8305 §5: "at least 10 milliseconds", so a stagger never floods the network with SYNs. */
    private static final Duration MIN_HAPPY_EYEBALLS_DELAY = Duration.ofMillis(10);

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
    private final Duration happyEyeballsDelay;
    private final @Nullable Duration keepAliveIdle;
    private final @Nullable Duration keepAliveInterval;
    private final int keepAliveCount;
    private final Duration resolutionDelay;
    private final @Nullable Resolution resolving;

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
        this.happyEyeballsDelay = b.happyEyeballsDelay;
        this.keepAliveIdle = b.keepAliveIdle;
        this.keepAliveInterval = b.keepAliveInterval;
        this.keepAliveCount = b.keepAliveCount;
        this.resolutionDelay = b.resolutionDelay;
        this.resolving = b.resolving;
    }

    /** RFC 8305 §4: families alternate, the preference (or, as resolved, the first address) picking the first. */
    private static List<InetAddress> order(List<InetAddress> in, AddressPreference pref) {
        if (in.size() < 2) {
            return List.copyOf(in);
        }
        boolean firstIsV4 = switch (pref) {
            case IPV4_FIRST -> true;
            case IPV6_FIRST -> false;
            case AS_RESOLVED -> in.get(0) instanceof Inet4Address;
        };
        return HappyEyeballs.interleave(in, firstIsV4);
    }

    /**
     * Defaults: TCP_NODELAY on, SO_KEEPALIVE on with the OS's idle, interval and count, connect timeout
     * 10 s, Happy Eyeballs delay 250 ms, no addresses yet.
     */
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
        b.happyEyeballsDelay = happyEyeballsDelay;
        b.keepAliveIdle = keepAliveIdle;
        b.keepAliveInterval = keepAliveInterval;
        b.keepAliveCount = keepAliveCount;
        b.resolutionDelay = resolutionDelay;
        b.resolving = resolving;
        return b;
    }

    /** The host name the addresses were resolved from (also used for TLS SNI). */
    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The addresses to try, in order: families interleaved (RFC 8305 §4), the preferred one first. */
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

    /**
     * How long an attempt may stay pending before the next address is tried beside it (RFC 8305 §5);
     * {@link Duration#ZERO} starts every address at once.
     */
    public Duration happyEyeballsDelay() {
        return happyEyeballsDelay;
    }

    /**
     * RFC 8305 §3: when only IPv4 addresses have arrived and more answers may come ({@link #resolving()}),
     * how long the race waits for the IPv6 ones before it starts with IPv4. Default 50 ms.
     */
    public Duration resolutionDelay() {
        return resolutionDelay;
    }

    /**
     * The host's lookups when some were still out as the connect started: addresses arriving later join
     * the race. Null when {@link #addresses()} is every address (the usual case, and always with a resolver
     * that answers in one batch).
     */
    public @Nullable Resolution resolving() {
        return resolving;
    }

    /** How long a connection stays idle before the first keepalive probe; null: the OS default. */
    public @Nullable Duration keepAliveIdle() {
        return keepAliveIdle;
    }

    /** The time between keepalive probes; null: the OS default. */
    public @Nullable Duration keepAliveInterval() {
        return keepAliveInterval;
    }

    /** How many unanswered probes close the connection; 0: the OS default. */
    public int keepAliveCount() {
        return keepAliveCount;
    }

    /** Whether any keepalive idle, interval or count is set, so a connector has options beyond on/off to apply. */
    boolean keepAliveTuned() {
        return keepAlive && (keepAliveIdle != null || keepAliveInterval != null || keepAliveCount != 0);
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
                + keepAlive
                + (keepAliveTuned() ? " " + keepAliveIdle + "/" + keepAliveInterval + "/" + keepAliveCount : "")
                + ", connectTimeout=" + connectTimeout + ", happyEyeballsDelay=" + happyEyeballsDelay + "]";
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
        private Duration happyEyeballsDelay = DEFAULT_HAPPY_EYEBALLS_DELAY;
        private @Nullable Duration keepAliveIdle;
        private @Nullable Duration keepAliveInterval;
        private int keepAliveCount;
        private Duration resolutionDelay = DEFAULT_RESOLUTION_DELAY;
        private @Nullable Resolution resolving;

        private Builder() {}

        /**
         * RFC 8305 §3's Resolution Delay: when the A answer comes first and the AAAA one is still out, how
         * long to wait for it before connecting over IPv4 (default 50 ms, the RFC's recommendation; ZERO
         * starts at once). Applies only with a resolver that answers per family, such as {@link
         * Resolver#dns()}.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder resolutionDelay(Duration delay) {
            Objects.requireNonNull(delay, "resolutionDelay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("resolutionDelay must not be negative, was " + delay);
            }
            this.resolutionDelay = delay;
            return this;
        }

        /** Lookups still answering: their later addresses join the race (see {@link SocketConfig#resolving()}). */
        public Builder resolving(@Nullable Resolution resolution) {
            this.resolving = resolution;
            return this;
        }

        /**
         * How long a connect attempt may stay pending before the next address is tried beside it (RFC 8305
         * §5; default 250 ms, the RFC's recommendation). A failed attempt starts the next at once whatever
         * the delay. {@link Duration#ZERO} starts every address at once; otherwise at least 10 ms, the RFC's
         * floor (it recommends at least 100 ms). A delay longer than the connect timeout tries one address
         * at a time, each after the previous one failed.
         *
         * @throws IllegalArgumentException if negative, or between zero and 10 ms
         */
        public Builder happyEyeballsDelay(Duration delay) {
            Objects.requireNonNull(delay, "happyEyeballsDelay");
            if (delay.isNegative() || (!delay.isZero() && delay.compareTo(MIN_HAPPY_EYEBALLS_DELAY) < 0)) {
                throw new IllegalArgumentException("happyEyeballsDelay must be ZERO (every address at once) or at"
                        + " least 10 ms (RFC 8305 §5), was " + delay);
            }
            this.happyEyeballsDelay = delay;
            return this;
        }

        /**
         * How long a connection stays idle before the first keepalive probe (TCP_KEEPIDLE), in whole
         * seconds (a fraction rounds up); null keeps the OS default. Applies when keepalive is on.
         *
         * @throws IllegalArgumentException if not within 1 s .. 32767 s (Linux's range)
         */
        public Builder keepAliveIdle(@Nullable Duration idle) {
            this.keepAliveIdle = idle == null ? null : keepAliveSeconds("keepAliveIdle", idle);
            return this;
        }

        /**
         * The time between keepalive probes (TCP_KEEPINTVL), in whole seconds (a fraction rounds up); null
         * keeps the OS default.
         *
         * @throws IllegalArgumentException if not within 1 s .. 32767 s (Linux's range)
         */
        public Builder keepAliveInterval(@Nullable Duration interval) {
            this.keepAliveInterval = interval == null ? null : keepAliveSeconds("keepAliveInterval", interval);
            return this;
        }

        /**
         * How many unanswered probes close the connection (TCP_KEEPCNT); 0 keeps the OS default.
         *
         * @throws IllegalArgumentException if not within 0 .. 127 (Linux's range)
         */
        public Builder keepAliveCount(int count) {
            if (count < 0 || count > 127) {
                throw new IllegalArgumentException(
                        "keepAliveCount must be within 0..127 (0: the OS default), was " + count);
            }
            this.keepAliveCount = count;
            return this;
        }

        private static Duration keepAliveSeconds(String name, Duration d) {
            long seconds = d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
            if (d.isNegative() || seconds < 1 || seconds > 32767) {
                throw new IllegalArgumentException(name + " must be within 1 s .. 32767 s, was " + d);
            }
            return Duration.ofSeconds(seconds);
        }

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
