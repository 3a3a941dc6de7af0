package io.aioduct.engine;

import io.aioduct.Origin;
import io.aioduct.connect.ChannelTransport;
import io.aioduct.connect.SocketTransport;
import io.aioduct.http1.ChannelConnection;
import io.aioduct.http1.SocketConnection;
import io.aioduct.http2.H2ChannelConnection;
import io.aioduct.http2.H2SocketConnection;
import io.aioduct.internal.BlockingConnection;
import io.aioduct.internal.LoopConnection;
import io.aioduct.pool.OriginPool;
import io.aioduct.pool.Ticker;
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
            EngineConfig config,
            ChannelTransport transport,
            Origin origin,
            OriginPool<LoopConnection> pool,
            Ticker ticker) {
        if (http2(config, origin, transport.applicationProtocol())) {
            return new H2ChannelConnection(
                    transport.channel(), pool, config.http2(), config.http1(), ticker.nanoTime());
        }
        return new ChannelConnection(transport.channel(), pool, config.http1(), ticker.nanoTime());
    }

    /** A blocking-socket connection; {@code callbacks} runs body callbacks off an HTTP/2 reader thread. */
    static BlockingConnection onSocket(
            EngineConfig config,
            SocketTransport transport,
            Origin origin,
            OriginPool<BlockingConnection> pool,
            Executor callbacks,
            Ticker ticker) {
        if (http2(config, origin, transport.applicationProtocol())) {
            return new H2SocketConnection(
                    transport, pool, config.http2(), config.http1(), callbacks, ticker.nanoTime());
        }
        return new SocketConnection(transport, pool, config.http1(), ticker.nanoTime());
    }
}
