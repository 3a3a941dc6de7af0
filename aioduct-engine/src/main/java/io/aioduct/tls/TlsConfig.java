package io.aioduct.tls;

import io.aioduct.connect.ConnectorLocal;
import io.aioduct.connect.ConnectorSend;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * What TLS trusts and presents: trust material (the JDK's default trust store unless given), an
 * optional client certificate for mutual TLS, protocol versions, cipher suites, the handshake timeout
 * and the provider. Certificate and host name verification are always on, except through the one
 * option whose name says it is dangerous. Immutable; trust and key material are loaded when built, so
 * a bad file fails here, naming it.
 */
public final class TlsConfig {
    /** System trust, TLS 1.2 and 1.3, 10 s handshake timeout, provider AUTO (BoringSSL where it loads). */
    public static final TlsConfig DEFAULT = builder().build();

    private final @Nullable TrustManagerFactory trust;
    private final @Nullable KeyManagerFactory keys;
    private final List<String> protocols;
    private final @Nullable List<String> cipherSuites;
    private final Duration handshakeTimeout;
    private final TlsProvider provider;
    private final boolean insecure;

    private TlsConfig(Builder b) {
        this.trust = b.trust;
        this.keys = b.keys;
        this.protocols = List.copyOf(b.protocols);
        this.cipherSuites = b.cipherSuites == null ? null : List.copyOf(b.cipherSuites);
        this.handshakeTimeout = b.handshakeTimeout;
        this.provider = b.provider;
        this.insecure = b.insecure;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The trust managers, or null for the JDK's default trust store. */
    public @Nullable TrustManagerFactory trust() {
        return trust;
    }

    /** The client certificate's key managers, or null when no client certificate is presented. */
    public @Nullable KeyManagerFactory keys() {
        return keys;
    }

    /** The enabled protocol versions, e.g. {@code [TLSv1.3, TLSv1.2]}. */
    public List<String> protocols() {
        return protocols;
    }

    /** The enabled cipher suites, or null for the provider's defaults. */
    public @Nullable List<String> cipherSuites() {
        return cipherSuites;
    }

    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    public TlsProvider provider() {
        return provider;
    }

    /** Whether certificate and host name verification are turned off. */
    public boolean verificationDisabled() {
        return insecure;
    }

    /** Builds a {@link TlsConfig}. Not thread-safe. */
    public static final class Builder {
        private static final List<String> ALL_VERSIONS = List.of("TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1");

        private @Nullable TrustManagerFactory trust;
        private @Nullable KeyManagerFactory keys;
        private List<String> protocols = List.of("TLSv1.3", "TLSv1.2");
        private @Nullable List<String> cipherSuites;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private TlsProvider provider = TlsProvider.AUTO;
        private boolean insecure;

        private Builder() {}

        /**
         * Trusts the certificates in a PEM file (one or more {@code CERTIFICATE} blocks) instead of the
         * JDK's default trust store.
         */
        public Builder trustPem(Path pemFile) {
            Objects.requireNonNull(pemFile, "pemFile");
            try (InputStream in = Files.newInputStream(pemFile)) {
                return trustCertificates(readCertificates(in, pemFile.toString()));
            } catch (IOException e) {
                throw new IllegalArgumentException(
                        "cannot read trusted certificates from " + pemFile + ": " + e.getMessage(), e);
            }
        }

        /** Trusts exactly these certificates. */
        public Builder trustCertificates(Collection<X509Certificate> certificates) {
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("trustCertificates: no certificates given");
            }
            try {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                int i = 0;
                for (X509Certificate c : certificates) {
                    store.setCertificateEntry("trusted-" + i++, c);
                }
                return trustStore(store);
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalArgumentException("cannot build a trust store: " + e.getMessage(), e);
            }
        }

        /** Trusts the certificates of a key store. */
        public Builder trustStore(KeyStore store) {
            Objects.requireNonNull(store, "store");
            try {
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(store);
                this.trust = tmf;
                return this;
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot use the trust store: " + e.getMessage(), e);
            }
        }

        /**
         * Trusts what {@code factory}'s trust managers trust, instead of the JDK's default trust store: for
         * trust material that arrives ready-made (a framework's SSL bundle, a custom trust manager).
         * Certificate and host name verification stay on.
         */
        public Builder trustManagers(TrustManagerFactory factory) {
            this.trust = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * Presents a client certificate (mutual TLS) from PEM files: the certificate chain, and its
         * PKCS#8 private key ({@code BEGIN PRIVATE KEY}, or {@code BEGIN ENCRYPTED PRIVATE KEY} with a
         * password).
         */
        public Builder clientCertificatePem(Path chainPem, Path keyPem, char @Nullable [] keyPassword) {
            Objects.requireNonNull(chainPem, "chainPem");
            Objects.requireNonNull(keyPem, "keyPem");
            List<X509Certificate> chain;
            try (InputStream in = Files.newInputStream(chainPem)) {
                chain = readCertificates(in, chainPem.toString());
            } catch (IOException e) {
                throw new IllegalArgumentException(
                        "cannot read the client certificate " + chainPem + ": " + e.getMessage(), e);
            }
            PrivateKey key = PemKeys.read(keyPem, keyPassword);
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                char[] pw = new char[0];
                store.setKeyEntry("client", key, pw, chain.toArray(new Certificate[0]));
                return clientKeyStore(store, pw);
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalArgumentException(
                        "cannot use the client certificate " + chainPem + ": " + e.getMessage(), e);
            }
        }

        /** Presents the client certificate held in a key store (mutual TLS). */
        public Builder clientKeyStore(KeyStore store, char[] password) {
            Objects.requireNonNull(store, "store");
            try {
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(store, password);
                this.keys = kmf;
                return this;
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot use the client key store: " + e.getMessage(), e);
            }
        }

        /** Presents the client certificate {@code factory}'s key managers choose (mutual TLS). */
        public Builder clientKeyManagers(KeyManagerFactory factory) {
            this.keys = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /** The oldest protocol version to accept, e.g. {@code "TLSv1.3"}; default TLSv1.2. */
        public Builder minVersion(String version) {
            int i = ALL_VERSIONS.indexOf(version);
            if (i < 0) {
                throw new IllegalArgumentException("unknown TLS version '" + version + "'; use one of " + ALL_VERSIONS);
            }
            this.protocols = List.copyOf(ALL_VERSIONS.subList(0, i + 1));
            return this;
        }

        /** Exactly these protocol versions. */
        public Builder protocols(List<String> versions) {
            if (versions.isEmpty()) throw new IllegalArgumentException("protocols: at least one version is needed");
            for (String v : versions) {
                if (!ALL_VERSIONS.contains(v)) {
                    throw new IllegalArgumentException("unknown TLS version '" + v + "'; use some of " + ALL_VERSIONS);
                }
            }
            this.protocols = List.copyOf(versions);
            return this;
        }

        /** Exactly these cipher suites (JDK names); default: the provider's. */
        public Builder cipherSuites(List<String> suites) {
            if (suites.isEmpty()) throw new IllegalArgumentException("cipherSuites: at least one suite is needed");
            this.cipherSuites = List.copyOf(suites);
            return this;
        }

        public Builder handshakeTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "handshakeTimeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("handshakeTimeout must be positive, was " + timeout);
            }
            this.handshakeTimeout = timeout;
            return this;
        }

        /**
         * The TLS implementation of the event-loop runtimes; default {@link TlsProvider#AUTO}: BoringSSL
         * when netty-tcnative is on the class path (its handshake costs a third of the JDK's, see
         * docs/http2-and-tls.md), the JDK's otherwise.
         */
        public Builder provider(TlsProvider provider) {
            this.provider = Objects.requireNonNull(provider, "provider");
            return this;
        }

        /**
         * Turns off certificate and host name verification: any server, presenting any certificate,
         * is accepted. Only for tests against servers with throwaway certificates; it defeats TLS's
         * protection against impersonation. Logged as a warning once per process.
         */
        public Builder dangerouslyDisableVerification() {
            this.insecure = true;
            return this;
        }

        public TlsConfig build() {
            return new TlsConfig(this);
        }

        private static List<X509Certificate> readCertificates(InputStream in, String source) {
            try {
                List<X509Certificate> out = new ArrayList<>();
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    out.add((X509Certificate) c);
                }
                if (out.isEmpty()) {
                    throw new IllegalArgumentException(source + " holds no certificates");
                }
                return out;
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException(source + " does not hold PEM certificates: " + e.getMessage(), e);
            }
        }
    }

    static UncheckedIOException unchecked(IOException e) {
        return new UncheckedIOException(e);
    }

    /**
     * A connector that opens TLS over {@code plain}'s connections with these settings, for {@code https}
     * origins: the handshake runs on the connection's own thread, and ALPN offers {@code h2} (before
     * {@code http/1.1}) when {@code offerHttp2}. The engine layers one over its connector by itself; a
     * custom runtime or connector gets TLS the same way. Thread-safe, like {@code plain}.
     */
    public ConnectorSend layeredOver(ConnectorSend plain, boolean offerHttp2) {
        return layeredOver(plain, layer(offerHttp2));
    }

    /** {@link #layeredOver(ConnectorSend, boolean)} sharing {@code layer} (made by {@link #layer}). */
    public ConnectorSend layeredOver(ConnectorSend plain, TlsLayer layer) {
        return new TlsConnector(plain, layer);
    }

    /** {@link #layeredOver(ConnectorSend, boolean)} for a thread-per-core runtime's {@link ConnectorLocal}. */
    public ConnectorLocal layeredOverLocal(ConnectorLocal plain, boolean offerHttp2) {
        return layeredOverLocal(plain, layer(offerHttp2));
    }

    /** {@link #layeredOverLocal(ConnectorLocal, boolean)} sharing {@code layer} (made by {@link #layer}). */
    public ConnectorLocal layeredOverLocal(ConnectorLocal plain, TlsLayer layer) {
        return new TlsConnectorLocal(plain, layer);
    }

    /**
     * The handshake with these settings, to run over a transport that is already connected (a tunnel
     * through a proxy); ALPN offers {@code h2} (before {@code http/1.1}) when {@code offerHttp2}.
     *
     * @throws IllegalArgumentException if the TLS settings cannot be set up (naming why)
     */
    public TlsLayer layer(boolean offerHttp2) {
        return new TlsLayer(this, offerHttp2);
    }
}
