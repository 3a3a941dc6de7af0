package io.aioduct.tls;

/** Every TLS behaviour of {@link TlsTest} again with the JDK's SSLEngine on the event-loop runtimes. */
class JdkProviderTlsTest extends TlsTest {
    @Override
    TlsProvider provider() {
        return TlsProvider.JDK;
    }
}
