package io.aioduct.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.spring.testing.NoLeaks;
import io.aioduct.testing.TlsMaterial;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.io.support.SpringFactoriesLoader;

/**
 * A bad {@code aioduct.*} value fails start-up, and the failure names the property and what it allows;
 * so does a runtime that cannot run here.
 */
class BadPropertiesTest extends NoLeaks {

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(AioductAutoConfiguration.class));

    private static AbstractThrowableAssert<?, ? extends Throwable> assertFailure(AssertableApplicationContext context) {
        assertThat(context).hasFailed();
        return assertThat(context.getStartupFailure());
    }

    @Test
    void anUnknownRuntimeKindNamesThePropertyAndTheAllowedValues() {
        runner.withPropertyValues("aioduct.runtime.kind=green-threads")
                .run(context -> assertFailure(context)
                        .rootCause()
                        .hasMessageContaining("aioduct.runtime.kind")
                        .hasMessageContaining("green-threads")
                        .hasMessageContaining("pooled, virtual, io-uring"));
    }

    @ParameterizedTest
    @CsvSource({
        "aioduct.timeouts.connect, -1s",
        "aioduct.timeouts.response, -5ms",
        "aioduct.timeouts.read, -1m",
        "aioduct.timeouts.total, -2s",
        "aioduct.pool.idle-timeout, -1s",
        "aioduct.pool.max-lifetime, -1s",
        "aioduct.pool.acquire-timeout, -1s",
        "aioduct.shutdown.grace, -1s"
    })
    void aNegativeDurationNamesTheProperty(String property, String value) {
        runner.withPropertyValues(property + "=" + value)
                .run(context -> assertFailure(context)
                        .rootCause()
                        .hasMessageContaining(property + " must not be negative")
                        .hasMessageContaining(
                                property.equals("aioduct.shutdown.grace") ? "0 fails in-flight" : "0 means no limit"));
    }

    @ParameterizedTest
    @CsvSource({
        "aioduct.runtime.threads, 0, must be at least 1",
        "aioduct.pool.max-connections-per-origin, 0, must be at least 1",
        "aioduct.pool.max-idle-per-origin, -1, must be 0 or more",
        "aioduct.pool.max-pending-acquires, -1, must be 0 or more",
        "aioduct.max-buffered-body-size, -1B, must be 0 or more",
        "aioduct.redirects.max-hops, -1, must be 0 or more"
    })
    void anOutOfRangeNumberNamesThePropertyAndItsRange(String property, String value, String rule) {
        runner.withPropertyValues(property + "=" + value)
                .run(context -> assertFailure(context).rootCause().hasMessageContaining(property + " " + rule));
    }

    @ParameterizedTest
    @CsvSource({
        "aioduct.http2.stream-window, 0B, be between 65535 bytes (64KB - 1 byte) and 2147483647 bytes (2GB - 1 byte)",
        "aioduct.http2.stream-window, -1MB, be between 65535 bytes (64KB - 1 byte) and 2147483647 bytes (2GB - 1 byte)",
        "aioduct.http2.stream-window, 65534B, be between 65535 bytes (64KB - 1 byte) and 2147483647 bytes (2GB - 1 byte)",
        "aioduct.http2.connection-window, 0B, be between 65535 bytes (64KB - 1 byte) and 2147483647 bytes (2GB - 1 byte)",
        "aioduct.http2.connection-window, 2GB, be between 65535 bytes (64KB - 1 byte) and 2147483647 bytes (2GB - 1 byte)",
        "aioduct.http2.max-frame-size, 1KB, be between 16384 bytes (16KB) and 16777215 bytes (16MB - 1 byte)",
        "aioduct.http2.max-frame-size, 16MB, be between 16384 bytes (16KB) and 16777215 bytes (16MB - 1 byte)",
        "aioduct.http2.max-header-list-size, 0B, be between 1 byte and 2147483647 bytes (2GB - 1 byte)",
        "aioduct.http2.max-concurrent-streams, 0, be at least 1",
        "aioduct.http2.max-connections-per-origin, -1, be at least 1",
        "aioduct.http2.ping-interval, -1s, not be negative (0 turns keep-alive PINGs off)",
        "aioduct.http2.ping-timeout, 0s, be positive",
        "aioduct.tls.handshake-timeout, 0s, be positive",
        "aioduct.tls.bundle, ' ', name an SSL bundle (spring.ssl.bundle.*)"
    })
    void anHttp2OrTlsValueOutOfRangeNamesThePropertyAndWhatItAllows(String property, String value, String rule) {
        runner.withPropertyValues(property + "=" + value)
                .run(context -> assertFailure(context).rootCause().hasMessageContaining(property + " must " + rule));
    }

    @Test
    void compatOnIoUringFailsNamingBothProperties() {
        runner.withPropertyValues("aioduct.runtime.kind=io-uring", "aioduct.compat.enabled=true")
                .run(context -> assertFailure(context)
                        .rootCause()
                        .hasMessageContaining("aioduct.compat.enabled=true cannot run on aioduct.runtime.kind=io-uring")
                        .hasMessageContaining("pooled or virtual"));
    }

    @Test
    void theCompatTaskExecutorWithoutCompatFailsNamingBothProperties() {
        runner.withPropertyValues("aioduct.compat.task-executor=true")
                .run(context -> assertFailure(context)
                        .rootCause()
                        .hasMessageContaining("aioduct.compat.task-executor=true needs aioduct.compat.enabled=true"));
    }

    @Test
    void anUnknownSslBundleNamesThePropertyAndTheBundlesThereAre() {
        runner.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class))
                .withPropertyValues(
                        "aioduct.tls.bundle=corprate",
                        "spring.ssl.bundle.pem.corporate.truststore.certificate=file:"
                                + TlsMaterial.shared().caCertificatePem())
                .run(context -> {
                    assertFailure(context)
                            .rootCause()
                            .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                            .hasMessageContaining("aioduct.tls.bundle")
                            .hasMessageContaining("corprate")
                            .hasMessageContaining("[corporate]");
                    FailureAnalysis analysis = analyze(context.getStartupFailure());
                    assertThat(analysis.getDescription())
                            .contains("'aioduct.tls.bundle'")
                            .contains("no SSL bundle is named 'corprate'");
                });
    }

    @Test
    void anSslBundleWithoutSpringBootsSslSupportFailsNamingTheProperty() {
        runner.withPropertyValues("aioduct.tls.bundle=corporate")
                .run(context -> assertFailure(context)
                        .rootCause()
                        .hasMessageContaining("aioduct.tls.bundle")
                        .hasMessageContaining("there are no SSL bundles"));
    }

    @Test
    void anSslBundleWithAVersionTheEngineDoesNotKnowFailsNamingTheProperty() {
        runner.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class))
                .withPropertyValues(
                        "aioduct.tls.bundle=old",
                        "spring.ssl.bundle.pem.old.truststore.certificate=file:"
                                + TlsMaterial.shared().caCertificatePem(),
                        "spring.ssl.bundle.pem.old.options.enabled-protocols=SSLv3")
                .run(context -> assertFailure(context)
                        .rootCause()
                        .hasMessageContaining("aioduct.tls.bundle")
                        .hasMessageContaining("unknown TLS version 'SSLv3'"));
    }

    @Test
    void anIllegalDefaultHeaderNamesIt() {
        runner.withPropertyValues("aioduct.default-headers[Bad Name]=x")
                .run(context -> assertFailure(context).rootCause().hasMessageContaining("aioduct.default-headers["));
    }

    @Test
    void anUnknownFallbackListsTheAllowedValues() {
        runner.withPropertyValues("aioduct.runtime.io-uring-fallback=nio").run(context -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = analyze(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("aioduct.runtime.io-uring-fallback");
            assertThat(analysis.getAction()).contains("epoll").contains("none");
        });
    }

    @Test
    void ioUringWithoutItsClassesFailsNamingTheRuntimeChoices() {
        runner.withClassLoader(new FilteredClassLoader("io.netty.channel.uring"))
                .withPropertyValues("aioduct.runtime.kind=io-uring")
                .run(context -> {
                    assertFailure(context)
                            .rootCause()
                            .isInstanceOf(RuntimeUnavailableAtStartupException.class)
                            .hasMessageContaining("aioduct.runtime.kind=io-uring")
                            .hasMessageContaining("netty-transport-classes-io_uring")
                            .hasMessageContaining("pooled or virtual");
                    FailureAnalysis analysis = analyze(context.getStartupFailure());
                    assertThat(analysis.getDescription()).contains("aioduct.runtime.kind=io-uring");
                    assertThat(analysis.getAction())
                            .contains("aioduct.runtime.kind")
                            .contains("pooled, virtual");
                });
    }

    @Test
    void withoutTheIoUringClassesTheDefaultRuntimeStillStarts() {
        runner.withClassLoader(new FilteredClassLoader("io.netty.channel.uring"))
                .run(context -> assertThat(context).hasNotFailed().hasBean("aioductEngine"));
    }

    /** What Spring Boot prints for a failed start-up, from the analyzers the application registers. */
    private static FailureAnalysis analyze(Throwable failure) {
        List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation(
                        BadPropertiesTest.class.getClassLoader())
                .load(
                        FailureAnalyzer.class,
                        SpringFactoriesLoader.ArgumentResolver.none(),
                        SpringFactoriesLoader.FailureHandler.handleMessage((message, e) -> {}));
        for (FailureAnalyzer analyzer : analyzers) {
            FailureAnalysis analysis = analyzer.analyze(failure);
            if (analysis != null) {
                return analysis;
            }
        }
        throw new AssertionError("no failure analysis for " + failure);
    }
}
