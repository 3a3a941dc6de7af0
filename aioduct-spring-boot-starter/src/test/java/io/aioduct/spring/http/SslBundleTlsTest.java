package io.aioduct.spring.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import io.aioduct.testing.TlsMaterial;
import io.aioduct.tls.TlsConfig;
import org.junit.jupiter.api.Test;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleKey;
import org.springframework.boot.ssl.SslStoreBundle;

/** SSL bundles as the TLS settings of clients on one engine: one {@link TlsConfig} per bundle instance. */
class SslBundleTlsTest {
    private static final TlsMaterial TLS = TlsMaterial.shared();

    private static SslBundle trustingTheTestCa() {
        return SslBundle.of(SslStoreBundle.of(null, null, TLS.trustStore()));
    }

    @Test
    void aBundleGetsOneTlsConfigAndAnotherBundleAnother() {
        TlsConfig base = TlsConfig.builder().build();
        SslBundle engines = trustingTheTestCa();
        SslBundleTls bundles = new SslBundleTls(base, engines);
        SslBundle partner = trustingTheTestCa();
        SslBundle reloaded = trustingTheTestCa();

        TlsConfig tls = bundles.tlsFor(partner);
        assertThat(tls).isNotSameAs(base).isSameAs(bundles.tlsFor(partner));
        assertThat(tls.trust()).isNotNull();
        assertThat(tls.handshakeTimeout()).isEqualTo(base.handshakeTimeout());
        assertThat(bundles.tlsFor(reloaded))
                .as("another bundle instance, another TlsConfig: connections are never shared")
                .isNotSameAs(tls);
        assertThat(bundles.tlsFor(engines))
                .as("the engine's own bundle is the engine's own TLS settings")
                .isSameAs(base);
    }

    @Test
    void aBundleThatCannotConfigureTlsFailsNamingWhy() {
        SslBundle missingAlias = SslBundle.of(
                SslStoreBundle.of(TLS.keyStore(TLS.client()), TlsMaterial.KEY_STORE_PASSWORD, TLS.trustStore()),
                SslBundleKey.of(TlsMaterial.KEY_STORE_PASSWORD, "no-such-alias"));
        SslBundleTls bundles = new SslBundleTls(TlsConfig.DEFAULT);

        assertThatIllegalStateException()
                .isThrownBy(() -> bundles.tlsFor(missingAlias))
                .withMessageContaining("cannot configure aioduct's TLS")
                .withMessageContaining("no-such-alias");
    }
}
