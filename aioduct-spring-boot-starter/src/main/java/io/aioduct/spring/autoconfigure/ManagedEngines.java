package io.aioduct.spring.autoconfigure;

import io.aioduct.connect.ConnectorLocal;
import io.aioduct.connect.ConnectorSend;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.engine.HttpEngineLocal;
import io.aioduct.engine.HttpEngineSend;
import io.aioduct.runtime.RuntimeCompletion;
import io.aioduct.runtime.RuntimeLocal;
import io.aioduct.runtime.RuntimePoll;
import io.aioduct.spring.http.SslBundleEngines;
import io.aioduct.tls.TlsConfig;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.ssl.SslBundle;

/**
 * The engines the starter closes with the context: the shared engine when the starter created it (and the
 * runtime it runs on), and one engine per SSL bundle that Spring Boot's {@code HttpClientSettings} name.
 *
 * <p><b>Bundle engines.</b> TLS is fixed per engine, so a bundle other than the one the shared engine was
 * built with ({@code aioduct.tls.bundle}) gets an engine of its own, made on first use: on the shared
 * engine's runtime (the same threads; on io-uring the same cores), with the shared engine's settings except
 * TLS, and with connection pools of its own, since its connections are not interchangeable with the
 * shared engine's. Every client built with the same bundle instance shares that engine; a bundle Spring
 * Boot reloads is a new instance, so clients built after the reload get a new engine while those built
 * before keep theirs.
 *
 * <p><b>Closing.</b> First, when the context stops, {@link AioductGracefulShutdownLifecycle} waits for the
 * requests in flight here (and closes these engines early if its budget runs out). Then Spring destroys this
 * bean after every bean that uses one of these engines (they all
 * depend on it, or on the shared engine, which depends on it). In-flight requests on every engine share one
 * grace period ({@code aioduct.shutdown.grace}), counted from the moment the context closes: the bundle
 * engines close first, then the shared engine and its runtime, if the starter created them. An engine the
 * application made is never closed here. Thread-safe.
 */
final class ManagedEngines implements SslBundleEngines, DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(ManagedEngines.class);
    /** The least a runtime gets to stop its threads, even when the grace period is used up. */
    private static final Duration RUNTIME_STOP = Duration.ofMillis(200);

    private final Duration grace;
    private final Map<SslBundle, HttpEngine> bundleEngines = new IdentityHashMap<>();
    private @Nullable HttpEngine shared;
    private @Nullable SslBundle sharedBundle;
    private boolean ownsShared;
    private boolean closed;

    ManagedEngines(Duration grace) {
        this.grace = grace;
    }

    /** Takes the engine the starter created: closed here, with its runtime; {@code bundle} gave it its TLS. */
    synchronized HttpEngine own(HttpEngine engine, @Nullable SslBundle bundle) {
        this.shared = engine;
        this.sharedBundle = bundle;
        this.ownsShared = true;
        return engine;
    }

    /** Makes bundle engines beside an engine the application made, which is not closed here. */
    synchronized ManagedEngines besides(HttpEngine engine) {
        this.shared = engine;
        return this;
    }

    @Override
    public synchronized HttpEngine engineFor(SslBundle bundle) {
        Objects.requireNonNull(bundle, "bundle");
        HttpEngine base = shared;
        if (base == null || closed || base.isClosed()) {
            throw new IllegalStateException("the aioduct engine is shut down: no engine for SSL bundle " + bundle);
        }
        if (bundle == sharedBundle) {
            return base;
        }
        HttpEngine engine = bundleEngines.get(bundle);
        if (engine == null) {
            TlsConfig tls;
            try {
                tls = SslBundleTls.tlsConfig(bundle, base.config().tls());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(
                        "the SSL bundle given to a Spring HTTP client (spring.http.clients.ssl.bundle, a service "
                                + "group's ssl.bundle, or in code) cannot configure aioduct's TLS: " + e.getMessage(),
                        e);
            }
            engine = onRuntimeOf(base, base.config().toBuilder().tls(tls).build());
            bundleEngines.put(bundle, engine);
            log.info(
                    "aioduct: an engine for an SSL bundle, on the shared runtime {}",
                    base.runtime().name());
        }
        return engine;
    }

    /** The engines made for bundles so far. */
    synchronized List<HttpEngine> bundleEngines() {
        return List.copyOf(bundleEngines.values());
    }

    /**
     * Exchanges in flight on every engine here: the shared one (also when the application made it, which is
     * waited for, never closed, here) and the bundle engines.
     */
    synchronized long inFlight() {
        long sum = shared == null ? 0 : shared.inFlight();
        for (HttpEngine e : bundleEngines.values()) {
            sum += e.inFlight();
        }
        return sum;
    }

    @Override
    public void destroy() {
        destroy(System.nanoTime() + grace.toNanos());
    }

    /** Closes as {@link #destroy()} does, within the grace period ending at {@code deadline} ({@link System#nanoTime}). */
    void destroy(long deadline) {
        List<HttpEngine> derived;
        HttpEngine owned;
        synchronized (this) {
            closed = true;
            derived = List.copyOf(bundleEngines.values());
            owned = ownsShared ? shared : null;
        }
        for (HttpEngine e : derived) {
            e.close(remaining(deadline, Duration.ZERO));
        }
        if (owned != null) {
            if (!owned.isClosed()) {
                owned.close(remaining(deadline, Duration.ZERO));
            }
            // An engine owns its runtime unless it runs on a compat runtime (CompatRuntime.engine), which the
            // starter made too: stop it after the engine.
            RuntimeCompletion runtime = owned.runtime();
            if (!runtime.isClosed()) {
                runtime.close(remaining(deadline, RUNTIME_STOP));
            }
        }
    }

    private static Duration remaining(long deadline, Duration atLeast) {
        Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        return left.compareTo(atLeast) < 0 ? atLeast : left;
    }

    /** An engine with {@code config} on {@code base}'s runtime and connector, not owning the runtime. */
    private static HttpEngine onRuntimeOf(HttpEngine base, EngineConfig config) {
        if (base instanceof HttpEngineSend<?, ?> send) {
            return send(send, config);
        }
        if (base instanceof HttpEngineLocal<?, ?> local) {
            return local(local, config);
        }
        throw new IllegalStateException("aioduct cannot make an engine for an SSL bundle beside " + base
                + ": only HttpEngineSend and HttpEngineLocal engines share their runtime. Give the application's "
                + "HttpEngine the bundle's TLS, or remove the SSL bundle from the Spring HTTP client settings");
    }

    private static <R extends RuntimePoll, C extends ConnectorSend> HttpEngine send(
            HttpEngineSend<R, C> base, EngineConfig config) {
        return new HttpEngineSend<>(base.runtime(), base.connector(), config, false);
    }

    private static <R extends RuntimeLocal, C extends ConnectorLocal> HttpEngine local(
            HttpEngineLocal<R, C> base, EngineConfig config) {
        return new HttpEngineLocal<>(base.runtime(), base.connector(), config, false);
    }
}
