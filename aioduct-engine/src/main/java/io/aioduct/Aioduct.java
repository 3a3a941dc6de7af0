package io.aioduct;

import io.aioduct.connect.BlockingTcpConnector;
import io.aioduct.connect.LocalTcpConnector;
import io.aioduct.connect.TcpConnector;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngineLocal;
import io.aioduct.engine.HttpEngineSend;
import io.aioduct.runtime.RuntimeUnavailableException;
import io.aioduct.runtime.pooled.PooledRuntime;
import io.aioduct.runtime.uring.IoUringRuntime;
import io.aioduct.runtime.virtual.VirtualThreadRuntime;

/**
 * Ready runtime + connector pairs, one call away. Each returns a new engine that owns its runtime:
 * closing the engine stops the runtime's threads.
 *
 * <pre>{@code
 * try (var engine = Aioduct.virtualThreads()) {
 *     AioductClient client = AioductClient.builder(engine).build();
 *     ...
 * }
 * }</pre>
 */
public final class Aioduct {
    private Aioduct() {}

    /** Pooled platform threads, Netty epoll (NIO where epoll is unavailable), one shared pool. */
    public static HttpEngineSend<PooledRuntime, TcpConnector> pooled() {
        return pooled(PooledRuntime.create(), EngineConfig.DEFAULT);
    }

    public static HttpEngineSend<PooledRuntime, TcpConnector> pooled(EngineConfig config) {
        return pooled(PooledRuntime.create(), config);
    }

    /** The pooled pair on a runtime built by the caller; the engine takes ownership of it. */
    public static HttpEngineSend<PooledRuntime, TcpConnector> pooled(PooledRuntime runtime, EngineConfig config) {
        return new HttpEngineSend<>(runtime, new TcpConnector(runtime), config, true);
    }

    /** One virtual thread per request doing blocking socket I/O; one shared pool. */
    public static HttpEngineSend<VirtualThreadRuntime, BlockingTcpConnector> virtualThreads() {
        return virtualThreads(EngineConfig.DEFAULT);
    }

    public static HttpEngineSend<VirtualThreadRuntime, BlockingTcpConnector> virtualThreads(EngineConfig config) {
        return new HttpEngineSend<>(VirtualThreadRuntime.create(), new BlockingTcpConnector(), config, true);
    }

    /**
     * io_uring thread-per-core: one event loop per core, each with its own pools.
     *
     * @throws RuntimeUnavailableException if io_uring cannot run here (the cause says why)
     */
    public static HttpEngineLocal<IoUringRuntime, LocalTcpConnector> ioUring() {
        return ioUring(IoUringRuntime.create(), EngineConfig.DEFAULT);
    }

    public static HttpEngineLocal<IoUringRuntime, LocalTcpConnector> ioUring(EngineConfig config) {
        return ioUring(IoUringRuntime.create(), config);
    }

    /** The io_uring pair on a runtime built by the caller (cores, epoll fallback); the engine takes ownership. */
    public static HttpEngineLocal<IoUringRuntime, LocalTcpConnector> ioUring(
            IoUringRuntime runtime, EngineConfig config) {
        return new HttpEngineLocal<>(runtime, new LocalTcpConnector(runtime), config, true);
    }
}
