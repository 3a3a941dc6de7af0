package io.aioduct.spring.http;

import io.aioduct.tls.TlsConfig;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslManagerBundle;
import org.springframework.boot.ssl.SslOptions;

/**
 * Spring Boot {@link SslBundle}s as the {@link TlsConfig}s of clients on one engine: the request-factory and
 * connector builders give a client whose {@code HttpClientSettings} carry a bundle ({@code
 * spring.http.clients.ssl.bundle}, a service group's bundle, or one given to a builder in code) the bundle's
 * TLS settings ({@code AioductClient.Builder.tls}), on the same engine, its threads and its pools. The TLS
 * settings are part of the route a connection is pooled under, so clients with different bundles never share
 * a connection, and clients with the same bundle do.
 *
 * <p>The same {@link TlsConfig} for the same bundle instance, made on first use ({@link TlsConfig}s are told
 * apart by identity, and each distinct one costs the engine its SSL contexts and pools); the engine's own
 * bundle ({@code aioduct.tls.bundle}) maps to the engine's own TLS settings. A bundle Spring Boot reloads is
 * a new instance: clients built after the reload get new TLS settings (new connections), those built before
 * keep theirs. Thread-safe.
 *
 * <p>The conversion ({@link #tlsConfig}): the bundle's trust managers (the JDK's trust store when the bundle
 * has no trust store), its key managers when it has a key store (a client certificate for mutual TLS, its
 * {@code key.alias} honoured), and its enabled protocols and ciphers. What the bundle leaves unset (versions,
 * ciphers), the handshake timeout and the provider come from the engine's TLS settings. Certificate and host
 * name verification are on. The bundle's {@code protocol} (the {@code SSLContext} algorithm, {@code TLS}
 * unless set) is not used: the enabled protocols decide the versions.
 */
public final class SslBundleTls {
    private final TlsConfig base;
    private final @Nullable SslBundle baseBundle;
    private final Map<SslBundle, TlsConfig> configs = new IdentityHashMap<>();

    /** Bundles over {@code base}, the TLS settings of the engine the clients run on. */
    public SslBundleTls(TlsConfig base) {
        this(base, null);
    }

    /**
     * Bundles over {@code base}, the TLS settings of the engine the clients run on, which {@code baseBundle}
     * (if not null) made: that bundle maps to {@code base} itself, so its clients share the engine's pools.
     */
    public SslBundleTls(TlsConfig base, @Nullable SslBundle baseBundle) {
        this.base = Objects.requireNonNull(base, "base");
        this.baseBundle = baseBundle;
    }

    /**
     * The TLS settings of {@code bundle}: the same instance every time for the same bundle instance.
     *
     * @throws IllegalStateException if the bundle cannot configure TLS (naming why)
     */
    public synchronized TlsConfig tlsFor(SslBundle bundle) {
        Objects.requireNonNull(bundle, "bundle");
        if (bundle == baseBundle) {
            return base;
        }
        TlsConfig tls = configs.get(bundle);
        if (tls == null) {
            try {
                tls = tlsConfig(bundle, base);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(
                        "the SSL bundle given to a Spring HTTP client (spring.http.clients.ssl.bundle, a service "
                                + "group's ssl.bundle, or in code) cannot configure aioduct's TLS: " + e.getMessage(),
                        e);
            }
            configs.put(bundle, tls);
        }
        return tls;
    }

    /**
     * {@code bundle} as a new {@link TlsConfig}, what it leaves unset taken from {@code base} (see the class
     * comment).
     *
     * @throws IllegalArgumentException if the bundle's material or options cannot be used (naming why)
     */
    public static TlsConfig tlsConfig(SslBundle bundle, TlsConfig base) {
        TlsConfig.Builder b = TlsConfig.builder()
                .provider(base.provider())
                .handshakeTimeout(base.handshakeTimeout())
                .protocols(base.protocols());
        List<String> baseCiphers = base.cipherSuites();
        if (baseCiphers != null) {
            b.cipherSuites(baseCiphers);
        }
        try {
            SslManagerBundle managers = bundle.getManagers();
            b.trustManagers(managers.getTrustManagerFactory());
            if (bundle.getStores().getKeyStore() != null) {
                b.clientKeyManagers(managers.getKeyManagerFactory());
            }
        } catch (IllegalStateException e) {
            // Spring Boot's managers fail this way on a missing key alias or an unreadable store.
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        SslOptions options = bundle.getOptions();
        String[] protocols = options.getEnabledProtocols();
        if (protocols != null) {
            b.protocols(List.of(protocols));
        }
        String[] ciphers = options.getCiphers();
        if (ciphers != null) {
            b.cipherSuites(List.of(ciphers));
        }
        return b.build();
    }

    @Override
    public synchronized String toString() {
        return "SslBundleTls[" + configs.size() + " bundles]";
    }
}
