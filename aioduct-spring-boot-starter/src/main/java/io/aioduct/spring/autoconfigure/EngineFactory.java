package io.aioduct.spring.autoconfigure;

import io.aioduct.Aioduct;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.event.EventListener;
import io.aioduct.pool.PoolConfig;
import io.aioduct.protocol.Http2Options;
import io.aioduct.proxy.ProxyRouting;
import io.aioduct.runtime.RuntimePoll;
import io.aioduct.runtime.RuntimeUnavailableException;
import io.aioduct.runtime.compat.CompatRuntime;
import io.aioduct.runtime.pooled.PooledRuntime;
import io.aioduct.runtime.uring.IoUringRuntime;
import io.aioduct.runtime.virtual.VirtualThreadRuntime;
import io.aioduct.spring.http.SslBundleTls;
import io.aioduct.tls.TlsConfig;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.thread.Threading;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Creates the engine the properties ask for: picks the runtime ({@code aioduct.runtime.kind}, else the
 * virtual-threads switch, else pooled), puts it under a compat runtime if asked, builds its {@link
 * EngineConfig} (pool, HTTP/2, TLS from an SSL bundle) and logs the choice at INFO. The only place in the
 * starter that names a concrete runtime.
 */
final class EngineFactory {
    private static final Logger log = LoggerFactory.getLogger(EngineFactory.class);

    /** Present only when Netty's io_uring transport classes are on the classpath. */
    static final String IO_URING_CLASS = "io.netty.channel.uring.IoUring";

    private static final String TLS_BUNDLE = "aioduct.tls.bundle";

    /**
     * Thread names of a compat runtime's base: {@code aioduct-compat-worker-N} and {@code aioduct-compat-io-N}
     * (pooled), {@code aioduct-compat-N} (virtual). The compat runtime's own timer thread is {@code
     * aioduct-compat}.
     */
    static final String COMPAT_THREADS = "aioduct-compat";

    private final AioductProperties properties;
    private final Environment environment;
    private final @Nullable ClassLoader classLoader;
    private final @Nullable SslBundles sslBundles;
    private @Nullable SslBundle tlsBundle;
    private boolean tlsBundleResolved;
    private @Nullable ProxyRouting proxy;

    EngineFactory(
            AioductProperties properties,
            Environment environment,
            @Nullable ClassLoader classLoader,
            @Nullable SslBundles sslBundles) {
        this.properties = properties;
        this.environment = environment;
        this.classLoader = classLoader;
        this.sslBundles = sslBundles;
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
     * The default engine, as {@code aioduct.runtime.*} and {@code aioduct.compat.*} choose.
     *
     * @throws RuntimeUnavailableAtStartupException if io-uring was chosen and cannot run here
     */
    HttpEngine create(List<AioductEngineConfigCustomizer> customizers, List<AioductEngineObserver> observers) {
        return create(
                AioductClients.DEFAULT,
                kind(),
                properties.getRuntime().getThreads(),
                properties.getCompat().isEnabled(),
                reason(),
                customizers,
                observers);
    }

    /**
     * The engine of the named client {@code name} ({@code aioduct.clients.<name>.runtime.*}): never on a compat
     * runtime; every other setting as the default engine's.
     */
    HttpEngine createNamed(
            String name,
            AioductProperties.NamedRuntime runtime,
            List<AioductEngineConfigCustomizer> customizers,
            List<AioductEngineObserver> observers) {
        RuntimeKind kind = java.util.Objects.requireNonNull(runtime.getKind(), "runtime.kind"); // validated
        return create(
                name,
                kind,
                runtime.getThreads(),
                false,
                "aioduct.clients." + name + ".runtime.kind=" + kind,
                customizers,
                observers);
    }

    private HttpEngine create(
            String name,
            RuntimeKind kind,
            @Nullable Integer threads,
            boolean compat,
            String reason,
            List<AioductEngineConfigCustomizer> customizers,
            List<AioductEngineObserver> observers) {
        String runtimeTag = compat ? "compat" : kind.value();
        EngineConfig config = withObservers(engineConfig(customizers), observers, name, runtimeTag);
        String property = name.equals(AioductClients.DEFAULT) ? "aioduct" : "aioduct.clients." + name;
        HttpEngine engine = switch (kind) {
            case POOLED -> {
                PooledRuntime.Builder runtime = PooledRuntime.builder();
                if (threads != null) runtime.ioThreads(threads);
                if (compat) {
                    yield onCompat(runtime.threadNamePrefix(COMPAT_THREADS).build(), config);
                }
                yield Aioduct.pooled(runtime.build(), config);
            }
            case VIRTUAL -> {
                if (threads != null) {
                    log.info(
                            "{}.runtime.threads={} is ignored: the virtual runtime has no event loops",
                            property,
                            threads);
                }
                yield compat
                        ? onCompat(VirtualThreadRuntime.create(COMPAT_THREADS), config)
                        : Aioduct.virtualThreads(config);
            }
            case IO_URING -> {
                if (compat) {
                    // AioductPropertiesValidator refuses this pair first; kept for a kind chosen another way.
                    throw new IllegalStateException("aioduct.compat.enabled=true cannot run on "
                            + "aioduct.runtime.kind=io-uring; choose pooled or virtual");
                }
                yield ioUring(config, threads, property);
            }
        };
        try {
            observers.forEach(o -> o.engineCreated(name, runtimeTag, engine));
        } catch (RuntimeException e) {
            engine.close(java.time.Duration.ZERO);
            if (!engine.runtime().isClosed()) engine.runtime().close(java.time.Duration.ZERO);
            throw e;
        }
        log.info(
                "aioduct: {}{} runtime ({}) chosen by {}{}",
                name.equals(AioductClients.DEFAULT) ? "" : "client '" + name + "': ",
                kind,
                engine.runtime().name(),
                reason,
                compat ? ", under a compat runtime (aioduct.compat.enabled=true)" : "");
        return engine;
    }

    /**
     * {@code config} with the observers' listeners added after any listener a customizer set, as the
     * engine's {@link EventListener#composite}: each hears every event even if another throws.
     */
    private static EngineConfig withObservers(
            EngineConfig config, List<AioductEngineObserver> observers, String name, String runtimeTag) {
        List<EventListener> all = new ArrayList<>();
        all.add(config.eventListener());
        for (AioductEngineObserver o : observers) {
            all.add(o.eventListener(name, runtimeTag));
        }
        EventListener listener = EventListener.composite(all);
        return listener == config.eventListener()
                ? config
                : config.toBuilder().eventListener(listener).build();
    }

    /**
     * An engine on a compat runtime over {@code base}: the compat runtime owns {@code base}; the engine owns
     * neither ({@link CompatRuntime#engine}), so {@link ManagedEngines} stops the runtime after the engine.
     */
    private static HttpEngine onCompat(RuntimePoll base, EngineConfig config) {
        CompatRuntime runtime = CompatRuntime.builder().base(base).build();
        try {
            return runtime.engine(config);
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    private HttpEngine ioUring(EngineConfig config, @Nullable Integer threads, String property) {
        boolean fallback = properties.getRuntime().getIoUringFallback() == IoUringFallback.EPOLL;
        if (!ClassUtils.isPresent(IO_URING_CLASS, classLoader)) {
            throw new RuntimeUnavailableAtStartupException(
                    property + ".runtime.kind=io-uring cannot run: Netty's io_uring transport ("
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
                    property + ".runtime.kind=io-uring cannot run here (aioduct.runtime.io-uring-fallback="
                            + properties.getRuntime().getIoUringFallback() + "): " + e.getMessage(),
                    action,
                    e);
        }
    }

    /**
     * The SSL bundle {@code aioduct.tls.bundle} names, looked up once; null when unset.
     *
     * @throws InvalidConfigurationPropertyValueException if there is no such bundle, naming the ones there are
     */
    @Nullable
    SslBundle tlsBundle() {
        if (!tlsBundleResolved) {
            tlsBundle = resolveTlsBundle();
            tlsBundleResolved = true;
        }
        return tlsBundle;
    }

    private @Nullable SslBundle resolveTlsBundle() {
        String name = properties.getTls().getBundle();
        if (name == null) {
            return null;
        }
        if (sslBundles == null) {
            throw new InvalidConfigurationPropertyValueException(
                    TLS_BUNDLE,
                    name,
                    "there are no SSL bundles: Spring Boot's SSL auto-configuration (spring.ssl.bundle.*) is not active");
        }
        try {
            return sslBundles.getBundle(name);
        } catch (NoSuchSslBundleException e) {
            throw new InvalidConfigurationPropertyValueException(
                    TLS_BUNDLE,
                    name,
                    "no SSL bundle is named '" + name + "'; it must be one of the bundles defined under "
                            + "spring.ssl.bundle.jks.* or spring.ssl.bundle.pem.*: " + sslBundles.getBundleNames());
        }
    }

    /** What {@code aioduct.http2.*} sets, over the engine's defaults. */
    Http2Options http2() {
        AioductProperties.Http2 h = properties.getHttp2();
        return Http2Options.DEFAULT
                .withEnabled(h.isEnabled())
                .withPriorKnowledge(h.isPriorKnowledge())
                .withMaxConnectionsPerOrigin(h.getMaxConnectionsPerOrigin())
                .withMaxConcurrentStreams(h.getMaxConcurrentStreams())
                // Validated to fit an int (AioductPropertiesValidator).
                .withWindows((int) h.getStreamWindow().toBytes(), (int)
                        h.getConnectionWindow().toBytes())
                .withMaxFrameSize((int) h.getMaxFrameSize().toBytes())
                .withMaxHeaderListSize((int) h.getMaxHeaderListSize().toBytes())
                .withPing(h.getPingInterval(), h.getPingTimeout());
    }

    /** What {@code aioduct.tls.*} sets: the handshake timeout, and the bundle's material and options. */
    TlsConfig tls() {
        TlsConfig base = TlsConfig.builder()
                .handshakeTimeout(properties.getTls().getHandshakeTimeout())
                .build();
        SslBundle bundle = tlsBundle();
        if (bundle == null) {
            return base;
        }
        try {
            return SslBundleTls.tlsConfig(bundle, base);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationPropertyValueException(
                    TLS_BUNDLE,
                    properties.getTls().getBundle(),
                    "the SSL bundle cannot configure aioduct's TLS: " + e.getMessage());
        }
    }

    /** What {@code aioduct.proxy.*} chooses, decided (and logged) once for every engine. */
    ProxyRouting proxy() {
        if (proxy == null) {
            proxy = ProxyRoutingFactory.routing(
                    properties.getProxy(), () -> ProxyRoutingFactory.systemEnvironment(environment));
            if (proxy != ProxyRouting.DIRECT) {
                log.info("aioduct: proxy {}", ProxyRoutingFactory.describe(properties.getProxy(), proxy));
            }
        }
        return proxy;
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
        EngineConfig.Builder builder =
                EngineConfig.builder().pool(pool).http2(http2()).tls(tls()).proxy(proxy());
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
