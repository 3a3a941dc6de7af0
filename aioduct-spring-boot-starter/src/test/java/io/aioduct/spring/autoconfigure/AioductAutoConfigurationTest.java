package io.aioduct.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.Aioduct;
import io.aioduct.AioductClient;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.engine.HttpEngineLocal;
import io.aioduct.policy.RedirectPolicy;
import io.aioduct.pool.PoolConfig;
import io.aioduct.protocol.Http2Options;
import io.aioduct.runtime.RuntimeLocal;
import io.aioduct.runtime.pooled.PooledRuntime;
import io.aioduct.runtime.virtual.VirtualThreadRuntime;
import io.aioduct.spring.http.SslBundleTls;
import io.aioduct.spring.testing.NoLeaks;
import io.aioduct.testing.TlsMaterial;
import io.aioduct.tls.TlsConfig;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/** Which runtime each configuration gets, which beans back off, and what the properties reach. */
class AioductAutoConfigurationTest extends NoLeaks {

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(AioductAutoConfiguration.class));

    @Test
    void withNoConfigurationTheClientRunsOnThePooledRuntime() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(HttpEngine.class).hasSingleBean(AioductClient.class);
            HttpEngine engine = context.getBean(HttpEngine.class);
            assertThat(engine.runtime()).isInstanceOf(PooledRuntime.class);
            assertThat(context.getBean(AioductClient.class).engine()).isSameAs(engine);
        });
    }

    @Test
    void theClientFollowsRedirectsByDefaultAndTheRedirectPropertiesReachIt() {
        runner.run(context -> {
            RedirectPolicy policy = context.getBean(AioductClient.class).redirects();
            assertThat(policy.maxHops()).isEqualTo(RedirectPolicy.DEFAULT_MAX_HOPS);
            assertThat(policy.allowsDowngrade()).isFalse();
            assertThat(policy.sendsReferer()).isFalse();
        });
        runner.withPropertyValues(
                        "aioduct.redirects.follow=always",
                        "aioduct.redirects.max-hops=5",
                        "aioduct.redirects.referer=true")
                .run(context -> {
                    RedirectPolicy policy = context.getBean(AioductClient.class).redirects();
                    assertThat(policy.maxHops()).isEqualTo(5);
                    assertThat(policy.allowsDowngrade()).isTrue();
                    assertThat(policy.sendsReferer()).isTrue();
                });
        runner.withPropertyValues("aioduct.redirects.follow=never")
                .run(context -> assertThat(
                                context.getBean(AioductClient.class).redirects().isNever())
                        .isTrue());
    }

    @Test
    void theVirtualThreadsSwitchPicksTheVirtualRuntime() {
        runner.withPropertyValues("spring.threads.virtual.enabled=true")
                .run(context -> assertThat(context.getBean(HttpEngine.class).runtime())
                        .isInstanceOf(VirtualThreadRuntime.class));
    }

    @Test
    void anExplicitKindWinsOverTheVirtualThreadsSwitch() {
        runner.withPropertyValues("spring.threads.virtual.enabled=true", "aioduct.runtime.kind=pooled")
                .run(context ->
                        assertThat(context.getBean(HttpEngine.class).runtime()).isInstanceOf(PooledRuntime.class));
    }

    @Test
    void kindVirtualPicksTheVirtualRuntime() {
        runner.withPropertyValues("aioduct.runtime.kind=virtual")
                .run(context -> assertThat(context.getBean(HttpEngine.class).runtime())
                        .isInstanceOf(VirtualThreadRuntime.class));
    }

    @Test
    void kindIoUringRunsThreadPerCoreWithTheGivenCores() {
        runner.withPropertyValues("aioduct.runtime.kind=io-uring", "aioduct.runtime.threads=2")
                .run(context -> {
                    HttpEngine engine = context.getBean(HttpEngine.class);
                    assertThat(engine).isInstanceOf(HttpEngineLocal.class);
                    assertThat(engine.runtime().name()).isEqualTo("io-uring");
                    assertThat(((RuntimeLocal) engine.runtime()).cores()).isEqualTo(2);
                });
    }

    @Test
    void theKindIsBoundLeniently() {
        runner.withPropertyValues("aioduct.runtime.kind=IO_URING", "aioduct.runtime.threads=1")
                .run(context -> assertThat(
                                context.getBean(HttpEngine.class).runtime().name())
                        .isEqualTo("io-uring"));
    }

    @Test
    void threadsSetThePooledRuntimesIoThreads() {
        runner.withPropertyValues("aioduct.runtime.threads=3")
                .run(context -> assertThat(((PooledRuntime)
                                        context.getBean(HttpEngine.class).runtime())
                                .ioThreads())
                        .isEqualTo(3));
    }

    @Test
    void poolPropertiesReachTheEngine() {
        runner.withPropertyValues(
                        "aioduct.pool.max-connections-per-origin=7",
                        "aioduct.pool.max-idle-per-origin=5",
                        "aioduct.pool.idle-timeout=11s",
                        "aioduct.pool.max-lifetime=2m",
                        "aioduct.pool.acquire-timeout=3s",
                        "aioduct.pool.max-pending-acquires=9")
                .run(context -> assertThat(
                                context.getBean(HttpEngine.class).config().pool())
                        .isEqualTo(new PoolConfig(
                                7,
                                5,
                                Duration.ofSeconds(11),
                                Duration.ofMinutes(2),
                                Duration.ofSeconds(3),
                                9,
                                PoolConfig.DEFAULT.evictionInterval())));
    }

    @Test
    void http2PropertiesReachTheEngine() {
        runner.withPropertyValues(
                        "aioduct.http2.enabled=false",
                        "aioduct.http2.prior-knowledge=true",
                        "aioduct.http2.max-connections-per-origin=2",
                        "aioduct.http2.max-concurrent-streams=50",
                        "aioduct.http2.stream-window=1MB",
                        "aioduct.http2.connection-window=8MB",
                        "aioduct.http2.max-frame-size=32KB",
                        "aioduct.http2.max-header-list-size=16KB",
                        "aioduct.http2.ping-interval=0",
                        "aioduct.http2.ping-timeout=3s")
                .run(context -> assertThat(
                                context.getBean(HttpEngine.class).config().http2())
                        .isEqualTo(new Http2Options(
                                false,
                                true,
                                2,
                                50,
                                1024 * 1024,
                                8 * 1024 * 1024,
                                32 * 1024,
                                16 * 1024,
                                Duration.ZERO,
                                Duration.ofSeconds(3))));
    }

    @Test
    void withoutHttp2PropertiesTheEngineKeepsItsDefaults() {
        runner.run(context -> {
            EngineConfig config = context.getBean(HttpEngine.class).config();
            assertThat(config.http2()).isEqualTo(Http2Options.DEFAULT);
            assertThat(config.tls().trust()).isNull();
            assertThat(config.tls().keys()).isNull();
            assertThat(config.tls().protocols()).isEqualTo(TlsConfig.DEFAULT.protocols());
            assertThat(config.tls().handshakeTimeout()).isEqualTo(TlsConfig.DEFAULT.handshakeTimeout());
        });
    }

    @Test
    void theTlsHandshakeTimeoutReachesTheEngine() {
        runner.withPropertyValues("aioduct.tls.handshake-timeout=3s")
                .run(context -> assertThat(
                                context.getBean(HttpEngine.class).config().tls().handshakeTimeout())
                        .isEqualTo(Duration.ofSeconds(3)));
    }

    @Test
    void anSslBundleGivesTheEngineItsTrustClientCertificateProtocolsAndCiphers() {
        TlsMaterial tls = TlsMaterial.shared();
        runner.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class))
                .withPropertyValues(
                        "aioduct.tls.bundle=corporate",
                        "spring.ssl.bundle.pem.corporate.truststore.certificate=file:" + tls.caCertificatePem(),
                        "spring.ssl.bundle.pem.corporate.keystore.certificate=file:"
                                + tls.client().certificatePem(),
                        "spring.ssl.bundle.pem.corporate.keystore.private-key=file:"
                                + tls.client().privateKeyPem(),
                        "spring.ssl.bundle.pem.corporate.options.enabled-protocols=TLSv1.3",
                        "spring.ssl.bundle.pem.corporate.options.ciphers=TLS_AES_128_GCM_SHA256",
                        "aioduct.tls.handshake-timeout=4s")
                .run(context -> {
                    TlsConfig config =
                            context.getBean(HttpEngine.class).config().tls();
                    X509TrustManager trust = (X509TrustManager) config.trust().getTrustManagers()[0];
                    assertThat(trust.getAcceptedIssuers())
                            .containsExactly(tls.ca().certificate());
                    X509KeyManager keys = (X509KeyManager) config.keys().getKeyManagers()[0];
                    String[] aliases = keys.getClientAliases("EC", null);
                    assertThat(aliases).hasSize(1);
                    assertThat(keys.getCertificateChain(aliases[0])[0])
                            .isEqualTo(tls.client().certificate());
                    assertThat(config.protocols()).containsExactly("TLSv1.3");
                    assertThat(config.cipherSuites()).containsExactly("TLS_AES_128_GCM_SHA256");
                    assertThat(config.handshakeTimeout()).isEqualTo(Duration.ofSeconds(4));
                    assertThat(config.verificationDisabled()).isFalse();
                });
    }

    @Test
    void aBundleWithOnlyTrustPresentsNoClientCertificateAndKeepsTheDefaultVersions() {
        TlsMaterial tls = TlsMaterial.shared();
        runner.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class))
                .withPropertyValues(
                        "aioduct.tls.bundle=ca",
                        "spring.ssl.bundle.pem.ca.truststore.certificate=file:" + tls.caCertificatePem())
                .run(context -> {
                    TlsConfig config =
                            context.getBean(HttpEngine.class).config().tls();
                    assertThat(config.trust()).isNotNull();
                    assertThat(config.keys()).isNull();
                    assertThat(config.protocols()).isEqualTo(TlsConfig.DEFAULT.protocols());
                    assertThat(config.cipherSuites()).isNull();
                });
    }

    @Test
    void timeoutsBodyLimitHeadersAndUserAgentReachTheClient() {
        runner.withPropertyValues(
                        "aioduct.timeouts.connect=1s",
                        "aioduct.timeouts.response=2s",
                        "aioduct.timeouts.read=3s",
                        "aioduct.timeouts.total=4s",
                        "aioduct.max-buffered-body-size=1KB",
                        "aioduct.user-agent=orders-service/1.0",
                        "aioduct.default-headers.X-Team=payments")
                .run(context -> {
                    AioductClient client = context.getBean(AioductClient.class);
                    assertThat(client.settings().connectTimeout()).isEqualTo(Duration.ofSeconds(1));
                    assertThat(client.settings().responseTimeout()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(client.settings().readTimeout()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(client.settings().totalTimeout()).isEqualTo(Duration.ofSeconds(4));
                    assertThat(client.settings().maxBufferedBody()).isEqualTo(1024);
                    assertThat(client.settings().userAgent()).isEqualTo("orders-service/1.0");
                    assertThat(client.defaultHeaders().first("X-Team")).isEqualTo("payments");
                });
    }

    @Test
    void cookiesAreOffByDefaultAndOnePropertyTurnsThemOn() {
        runner.run(context ->
                assertThat(context.getBean(AioductClient.class).cookieStore()).isEmpty());
        runner.withPropertyValues("aioduct.cookies.enabled=true")
                .run(context -> assertThat(context.getBean(AioductClient.class).cookieStore())
                        .isPresent());
    }

    @Test
    void anEmptyUserAgentSendsNone() {
        runner.withPropertyValues("aioduct.user-agent=")
                .run(context -> assertThat(
                                context.getBean(AioductClient.class).settings().userAgent())
                        .isNull());
    }

    @Test
    void anEngineOfTheApplicationsOwnWinsAndIsNotClosedByTheStarter() {
        HttpEngine own = Aioduct.virtualThreads();
        try {
            runner.withBean(HttpEngine.class, () -> own, d -> d.setDestroyMethodName(""))
                    .run(context -> {
                        assertThat(context)
                                .hasSingleBean(HttpEngine.class)
                                .hasSingleBean(SslBundleTls.class)
                                .doesNotHaveBean("aioductEngines");
                        assertThat(context.getBean(AioductClient.class).engine())
                                .isSameAs(own);
                    });
            assertThat(own.isClosed()).isFalse();
        } finally {
            own.close();
        }
    }

    @Test
    void aClientOfTheApplicationsOwnWins() {
        runner.withUserConfiguration(OwnClient.class).run(context -> {
            assertThat(context).hasSingleBean(AioductClient.class);
            assertThat(context.getBean(AioductClient.class).settings().userAgent())
                    .isEqualTo("own");
        });
    }

    @Test
    void clientCustomizersRunInOrderAfterTheProperties() {
        runner.withPropertyValues("aioduct.user-agent=from-properties")
                .withUserConfiguration(Customizers.class)
                .run(context -> {
                    AioductClient client = context.getBean(AioductClient.class);
                    assertThat(client.settings().userAgent()).isEqualTo("second");
                    assertThat(client.defaultHeaders().all("X-Order")).containsExactly("first", "second");
                });
    }

    @Test
    void engineConfigCustomizersAdjustTheEngine() {
        runner.withBean(AioductEngineConfigCustomizer.class, () -> b -> b.tcpNoDelay(false))
                .run(context -> assertThat(context.getBean(HttpEngine.class)
                                .config()
                                .socket()
                                .tcpNoDelay())
                        .isFalse());
    }

    @Test
    void theEngineClosesWithTheContext() {
        HttpEngine[] engine = new HttpEngine[1];
        runner.run(context -> engine[0] = context.getBean(HttpEngine.class));
        assertThat(engine[0].isClosed()).isTrue();
        assertThat(engine[0].runtime().isClosed()).isTrue();
    }

    @Test
    void repeatedContextRefreshesOnEveryRuntimeLeaveNoThreads() {
        for (int i = 0; i < 3; i++) {
            for (String kind : List.of("pooled", "virtual", "io-uring")) {
                runner.withPropertyValues("aioduct.runtime.kind=" + kind, "aioduct.runtime.threads=1")
                        .run(context -> assertThat(context).hasSingleBean(HttpEngine.class));
            }
        }
        awaitNoRuntimeThreads();
    }

    @Test
    void aFailedStartUpClosesTheEngineItCreated() {
        runner.withBean(
                        "failsAfterTheEngine",
                        String.class,
                        () -> {
                            throw new IllegalStateException("boom");
                        },
                        d -> d.setDependsOn("aioductEngine"))
                .run(context -> assertThat(context).hasFailed());
        awaitNoRuntimeThreads(); // the engine's threads are gone: it was closed
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnClient {
        @Bean
        AioductClient myClient(HttpEngine engine) {
            return AioductClient.builder(engine).userAgent("own").build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Customizers {
        @Bean
        @Order(2)
        AioductClientCustomizer second() {
            return b -> b.userAgent("second").defaultHeader("X-Order", "second");
        }

        @Bean
        @Order(1)
        AioductClientCustomizer first() {
            return b -> b.userAgent("first").defaultHeader("X-Order", "first");
        }
    }
}
