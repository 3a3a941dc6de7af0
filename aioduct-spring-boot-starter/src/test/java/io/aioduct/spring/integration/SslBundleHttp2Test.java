package io.aioduct.spring.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.AioductClient;
import io.aioduct.AioductException;
import io.aioduct.engine.HttpEngine;
import io.aioduct.pool.PoolStats;
import io.aioduct.spring.autoconfigure.AioductAutoConfiguration;
import io.aioduct.spring.autoconfigure.AioductHttpClientAutoConfiguration;
import io.aioduct.spring.http.AioductClientHttpRequestFactory;
import io.aioduct.spring.testing.NoLeaks;
import io.aioduct.testing.H2TestServer;
import io.aioduct.testing.TlsMaterial;
import io.aioduct.tls.TlsHandshakeException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.test.util.ReflectionTestUtils;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * HTTP/2 over TLS from Spring, on every runtime: an SSL bundle gives the trust (and for mutual TLS the
 * client certificate), ALPN picks h2, and the RestClient and WebClient Spring Boot builds talk to a local h2
 * server. The server counts which protocol each request arrived on: h2 streams on its TLS port, HTTP/1.1
 * requests on its separate HTTP/1.1 handler. Every bundle runs on the one engine: its TLS settings are part of
 * the route a connection is pooled under, so two bundles never share a connection.
 */
class SslBundleHttp2Test extends NoLeaks {
    private static final TlsMaterial TLS = TlsMaterial.shared();
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    AioductAutoConfiguration.class,
                    AioductHttpClientAutoConfiguration.class,
                    SslAutoConfiguration.class,
                    HttpClientAutoConfiguration.class,
                    ImperativeHttpClientAutoConfiguration.class,
                    ReactiveHttpClientAutoConfiguration.class,
                    HttpMessageConvertersAutoConfiguration.class,
                    RestClientAutoConfiguration.class,
                    WebClientAutoConfiguration.class))
            .withPropertyValues(
                    "aioduct.runtime.threads=1", // one io-uring core: one pool, so connections can be counted
                    "spring.ssl.bundle.pem.server-ca.truststore.certificate=file:" + TLS.caCertificatePem(),
                    "spring.ssl.bundle.pem.client.truststore.certificate=file:" + TLS.caCertificatePem(),
                    "spring.ssl.bundle.pem.client.keystore.certificate=file:"
                            + TLS.client().certificatePem(),
                    "spring.ssl.bundle.pem.client.keystore.private-key=file:"
                            + TLS.client().privateKeyPem());

    private H2TestServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private H2TestServer start(boolean requireClientCertificate) {
        server = H2TestServer.builder()
                .tls(TLS.serverContext(TLS.localhost(), requireClientCertificate, "h2", "http/1.1"))
                .start();
        server.route("/hello", (req, ex) -> ex.respond(200, "hello over " + req.version()));
        server.http1().route("/hello", (req, ex) -> ex.respond(200, "hello over " + req.version()));
        return server;
    }

    /** The server's certificate names 127.0.0.1 too: no resolver tricks needed. */
    private String url(String path) {
        return "https://127.0.0.1:" + server.port() + path;
    }

    @ParameterizedTest
    @ValueSource(strings = {"pooled", "virtual", "io-uring"})
    void theEnginesBundleLetsRestClientTalkH2OverTls(String kind) {
        start(false);
        runner.withPropertyValues("aioduct.runtime.kind=" + kind, "aioduct.tls.bundle=server-ca")
                .run(context -> {
                    RestClient rest = context.getBean(RestClient.Builder.class).build();
                    for (int i = 0; i < 3; i++) {
                        assertThat(rest.get().uri(url("/hello")).retrieve().body(String.class))
                                .isEqualTo("hello over HTTP/2.0");
                    }
                    assertThat(server.requestCount()).isEqualTo(3);
                    assertThat(server.http1().requestCount()).isZero();
                    assertThat(server.connectionsAccepted()).isEqualTo(1);
                    HttpEngine engine = context.getBean(HttpEngine.class);
                    assertThat(engine.poolStats())
                            .extracting(PoolStats::protocol)
                            .containsExactly("h2");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"pooled", "virtual", "io-uring"})
    void springsClientBundleGivesRestClientAndWebClientTheirTrustOnTheSharedRuntime(String kind) {
        start(false);
        runner.withPropertyValues("aioduct.runtime.kind=" + kind, "spring.http.clients.ssl.bundle=server-ca")
                .run(context -> {
                    RestClient rest = context.getBean(RestClient.Builder.class).build();
                    WebClient web = context.getBean(WebClient.Builder.class).build();

                    assertThat(rest.get().uri(url("/hello")).retrieve().body(String.class))
                            .isEqualTo("hello over HTTP/2.0");
                    assertThat(web.get()
                                    .uri(url("/hello"))
                                    .retrieve()
                                    .bodyToMono(String.class)
                                    .block(WAIT))
                            .isEqualTo("hello over HTTP/2.0");

                    // Both with the bundle's TLS on the one engine, multiplexed over one h2 connection.
                    assertThat(context).hasSingleBean(HttpEngine.class);
                    HttpEngine shared = context.getBean(HttpEngine.class);
                    assertThat(requestFactory(rest).client().engine()).isSameAs(shared);
                    assertThat(shared.poolStats())
                            .extracting(PoolStats::protocol)
                            .containsExactly("h2");
                    assertThat(server.connectionsAccepted()).isEqualTo(1);
                    assertThat(server.requestCount()).isEqualTo(2);

                    // The shared client has the engine's TLS, no bundle: the JDK's trust store does not know the
                    // test CA. Its route is another pool of the same engine, never the bundle's connection.
                    AioductClient plain = context.getBean(AioductClient.class);
                    assertThatThrownBy(() -> plain.get(url("/hello")).execute())
                            .isInstanceOfSatisfying(
                                    TlsHandshakeException.class,
                                    e -> assertThat(e.reason())
                                            .isEqualTo(TlsHandshakeException.Reason.UNTRUSTED_CERTIFICATE));
                    assertThat(server.connectionsAccepted()).isEqualTo(2);
                    assertThat(shared.poolStats())
                            .extracting(p -> p.active() + p.idle())
                            .containsExactlyInAnyOrder(1, 0);
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"pooled", "virtual", "io-uring"})
    void mutualTlsPresentsTheBundlesClientCertificate(String kind) {
        start(true);
        runner.withPropertyValues(
                        "aioduct.runtime.kind=" + kind,
                        "aioduct.tls.bundle=server-ca",
                        "spring.http.clients.ssl.bundle=client")
                .run(context -> {
                    RestClient rest = context.getBean(RestClient.Builder.class).build();
                    assertThat(rest.get().uri(url("/hello")).retrieve().body(String.class))
                            .isEqualTo("hello over HTTP/2.0");

                    // The shared engine trusts the server but has no client certificate to show.
                    AioductClient withoutCertificate = context.getBean(AioductClient.class);
                    assertThatThrownBy(() -> withoutCertificate
                                    .get(url("/hello"))
                                    .execute()
                                    .body()
                                    .string())
                            .isInstanceOf(AioductException.class);
                    assertThat(server.requestCount()).isEqualTo(1);
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"pooled", "virtual", "io-uring"})
    void twoBundlesShareTheOneEngineButNeverAConnection(String kind) {
        start(false);
        runner.withPropertyValues("aioduct.runtime.kind=" + kind, "spring.http.clients.ssl.bundle=server-ca")
                .run(context -> {
                    RestClient serverCa =
                            context.getBean(RestClient.Builder.class).build();
                    RestClient client = context.getBean(RestClient.Builder.class)
                            .requestFactory(bundleFactory(context, "client"))
                            .build();

                    for (int i = 0; i < 2; i++) {
                        assertThat(serverCa.get().uri(url("/hello")).retrieve().body(String.class))
                                .isEqualTo("hello over HTTP/2.0");
                        assertThat(client.get().uri(url("/hello")).retrieve().body(String.class))
                                .isEqualTo("hello over HTTP/2.0");
                    }

                    assertThat(context).hasSingleBean(HttpEngine.class);
                    HttpEngine engine = context.getBean(HttpEngine.class);
                    assertThat(requestFactory(serverCa).client().engine()).isSameAs(engine);
                    assertThat(requestFactory(client).client().engine()).isSameAs(engine);
                    assertThat(server.connectionsAccepted())
                            .as("a connection per bundle, each reused")
                            .isEqualTo(2);
                    assertThat(engine.poolStats())
                            .as("the one engine's pools: one per bundle's route")
                            .hasSize(2)
                            .allSatisfy(p -> {
                                assertThat(p.protocol()).isEqualTo("h2");
                                assertThat(p.active() + p.idle()).isEqualTo(1);
                            });
                });
    }

    private static AioductClientHttpRequestFactory bundleFactory(AssertableApplicationContext context, String bundle) {
        return (AioductClientHttpRequestFactory) context.getBean(ClientHttpRequestFactoryBuilder.class)
                .build(HttpClientSettings.ofSslBundle(
                        context.getBean(SslBundles.class).getBundle(bundle)));
    }

    private static AioductClientHttpRequestFactory requestFactory(RestClient client) {
        Object factory = ReflectionTestUtils.getField(client, "clientRequestFactory");
        assertThat(factory).isInstanceOf(AioductClientHttpRequestFactory.class);
        return (AioductClientHttpRequestFactory) factory;
    }
}
