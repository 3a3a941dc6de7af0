package io.aioduct.spring.autoconfigure;

import io.aioduct.tls.TlsConfig;
import java.util.List;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslManagerBundle;
import org.springframework.boot.ssl.SslOptions;

/**
 * A Spring Boot {@link SslBundle} as the engine's {@link TlsConfig}: the bundle's trust managers (the
 * JDK's trust store when the bundle has no trust store), its key managers when it has a key store (a
 * client certificate for mutual TLS, its {@code key.alias} honoured), and its enabled protocols and
 * ciphers. What the bundle leaves unset (versions, ciphers), the handshake timeout and the provider come
 * from {@code base}. Certificate and host name verification are on.
 *
 * <p>The bundle's {@code protocol} (the {@code SSLContext} algorithm, {@code TLS} unless set) is not used:
 * the enabled protocols decide the versions.
 */
final class SslBundleTls {
    private SslBundleTls() {}

    /**
     * @throws IllegalArgumentException if the bundle's material or options cannot be used (naming why)
     */
    static TlsConfig tlsConfig(SslBundle bundle, TlsConfig base) {
        TlsConfig.Builder b = TlsConfig.builder()
                .provider(base.provider())
                .handshakeTimeout(base.handshakeTimeout())
                .protocols(base.protocols());
        if (base.cipherSuites() != null) {
            b.cipherSuites(base.cipherSuites());
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
}
