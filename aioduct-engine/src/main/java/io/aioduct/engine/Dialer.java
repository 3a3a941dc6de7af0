package io.aioduct.engine;

import io.aioduct.Origin;
import io.aioduct.Request;
import io.aioduct.TimedOutException;
import io.aioduct.concurrent.Completions;
import io.aioduct.connect.BlockingTransport;
import io.aioduct.connect.ConnectorLocal;
import io.aioduct.connect.ConnectorSend;
import io.aioduct.connect.LoopTransport;
import io.aioduct.connect.Resolution;
import io.aioduct.connect.Resolver;
import io.aioduct.connect.SocketConfig;
import io.aioduct.connect.Transport;
import io.aioduct.exchange.ExchangeEvents;
import io.aioduct.exchange.LoopConnection;
import io.aioduct.proxy.Proxy;
import io.aioduct.proxy.ProxyConnectException;
import io.aioduct.tls.TlsConfig;
import io.aioduct.tls.TlsLayer;
import io.aioduct.tunnel.Tunnel;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Resolving and connecting for one {@link Route}, for both drivers and both pool topologies: the resolver
 * (never run on a loop), then the connector with the socket settings, then TLS for https. With a Unix domain
 * socket configured ({@link SocketConfig#unixSocket()}) nothing is resolved (and every route is direct): the
 * connector opens the socket file.
 *
 * <p>Through a proxy, the proxy's host is resolved and connected to (the proxy resolves the origin), so the
 * connector's address racing applies to the proxy; a failure there is a {@link ProxyConnectException}
 * {@code UNREACHABLE} naming the proxy (a connect timeout stays a {@link TimedOutException}). A tunnelled
 * route then opens the tunnel ({@link Tunnel#open}, within what is left of the connect timeout) and runs TLS
 * with the origin's name (SNI, host verification, ALPN) over it; a forwarding route stops at the proxy.
 *
 * <p>Resolving goes through {@link Resolver#resolveEach}: for a connector that {@link
 * ConnectorSend#takesLateAddresses() takes late addresses} (the built-in ones) the connect starts on the first
 * answer and the lookups still out ride along in {@link SocketConfig#resolving()} (RFC 8305 §3); any other
 * connector gets every address once every lookup answered, as before. {@code dnsEnd} reports the addresses
 * known when the connect starts.
 *
 * <p>It reports DNS events; other failures go back raw, and {@link CheckoutFailures} maps them. Threading:
 * {@link #dial} is asynchronous and reports on the exchange's home; {@link #dialBlocking} runs on the calling
 * thread.
 */
final class Dialer {
    private final EngineConfig config;
    private final Object connector;
    private final Function<SocketConfig, CompletionStage<Transport>> plain;
    private final TlsLayer tls;
    /**
     * The handshakes of the clients' own TLS settings ({@link Route#tls}), each made once, on first use (its
     * SSL contexts are costly), and kept for the engine's lifetime, like the pools keyed by the same settings.
     */
    private final ConcurrentHashMap<TlsConfig, TlsLayer> layers = new ConcurrentHashMap<>();
    /** Whether the connector's race takes addresses that arrive after it started (RFC 8305 §3). */
    private final boolean lateAddresses;

    /**
     * @param connector the user's connector, named in errors
     * @param plain its connect
     * @param tls the engine's TLS settings, run over a connection (direct or tunnelled) for https, unless
     *     the route names its own
     */
    Dialer(
            EngineConfig config,
            Object connector,
            Function<SocketConfig, CompletionStage<Transport>> plain,
            TlsLayer tls) {
        this.config = config;
        this.connector = connector;
        this.plain = plain;
        this.tls = tls;
        this.lateAddresses = connector instanceof ConnectorSend s
                ? s.takesLateAddresses()
                : connector instanceof ConnectorLocal l && l.takesLateAddresses();
    }

    /**
     * Resolves and connects for a loop exchange, then calls {@code exchange.connected} (on the new
     * channel's loop, see {@link PoolHome#handOver}) or {@code exchange.connectFailed} (on the home).
     */
    void dial(Route route, long connectTimeoutNanos, LoopExchange exchange, PoolHome<LoopConnection> home) {
        ExchangeEvents ev = exchange.events();
        String host = peerHost(route);
        long start = config.ticker().nanoTime();
        boolean unix = config.socket().unixSocket() != null;
        CompletionStage<List<InetAddress>> resolved;
        @Nullable Resolution resolution = null;
        if (unix) {
            resolved = CompletableFuture.completedFuture(List.of()); // nothing to resolve: a local socket file
        } else {
            ev.dnsStart(host);
            resolution = Resolution.start(config.resolver(), host);
            resolved = lateAddresses ? resolution.firstAnswer() : resolution.all();
        }
        @Nullable Resolution lookups = resolution;
        resolved.whenComplete((addresses, failure) -> home.onHome(() -> {
            if (failure != null) {
                ev.dnsFailed(failure);
                exchange.connectFailed(unreachable(route, failure));
                return;
            }
            if (!unix) {
                ev.dnsEnd(addresses);
            }
            // On the home: a per-core connector opens the channel on the calling core.
            CompletionStage<Transport> connecting;
            try {
                connecting =
                        connect(route, exchange.request, addresses, stillOut(lookups), start, connectTimeoutNanos, ev);
            } catch (RuntimeException e) {
                exchange.connectFailed(e);
                return;
            }
            connecting.whenComplete((t, e) -> {
                if (e != null) {
                    home.onHome(() -> exchange.connectFailed(e));
                } else if (t instanceof LoopTransport lt) {
                    home.handOver(lt.channel().eventLoop(), () -> exchange.connected(lt));
                } else {
                    t.close();
                    home.onHome(() -> exchange.connectFailed(new IllegalStateException(
                            "connector " + connector + " declared EVENT_LOOP but returned " + t)));
                }
            });
        }));
    }

    /** Resolves and connects on the calling thread, for a blocking exchange sending {@code request}. */
    BlockingTransport dialBlocking(Route route, Request request, long connectTimeoutNanos, ExchangeEvents ev) {
        long start = config.ticker().nanoTime();
        List<InetAddress> addresses = List.of();
        @Nullable Resolution lookups = null;
        try {
            if (config.socket().unixSocket() == null) {
                lookups = Resolution.start(config.resolver(), peerHost(route));
                addresses = resolve(lookups, ev);
            }
        } catch (RuntimeException e) {
            throw Completions.propagate(unreachable(route, e));
        }
        Transport t = Completions.await(
                connect(route, request, addresses, stillOut(lookups), start, connectTimeoutNanos, ev));
        if (!(t instanceof BlockingTransport bt)) {
            t.close();
            throw new IllegalStateException("connector " + connector + " declared BLOCKING but returned " + t);
        }
        return bt;
    }

    /** The host the connection itself goes to: the proxy's when there is one (it resolves the origin). */
    private static String peerHost(Route route) {
        Proxy proxy = route.proxy;
        return proxy != null ? proxy.host() : route.origin.host();
    }

    /** The lookups to hand the connector: null once every one has answered (or there were none). */
    private static @Nullable Resolution stillOut(@Nullable Resolution lookups) {
        return lookups == null || lookups.isComplete() ? null : lookups;
    }

    private List<InetAddress> resolve(Resolution lookups, ExchangeEvents events) {
        events.dnsStart(lookups.host());
        try {
            List<InetAddress> addresses = Completions.await(lateAddresses ? lookups.firstAnswer() : lookups.all());
            events.dnsEnd(addresses);
            return addresses;
        } catch (RuntimeException e) {
            events.dnsFailed(e);
            throw e;
        }
    }

    private CompletionStage<Transport> connect(
            Route route,
            Request request,
            List<InetAddress> addresses,
            @Nullable Resolution lookups,
            long start,
            long connectNanos,
            ExchangeEvents ev) {
        Origin origin = route.origin;
        Proxy proxy = route.proxy;
        TlsLayer layer;
        try {
            layer = origin.secure() ? tlsOf(route) : tls; // before connecting: nothing to close if it fails
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        ev.via(proxy);
        if (proxy == null) {
            SocketConfig socket = socket(origin.host(), origin.port(), addresses, lookups, connectNanos, ev);
            CompletionStage<Transport> connected = plain.apply(socket);
            return origin.secure() ? connected.thenCompose(t -> layer.handshake(t, socket)) : connected;
        }
        SocketConfig toProxy = socket(proxy.host(), proxy.port(), addresses, lookups, connectNanos, ev);
        CompletionStage<Transport> connected;
        try {
            connected = plain.apply(toProxy);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(unreachable(route, e));
        }
        connected = connected
                .handle((t, e) -> e == null
                        ? CompletableFuture.completedFuture(t)
                        : CompletableFuture.<Transport>failedFuture(unreachable(route, e)))
                .thenCompose(Function.identity());
        if (!route.tunnelled()) {
            return connected; // a forwarding proxy: requests go to it in absolute form
        }
        CompletionStage<Transport> tunnelled =
                connected.thenCompose(t -> openTunnel(t, route, request, start, connectNanos, ev));
        if (!origin.secure()) {
            return tunnelled;
        }
        // TLS with the origin, end to end through the tunnel: its name for SNI and verification, ALPN for h2.
        SocketConfig toOrigin =
                toProxy.toBuilder().host(origin.host()).port(origin.port()).build();
        return tunnelled.thenCompose(t -> layer.handshake(t, toOrigin));
    }

    /**
     * The handshake of the route's TLS settings: the engine's, or the client's own, made on first use.
     *
     * @throws IllegalArgumentException if the client's TLS settings cannot be set up (naming why)
     */
    private TlsLayer tlsOf(Route route) {
        TlsConfig own = route.tls;
        if (own == null) return tls;
        TlsLayer layer = layers.get(own);
        return layer != null
                ? layer
                : layers.computeIfAbsent(own, c -> c.layer(config.http2().enabled()));
    }

    /**
     * Opens the tunnel over {@code toProxy}. Its {@code CONNECT} carries the {@code Proxy-Authorization} of
     * {@code request} when it has one (the client's authenticator answered the proxy's 407 to an earlier
     * {@code CONNECT} so, see chain/Authentication; that field never reaches the origin), else the one the
     * proxy's own credentials make.
     */
    private CompletionStage<Transport> openTunnel(
            Transport toProxy, Route route, Request request, long start, long connectNanos, ExchangeEvents ev) {
        Proxy proxy = route.proxy;
        Origin origin = route.origin;
        try {
            return Tunnel.open(
                    toProxy,
                    proxy,
                    origin.host(),
                    origin.port(),
                    proxyAuthorization(route, request),
                    remaining(start, connectNanos),
                    ev);
        } catch (RuntimeException e) {
            toProxy.close();
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The {@code Proxy-Authorization} for a tunnel's {@code CONNECT}: {@code request}'s, else the proxy's own. */
    private static @Nullable String proxyAuthorization(Route route, Request request) {
        String answered = request.headers().first("Proxy-Authorization");
        return answered != null ? answered : route.proxyAuthorization();
    }

    /** What is left of the connect timeout for the tunnel's handshake; ZERO when there is no limit. */
    private Duration remaining(long start, long connectNanos) {
        if (connectNanos == 0) return Duration.ZERO;
        long left = connectNanos - (config.ticker().nanoTime() - start);
        return Duration.ofNanos(Math.max(1, left)); // spent: the tunnel times out at once
    }

    private SocketConfig socket(
            String host,
            int port,
            List<InetAddress> addresses,
            @Nullable Resolution lookups,
            long connectNanos,
            ExchangeEvents ev) {
        SocketConfig.Builder b = config.socket().toBuilder()
                .host(host)
                .port(port)
                .addresses(addresses)
                .resolving(lookups)
                .connectTimeout(Duration.ofNanos(connectNanos));
        b.observer(ev);
        return b.build();
    }

    /**
     * A failure to resolve or reach the proxy, as a {@link ProxyConnectException} naming it (host and port,
     * never its credentials); direct routes and timeouts keep their failure.
     */
    private static Throwable unreachable(Route route, Throwable failure) {
        Proxy proxy = route.proxy;
        Throwable t = Completions.unwrap(failure);
        if (proxy == null || t instanceof TimedOutException || t instanceof ProxyConnectException) {
            return failure;
        }
        return new ProxyConnectException(
                proxy,
                ProxyConnectException.Reason.UNREACHABLE,
                -1,
                "cannot reach the " + proxy.type() + " proxy " + address(proxy) + " (for " + route.origin + "): " + t,
                t);
    }

    /** {@code host:port}, an IPv6 literal in brackets: the proxy without its credentials. */
    static String address(Proxy proxy) {
        String host = proxy.host();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + proxy.port();
    }
}
