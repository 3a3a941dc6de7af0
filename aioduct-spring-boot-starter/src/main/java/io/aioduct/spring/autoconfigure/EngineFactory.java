package io.aioduct.spring.autoconfigure;

import io.aioduct.Aioduct;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.pool.PoolConfig;
import io.aioduct.runtime.RuntimeUnavailableException;
import io.aioduct.runtime.pooled.PooledRuntime;
import io.aioduct.runtime.uring.IoUringRuntime;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.thread.Threading;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Creates the engine the properties ask for: picks the runtime ({@code aioduct.runtime.kind}, else the
 * virtual-threads switch, else pooled), builds its {@link EngineConfig} and logs the choice at INFO.
 * The only place in the starter that names a concrete runtime.
 */
final class EngineFactory {
    private static final Logger log = LoggerFactory.getLogger(EngineFactory.class);

    /** Present only when Netty's io_uring transport classes are on the classpath. */
    static final String IO_URING_CLASS = "io.netty.channel.uring.IoUring";

    private final AioductProperties properties;
    private final Environment environment;
    private final @Nullable ClassLoader classLoader;

    EngineFactory(AioductProperties properties, Environment environment, @Nullable ClassLoader classLoader) {
        this.properties = properties;
        this.environment = environment;
        this.classLoader = classLoader;
    }

    /** The runtime to run: the explicit property wins over {@code spring.threads.virtual.enabled}. */
    RuntimeKind kind() {
        RuntimeKind explicit = properties.getRuntime().getKind();
        if (explicit != null) {
            return explicit;
        }
        return Threading.VIRTUAL.isActive(environment) ? RuntimeKind.VIRTUAL : RuntimeKind.POOLED;
    }

    private String reason() {
        if (properties.getRuntime().getKind() != null) {
            return "aioduct.runtime.kind=" + properties.getRuntime().getKind();
        }
        return Threading.VIRTUAL.isActive(environment) ? "spring.threads.virtual.enabled=true" : "default";
    }

    /**
     * @throws RuntimeUnavailableAtStartupException if io-uring was chosen and cannot run here
     */
    HttpEngine create(List<AioductEngineConfigCustomizer> customizers) {
        EngineConfig config = engineConfig(customizers);
        RuntimeKind kind = kind();
        Integer threads = properties.getRuntime().getThreads();
        HttpEngine engine = switch (kind) {
            case POOLED -> {
                PooledRuntime.Builder runtime = PooledRuntime.builder();
                if (threads != null) runtime.ioThreads(threads);
                yield Aioduct.pooled(runtime.build(), config);
            }
            case VIRTUAL -> {
                if (threads != null) {
                    log.info("aioduct.runtime.threads={} is ignored: the virtual runtime has no event loops", threads);
                }
                yield Aioduct.virtualThreads(config);
            }
            case IO_URING -> ioUring(config, threads);
        };
        log.info("aioduct: {} runtime ({}) chosen by {}", kind, engine.runtime().name(), reason());
        return engine;
    }

    private HttpEngine ioUring(EngineConfig config, @Nullable Integer threads) {
        boolean fallback = properties.getRuntime().getIoUringFallback() == IoUringFallback.EPOLL;
        if (!ClassUtils.isPresent(IO_URING_CLASS, classLoader)) {
            throw new RuntimeUnavailableAtStartupException(
                    "aioduct.runtime.kind=io-uring cannot run: Netty's io_uring transport ("
                            + "io.netty:netty-transport-classes-io_uring) is not on the classpath",
                    "Add netty-transport-classes-io_uring and netty-transport-native-io_uring to the application, "
                            + "or set aioduct.runtime.kind to pooled or virtual (allowed: "
                            + RuntimeKind.allowedValues() + ")",
                    null);
        }
        try {
            return IoUringEngine.create(config, threads, fallback);
        } catch (RuntimeUnavailableException e) {
            String action = fallback
                    ? "Set aioduct.runtime.kind to pooled or virtual (allowed: " + RuntimeKind.allowedValues() + ")"
                    : "Set aioduct.runtime.io-uring-fallback=epoll to run thread-per-core on epoll, "
                            + "or set aioduct.runtime.kind to one of " + RuntimeKind.allowedValues();
            throw new RuntimeUnavailableAtStartupException(
                    "aioduct.runtime.kind=io-uring cannot run here (aioduct.runtime.io-uring-fallback="
                            + properties.getRuntime().getIoUringFallback() + "): " + e.getMessage(),
                    action,
                    e);
        }
    }

    EngineConfig engineConfig(List<AioductEngineConfigCustomizer> customizers) {
        AioductProperties.Pool p = properties.getPool();
        PoolConfig pool = PoolConfig.DEFAULT
                .withMaxConnectionsPerOrigin(p.getMaxConnectionsPerOrigin())
                .withMaxIdlePerOrigin(p.getMaxIdlePerOrigin())
                .withIdleTimeout(p.getIdleTimeout())
                .withMaxLifetime(p.getMaxLifetime())
                .withAcquireTimeout(p.getAcquireTimeout())
                .withMaxPendingAcquires(p.getMaxPendingAcquires());
        // HTTP/2 and TLS settings (aioduct.http2.*, aioduct.tls.*) map onto the builder here once the
        // engine has them.
        EngineConfig.Builder builder = EngineConfig.builder().pool(pool);
        customizers.forEach(c -> c.customize(builder));
        return builder.build();
    }

    /** Kept apart so that io_uring's classes load only when io-uring is chosen and present. */
    private static final class IoUringEngine {
        static HttpEngine create(EngineConfig config, @Nullable Integer threads, boolean fallback) {
            IoUringRuntime.Builder runtime = IoUringRuntime.builder().fallbackToEpoll(fallback);
            if (threads != null) runtime.cores(threads);
            return Aioduct.ioUring(runtime.build(), config);
        }
    }
}
