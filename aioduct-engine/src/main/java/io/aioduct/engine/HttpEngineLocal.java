package io.aioduct.engine;

import io.aioduct.connect.ConnectorLocal;
import io.aioduct.pool.PoolStats;
import io.aioduct.runtime.RuntimeLocal;
import io.aioduct.tls.TlsLayer;
import java.util.List;
import java.util.Objects;

/**
 * An engine for a thread-per-core {@link RuntimeLocal} runtime and its {@link ConnectorLocal}: every
 * core owns its own connection pools, and a connection lives and dies on the core that opened it. A
 * request sent from a core stays on that core; a request from any other thread goes to the cores in
 * round-robin order ({@link RuntimeLocal#nextCore()}). Pool operations take no lock at all.
 *
 * <p>The ready pair is {@link io.aioduct.Aioduct#ioUring()}. Thread-safe to call from anywhere.
 *
 * <p>Inside, it is the engine core with the per-core pool topology and the loop exchange driver (see
 * {@code EngineCore}).
 *
 * @param <R> the runtime
 * @param <C> the connector
 */
public final class HttpEngineLocal<R extends RuntimeLocal, C extends ConnectorLocal> extends EngineCore {
    private final R runtime;
    private final C connector;
    private final LoopDriver driver;

    /** An engine over a runtime its caller keeps ownership of (and closes). */
    public HttpEngineLocal(R runtime, C connector, EngineConfig config) {
        this(runtime, connector, config, false);
    }

    /**
     * @param closeRuntime whether closing the engine also closes {@code runtime}
     */
    public HttpEngineLocal(R runtime, C connector, EngineConfig config, boolean closeRuntime) {
        super(Objects.requireNonNull(config, "config"), closeRuntime);
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.connector = Objects.requireNonNull(connector, "connector");
        TlsLayer tls = config.tls().layer(config.http2().enabled());
        Dialer dialer = new Dialer(config, connector, connector::connect, tls);
        this.driver = new LoopDriver(this, PoolTopology.perCore(this, runtime), dialer);
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

    /** Pool snapshots of one core: the connections it owns. */
    public List<PoolStats> poolStats(int core) {
        return driver.topology().stats(core);
    }

    @Override
    public String toString() {
        return "HttpEngineLocal[" + runtime.name() + ", " + runtime.cores() + " cores]";
    }
}
