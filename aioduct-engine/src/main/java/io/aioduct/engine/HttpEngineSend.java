package io.aioduct.engine;

import io.aioduct.connect.ConnectorSend;
import io.aioduct.connect.TransportKind;
import io.aioduct.runtime.RuntimePoll;
import io.aioduct.tls.TlsLayer;
import java.util.Objects;

/**
 * An engine for a {@link RuntimePoll} runtime and a thread-safe {@link ConnectorSend}: one connection
 * pool per origin, shared by every thread. How exchanges run follows the connector's {@link
 * TransportKind}: on event-loop transports they are asynchronous and hop onto the connection's loop;
 * on blocking transports each runs start to finish on one thread (the caller's for {@link #execute},
 * a freshly spawned one for {@link #send}).
 *
 * <p>The ready pairs are {@link io.aioduct.Aioduct#pooled()} (pooled runtime, epoll connector) and
 * {@link io.aioduct.Aioduct#virtualThreads()} (virtual-thread runtime, blocking connector); any other
 * runtime and connector can be combined with the constructors. Thread-safe.
 *
 * <p>Inside, it is the engine core with the shared pool topology and the loop or blocking exchange
 * driver (see {@code EngineCore}).
 *
 * @param <R> the runtime
 * @param <C> the connector
 */
public final class HttpEngineSend<R extends RuntimePoll, C extends ConnectorSend> extends EngineCore {
    private final R runtime;
    private final C connector;
    private final ExchangeDriver driver;

    /** An engine over a runtime its caller keeps ownership of (and closes). */
    public HttpEngineSend(R runtime, C connector, EngineConfig config) {
        this(runtime, connector, config, false);
    }

    /**
     * @param closeRuntime whether closing the engine also closes {@code runtime}
     */
    public HttpEngineSend(R runtime, C connector, EngineConfig config, boolean closeRuntime) {
        super(Objects.requireNonNull(config, "config"), closeRuntime);
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.connector = Objects.requireNonNull(connector, "connector");
        // Both transports speak HTTP/2 (H2LoopConnection on a loop, H2BlockingConnection on a blocking
        // socket), so ALPN offers h2 on either when it is enabled.
        TlsLayer tls = config.tls().layer(config.http2().enabled());
        Dialer dialer = new Dialer(config, connector, connector::connect, tls);
        this.driver = connector.kind() == TransportKind.BLOCKING
                ? new BlockingDriver(this, runtime, dialer)
                : new LoopDriver(this, PoolTopology.shared(this, runtime), dialer);
    }

    @Override
    public R runtime() {
        return runtime;
    }

    public C connector() {
        return connector;
    }

    @Override
    ExchangeDriver driver() {
        return driver;
    }

    @Override
    public String toString() {
        return "HttpEngineSend[" + runtime.name() + ", " + connector.getClass().getSimpleName() + "]";
    }
}
