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
import io.aioduct.http2.H2BlockingConnection;
import io.aioduct.http2.H2LoopConnection;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/** Chooses the protocol of a new connection and builds it; shared by both engines. */
final class Connections {
    private Connections() {}

    /** Whether a transport speaks HTTP/2: ALPN chose h2, or cleartext with prior knowledge. */
    static boolean http2(EngineConfig config, Origin origin, @Nullable String alpn) {
        if (origin.secure()) {
            return "h2".equals(alpn);
        }
        return config.http2().priorKnowledge();
    }

    static OriginPool.Multiplexing multiplexing(EngineConfig config, Origin origin) {
        return new OriginPool.Multiplexing(
                config.mayUseHttp2(origin), config.http2().maxConnectionsPerOrigin());
    }

    static LoopConnection onChannel(
            EngineCore engine, LoopTransport transport, Origin origin, OriginPool<LoopConnection> pool, int core) {
        EngineConfig config = engine.config;
        if (http2(config, origin, transport.applicationProtocol())) {
            return new H2LoopConnection(
                    transport.channel(),
                    pool,
                    config.http2(),
                    config.http1(),
                    config.ticker(),
                    tag(engine, origin, "h2", transport, core));
        }
        return new Http1LoopConnection(
                transport.channel(),
                pool,
                config.http1(),
                config.ticker(),
                tag(engine, origin, "http/1.1", transport, core));
    }

    private static ConnectionTag tag(EngineCore engine, Origin origin, String protocol, Transport t, int core) {
        return new ConnectionTag(
                engine.nextConnectionId(),
                origin,
                protocol,
                t.remoteAddress(),
                core,
                engine.events,
                engine.coreCounters());
    }

    /** A blocking-socket connection; {@code callbacks} runs body callbacks off an HTTP/2 reader thread. */
    static BlockingConnection onSocket(
            EngineCore engine,
            BlockingTransport transport,
            Origin origin,
            OriginPool<BlockingConnection> pool,
            Executor callbacks) {
        EngineConfig config = engine.config;
        if (http2(config, origin, transport.applicationProtocol())) {
            return new H2BlockingConnection(
                    transport,
                    pool,
                    config.http2(),
                    config.http1(),
                    callbacks,
                    config.ticker(),
                    tag(engine, origin, "h2", transport, -1));
        }
        return new Http1BlockingConnection(
                transport, config.http1(), config.ticker(), tag(engine, origin, "http/1.1", transport, -1));
    }
}
