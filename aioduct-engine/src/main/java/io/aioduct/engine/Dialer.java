package io.aioduct.engine;

import io.aioduct.Origin;
import io.aioduct.concurrent.Completions;
import io.aioduct.connect.BlockingTransport;
import io.aioduct.connect.LoopTransport;
import io.aioduct.connect.SocketConfig;
import io.aioduct.connect.Transport;
import io.aioduct.exchange.ExchangeEvents;
import io.aioduct.exchange.LoopConnection;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Resolving an origin and connecting to it, for both drivers and both pool topologies: the resolver
 * (never run on a loop), then the connector (TLS layered over it for https) with the socket settings. With a
 * Unix domain socket configured ({@link SocketConfig#unixSocket()}) nothing is resolved: the connector opens
 * the socket file.
 * It reports DNS events; failures go back raw, and {@link CheckoutFailures} maps them.
 *
 * <p>Threading: {@link #dial} is asynchronous and reports on the exchange's home; {@link #dialBlocking}
 * runs on the calling thread.
 */
final class Dialer {
    private final EngineConfig config;
    private final Object connector;
    private final Function<SocketConfig, CompletionStage<Transport>> plain;
    private final Function<SocketConfig, CompletionStage<Transport>> tls;

    /**
     * @param connector the user's connector, named in errors
     * @param plain its connect
     * @param tls the connect of the TLS connector layered over it
     */
    Dialer(
            EngineConfig config,
            Object connector,
            Function<SocketConfig, CompletionStage<Transport>> plain,
            Function<SocketConfig, CompletionStage<Transport>> tls) {
        this.config = config;
        this.connector = connector;
        this.plain = plain;
        this.tls = tls;
    }

    /**
     * Resolves and connects for a loop exchange, then calls {@code exchange.connected} (on the new
     * channel's loop, see {@link PoolHome#handOver}) or {@code exchange.connectFailed} (on the home).
     */
    void dial(Origin origin, long connectTimeoutNanos, LoopExchange exchange, PoolHome<LoopConnection> home) {
        ExchangeEvents ev = exchange.events();
        CompletionStage<List<InetAddress>> resolved;
        if (config.socket().unixSocket() != null) {
            resolved = CompletableFuture.completedFuture(List.of()); // nothing to resolve: a local socket file
        } else {
            ev.dnsStart(origin.host());
            resolved = config.resolver().resolve(origin.host());
        }
        resolved.whenComplete((addresses, failure) -> home.onHome(() -> {
            if (failure != null) {
                ev.dnsFailed(failure);
                exchange.connectFailed(failure);
                return;
            }
            if (config.socket().unixSocket() == null) {
                ev.dnsEnd(addresses);
            }
            // On the home: a per-core connector opens the channel on the calling core.
            CompletionStage<Transport> connecting;
            try {
                connecting = connect(origin, addresses, connectTimeoutNanos, ev);
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

    /** Resolves and connects on the calling thread, for a blocking exchange. */
    BlockingTransport dialBlocking(Origin origin, long connectTimeoutNanos, ExchangeEvents ev) {
        List<InetAddress> addresses = config.socket().unixSocket() != null ? List.of() : resolve(origin.host(), ev);
        Transport t = Completions.await(connect(origin, addresses, connectTimeoutNanos, ev));
        if (!(t instanceof BlockingTransport bt)) {
            t.close();
            throw new IllegalStateException("connector " + connector + " declared BLOCKING but returned " + t);
        }
        return bt;
    }

    private List<InetAddress> resolve(String host, ExchangeEvents events) {
        events.dnsStart(host);
        try {
            List<InetAddress> addresses = Completions.await(config.resolver().resolve(host));
            events.dnsEnd(addresses);
            return addresses;
        } catch (RuntimeException e) {
            events.dnsFailed(e);
            throw e;
        }
    }

    private CompletionStage<Transport> connect(
            Origin origin, List<InetAddress> addresses, long connectNanos, ExchangeEvents ev) {
        SocketConfig.Builder b = config.socket().toBuilder()
                .host(origin.host())
                .port(origin.port())
                .addresses(addresses)
                .connectTimeout(Duration.ofNanos(connectNanos));
        b.observer(ev);
        return (origin.secure() ? tls : plain).apply(b.build());
    }
}
