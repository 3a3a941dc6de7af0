package io.aioduct.spring.autoconfigure;

import io.aioduct.engine.HttpEngine;
import io.aioduct.runtime.RuntimeCompletion;
import io.aioduct.spring.http.SslBundleTls;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.ssl.SslBundle;

/**
 * The engine the starter closes with the context (and the runtime it runs on) when the starter created it, and
 * the TLS settings of the SSL bundles that Spring Boot's {@code HttpClientSettings} name for clients on it
 * ({@link #sslBundleTls()}).
 *
 * <p><b>SSL bundles.</b> TLS settings are part of the route a connection is pooled under, so one engine serves
 * every bundle: a client with a bundle gets the bundle's TLS settings on this engine (its threads, its pools),
 * and its connections are never shared with clients of other TLS settings. The engine's own bundle ({@code
 * aioduct.tls.bundle}) maps to the engine's own TLS settings.
 *
 * <p><b>Closing.</b> First, when the context stops, {@link AioductGracefulShutdownLifecycle} waits for the
 * requests in flight here (and closes the engine early if its budget runs out). Then Spring destroys this bean
 * after every bean that uses the engine (they all depend on it, or on the engine, which depends on it). The
 * engine closes within the grace period ({@code aioduct.shutdown.grace}), counted from the moment the context
 * closes, then its runtime, if the starter created them. An engine the application made is waited for but
 * never closed here. Thread-safe.
 */
final class ManagedEngines implements DisposableBean {
    /** The least a runtime gets to stop its threads, even when the grace period is used up. */
    private static final Duration RUNTIME_STOP = Duration.ofMillis(200);

    private final Duration grace;
    private @Nullable HttpEngine shared;
    private @Nullable SslBundle sharedBundle;
    private @Nullable SslBundleTls sslBundleTls;
    private boolean ownsShared;

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

    /** Waits for an engine the application made, which is not closed here. */
    synchronized ManagedEngines besides(HttpEngine engine) {
        this.shared = engine;
        return this;
    }

    /** The TLS settings of SSL bundles for clients on the engine; the same instance every time. */
    synchronized SslBundleTls sslBundleTls() {
        SslBundleTls b = sslBundleTls;
        if (b == null) {
            HttpEngine engine = shared;
            if (engine == null) {
                throw new IllegalStateException("no aioduct engine yet: no TLS settings for SSL bundles");
            }
            b = new SslBundleTls(engine.config().tls(), sharedBundle);
            sslBundleTls = b;
        }
        return b;
    }

    /** Exchanges in flight on the engine (also when the application made it, which is waited for, never closed, here). */
    synchronized long inFlight() {
        return shared == null ? 0 : shared.inFlight();
    }

    @Override
    public void destroy() {
        destroy(System.nanoTime() + grace.toNanos());
    }

    /** Closes as {@link #destroy()} does, within the grace period ending at {@code deadline} ({@link System#nanoTime}). */
    void destroy(long deadline) {
        HttpEngine owned;
        synchronized (this) {
            owned = ownsShared ? shared : null;
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
}
