package io.aioduct.engine;

import io.aioduct.Origin;
import io.aioduct.connect.BlockingTransport;
import io.aioduct.connect.LoopTransport;
import io.aioduct.connect.Transport;
import io.aioduct.exchange.BlockingConnection;
import io.aioduct.exchange.ConnectionTag;
import io.aioduct.exchange.LoopConnection;
import io.aioduct.http1.Http1BlockingConnection;
import io.aioduct.http1.Http1LoopConnection;
import io.aioduct.http1.Http1Route;
import io.aioduct.http2.H2BlockingConnection;
import io.aioduct.http2.H2LoopConnection;
import io.aioduct.proxy.Proxy;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/** Chooses the protocol of a new connection and builds it; shared by both engines. */
final class Connections {
    private Connections() {}

    /**
     * Whether a transport speaks HTTP/2: ALPN chose h2, or cleartext with prior knowledge, which a
     * forwarding proxy never gets: it speaks HTTP/1.1 for the origin (tunnel with {@code
     * Proxy.tunnellingAll()} to have h2c reach the origin).
     */
    static boolean http2(EngineConfig config, Route route, @Nullable String alpn) {
        if (route.origin.secure()) {
            return "h2".equals(alpn);
        }
        return config.http2().priorKnowledge() && !route.forwarding();
    }

    static OriginPool.Multiplexing multiplexing(EngineConfig config, Route route) {
        return new OriginPool.Multiplexing(
                config.mayUseHttp2(route.origin) && !route.forwarding(),
                config.http2().maxConnectionsPerOrigin());
    }

    /** How HTTP/1.1 requests are written on the route: to the origin, or in absolute form to the proxy. */
    private static Http1Route http1Route(Route route) {
        return route.forwarding() ? Http1Route.forwardingProxy(route.proxyAuthorization()) : Http1Route.ORIGIN;
    }

    static LoopConnection onChannel(
            EngineCore engine, LoopTransport transport, Route route, OriginPool<LoopConnection> pool, int core) {
        EngineConfig config = engine.config;
        if (http2(config, route, transport.applicationProtocol())) {
            return new H2LoopConnection(
                    transport.channel(),
                    pool,
                    config.http2(),
                    config.http1(),
                    config.ticker(),
                    tag(engine, route, "h2", transport, core));
        }
        return new Http1LoopConnection(
                transport.channel(),
                pool,
                config.http1(),
                config.ticker(),
                tag(engine, route, "http/1.1", transport, core),
                http1Route(route));
    }

    private static ConnectionTag tag(EngineCore engine, Route route, String protocol, Transport t, int core) {
        Proxy proxy = route.proxy;
        Origin origin = route.origin;
        return new ConnectionTag(
                engine.nextConnectionId(),
                origin,
                protocol,
                t.remoteAddress(),
                core,
                proxy == null ? null : proxy.toString(),
                route.tunnelled(),
                engine.events,
                engine.coreCounters());
    }

    /** A blocking-socket connection; {@code callbacks} runs body callbacks off an HTTP/2 reader thread. */
    static BlockingConnection onSocket(
            EngineCore engine,
            BlockingTransport transport,
            Route route,
            OriginPool<BlockingConnection> pool,
            Executor callbacks) {
        EngineConfig config = engine.config;
        if (http2(config, route, transport.applicationProtocol())) {
            return new H2BlockingConnection(
                    transport,
                    pool,
                    config.http2(),
                    config.http1(),
                    callbacks,
                    config.ticker(),
                    tag(engine, route, "h2", transport, -1));
        }
        return new Http1BlockingConnection(
                transport,
                config.http1(),
                config.ticker(),
                tag(engine, route, "http/1.1", transport, -1),
                http1Route(route));
    }
}
