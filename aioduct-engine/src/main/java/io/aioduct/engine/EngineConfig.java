package io.aioduct.engine;

import io.aioduct.Ticker;
import io.aioduct.connect.AddressPreference;
import io.aioduct.connect.Resolver;
import io.aioduct.connect.SocketConfig;
import io.aioduct.event.EventListener;
import io.aioduct.pool.PoolConfig;
import io.aioduct.protocol.Http1Options;
import io.aioduct.protocol.Http2Options;
import io.aioduct.proxy.ProxyRouting;
import io.aioduct.tls.TlsConfig;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Settings fixed for an engine's lifetime: pooling, HTTP/1.1 limits, name resolution, socket options
 * and the clock. Immutable; build with {@link #builder()}.
 */
public final class EngineConfig {
    /** Everything at its default. */
    public static final EngineConfig DEFAULT = builder().build();

    private final PoolConfig pool;
    private final Http1Options http1;
    private final Resolver resolver;
    private final SocketConfig socket;
    private final Ticker ticker;
    private final TlsConfig tls;
    private final Http2Options http2;
    private final EventListener eventListener;
    private final ProxyRouting proxy;

    private EngineConfig(Builder b) {
        this.pool = b.pool;
        this.http1 = b.http1;
        this.resolver = b.resolver;
        this.socket = b.socket.build();
        this.ticker = b.ticker;
        this.tls = b.tls;
        this.http2 = b.http2;
        this.eventListener = b.eventListener;
        this.proxy = b.proxy;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.pool = pool;
        b.http1 = http1;
        b.resolver = resolver;
        b.socket = socket.toBuilder();
        b.ticker = ticker;
        b.tls = tls;
        b.http2 = http2;
        b.eventListener = eventListener;
        b.proxy = proxy;
        return b;
    }

    public PoolConfig pool() {
        return pool;
    }

    public Http1Options http1() {
        return http1;
    }

    public Resolver resolver() {
        return resolver;
    }

    /** Socket options every connection starts from (host, port and addresses are filled per connect). */
    public SocketConfig socket() {
        return socket;
    }

    public Ticker ticker() {
        return ticker;
    }

    /** TLS for {@code https} origins. */
    public TlsConfig tls() {
        return tls;
    }

    /** HTTP/2: offered by ALPN, prior knowledge for cleartext, windows, limits, keep-alive PINGs. */
    public Http2Options http2() {
        return http2;
    }

    /** Receives every phase of every exchange; {@link EventListener#NONE} by default. */
    public EventListener eventListener() {
        return eventListener;
    }

    /** Which proxy, if any, each new connection goes through; {@link ProxyRouting#DIRECT} by default. */
    public ProxyRouting proxy() {
        return proxy;
    }

    /** Whether connections to {@code origin} may speak HTTP/2 (so its pool waits for its first connection). */
    public boolean mayUseHttp2(io.aioduct.Origin origin) {
        return origin.secure() ? http2.enabled() : http2.priorKnowledge();
    }

    /** Builds an {@link EngineConfig}. Not thread-safe. */
    public static final class Builder {
        private PoolConfig pool = PoolConfig.DEFAULT;
        private Http1Options http1 = Http1Options.DEFAULT;
        private Resolver resolver = Resolver.system();
        private SocketConfig.Builder socket = SocketConfig.builder();
        private Ticker ticker = Ticker.SYSTEM;
        private TlsConfig tls = TlsConfig.DEFAULT;
        private Http2Options http2 = Http2Options.DEFAULT;
        private EventListener eventListener = EventListener.NONE;
        private ProxyRouting proxy = ProxyRouting.DIRECT;

        private Builder() {}

        /** Which proxy, if any, each new connection goes through (see docs/proxies.md); default direct. */
        public Builder proxy(ProxyRouting proxy) {
            this.proxy = Objects.requireNonNull(proxy, "proxy");
            return this;
        }

        /** Receives every phase of every exchange (see {@link EventListener} for its rules). */
        public Builder eventListener(EventListener listener) {
            this.eventListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** HTTP/2 settings; default {@link Http2Options#DEFAULT} (offered over TLS, not over cleartext). */
        public Builder http2(Http2Options http2) {
            this.http2 = Objects.requireNonNull(http2, "http2");
            return this;
        }

        /** TLS for {@code https} origins: trust, client certificate, versions; default {@link TlsConfig#DEFAULT}. */
        public Builder tls(TlsConfig tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        public Builder pool(PoolConfig pool) {
            this.pool = Objects.requireNonNull(pool, "pool");
            return this;
        }

        public Builder http1(Http1Options http1) {
            this.http1 = Objects.requireNonNull(http1, "http1");
            return this;
        }

        /** How host names become addresses; default {@link Resolver#system()}. */
        public Builder resolver(Resolver resolver) {
            this.resolver = Objects.requireNonNull(resolver, "resolver");
            return this;
        }

        public Builder tcpNoDelay(boolean on) {
            socket.tcpNoDelay(on);
            return this;
        }

        public Builder keepAlive(boolean on) {
            socket.keepAlive(on);
            return this;
        }

        /**
         * How long a connect attempt may stay pending before the next resolved address is tried beside it
         * (Happy Eyeballs, RFC 8305; default 250 ms; ZERO tries every address at once). See {@link
         * SocketConfig.Builder#happyEyeballsDelay} and docs/connect.md.
         */
        public Builder happyEyeballsDelay(Duration delay) {
            socket.happyEyeballsDelay(delay);
            return this;
        }

        /**
         * RFC 8305 §3: how long an A answer waits for the AAAA one before the race starts over IPv4 (default
         * 50 ms), with a resolver that answers per family ({@link Resolver#dns()}). See {@link
         * SocketConfig.Builder#resolutionDelay} and docs/connect.md.
         */
        public Builder resolutionDelay(Duration delay) {
            socket.resolutionDelay(delay);
            return this;
        }

        /** TCP keepalive idle time before the first probe; null: the OS default (see docs/connect.md). */
        public Builder keepAliveIdle(@Nullable Duration idle) {
            socket.keepAliveIdle(idle);
            return this;
        }

        /** TCP keepalive interval between probes; null: the OS default. */
        public Builder keepAliveInterval(@Nullable Duration interval) {
            socket.keepAliveInterval(interval);
            return this;
        }

        /** TCP keepalive probes unanswered before the connection is dropped; 0: the OS default. */
        public Builder keepAliveCount(int count) {
            socket.keepAliveCount(count);
            return this;
        }

        public Builder localAddress(@Nullable InetAddress address) {
            socket.localAddress(address);
            return this;
        }

        /**
         * Sends every request of this engine over the Unix domain socket {@code path} (a local sidecar, Docker's
         * socket) instead of TCP; null, the default, for TCP. Nothing is resolved; the {@code Host} header, TLS
         * SNI and pooling still follow each request's URI. TLS over the socket works on the pooled and io-uring
         * runtimes; see docs/connect.md.
         */
        public Builder unixSocket(java.nio.file.@Nullable Path path) {
            socket.unixSocket(path);
            return this;
        }

        public Builder addressPreference(AddressPreference preference) {
            socket.addressPreference(preference);
            return this;
        }

        /** The clock pools use for idle and lifetime limits; inject one to test eviction without sleeping. */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        public EngineConfig build() {
            return new EngineConfig(this);
        }
    }
}
