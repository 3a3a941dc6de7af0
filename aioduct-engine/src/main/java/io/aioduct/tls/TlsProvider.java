package io.aioduct.tls;

/** Which TLS implementation the event-loop runtimes use. The virtual runtime always uses the JDK's. */
public enum TlsProvider {
    /** The JDK's SSLEngine. Always available. */
    JDK,
    /** BoringSSL through netty-tcnative; fails at engine start if its native library is not available. */
    OPENSSL,
    /** OPENSSL where its native library loads, JDK otherwise. */
    AUTO
}
