package io.aioduct.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the TLS contexts a {@link TlsConfig} describes, once: a Netty {@link SslContext} for
 * event-loop transports and a JDK {@link SSLContext} for blocking sockets, both offering the same ALPN
 * protocols. Thread-safe; immutable after construction.
 */
final class TlsContexts {
    private static final Logger log = LoggerFactory.getLogger(TlsContexts.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private final TlsConfig config;
    private final List<String> alpn;
    private final SslContext netty;
    private final SSLContext jdk;
    private final SslProvider provider;

    TlsContexts(TlsConfig config, List<String> alpn) {
        this.config = config;
        this.alpn = List.copyOf(alpn);
        if (config.verificationDisabled() && WARNED.compareAndSet(false, true)) {
            log.warn("TLS certificate and host name verification is DISABLED (dangerouslyDisableVerification): "
                    + "any server can impersonate any host. Never use this outside tests.");
        }
        this.provider = switch (config.provider()) {
            case JDK -> SslProvider.JDK;
            case OPENSSL -> {
                if (!OpenSsl.isAvailable()) {
                    throw new IllegalStateException(
                            "TLS provider OPENSSL was asked for but BoringSSL is not available: "
                                    + OpenSsl.unavailabilityCause(),
                            OpenSsl.unavailabilityCause());
                }
                yield SslProvider.OPENSSL;
            }
            case AUTO -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        };
        try {
            this.netty = nettyContext();
            this.jdk = jdkContext();
        } catch (SSLException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** The protocols ALPN offers, in order of preference. */
    List<String> alpn() {
        return alpn;
    }

    /** The provider in use for event-loop transports. */
    String providerName() {
        return provider.name();
    }

    SslContext netty() {
        return netty;
    }

    SSLContext jdk() {
        return jdk;
    }

    /** SSL parameters for a blocking socket to {@code host}: SNI, verification, versions, ciphers, ALPN. */
    SSLParameters parameters(String host) {
        SSLParameters p = jdk.getDefaultSSLParameters();
        if (!config.verificationDisabled()) {
            p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        p.setProtocols(config.protocols().toArray(String[]::new));
        if (config.cipherSuites() != null) {
            p.setCipherSuites(config.cipherSuites().toArray(String[]::new));
        }
        p.setApplicationProtocols(alpn.toArray(String[]::new));
        if (!io.netty.util.NetUtil.isValidIpV4Address(host) && !io.netty.util.NetUtil.isValidIpV6Address(host)) {
            p.setServerNames(List.of(new javax.net.ssl.SNIHostName(host)));
        }
        return p;
    }

    private SslContext nettyContext() throws SSLException {
        SslContextBuilder b = SslContextBuilder.forClient()
                .sslProvider(provider)
                .protocols(config.protocols())
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        alpn));
        if (config.verificationDisabled()) {
            b.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
        } else {
            b.endpointIdentificationAlgorithm("HTTPS");
            if (config.trust() != null) {
                b.trustManager(config.trust());
            }
        }
        if (config.keys() != null) {
            b.keyManager(config.keys());
        }
        if (config.cipherSuites() != null) {
            b.ciphers(config.cipherSuites());
        }
        return b.build();
    }

    private SSLContext jdkContext() throws GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        TrustManager[] trust = config.verificationDisabled()
                ? new TrustManager[] {new TrustEverything()}
                : config.trust() != null ? config.trust().getTrustManagers() : null;
        ctx.init(config.keys() != null ? config.keys().getKeyManagers() : null, trust, null);
        return ctx;
    }

    static List<String> alpn(boolean http2) {
        return http2
                ? List.of(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1)
                : List.of(ApplicationProtocolNames.HTTP_1_1);
    }

    /** Accepts every certificate; only reachable through {@code dangerouslyDisableVerification()}. */
    private static final class TrustEverything extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    static @Nullable String nullIfEmpty(@Nullable String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
