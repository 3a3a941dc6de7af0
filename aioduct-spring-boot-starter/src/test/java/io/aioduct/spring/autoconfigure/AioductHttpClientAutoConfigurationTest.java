package io.aioduct.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.Aioduct;
import io.aioduct.AioductClient;
import io.aioduct.engine.HttpEngine;
import io.aioduct.spring.http.AioductClientHttpConnector;
import io.aioduct.spring.http.AioductClientHttpConnectorBuilder;
import io.aioduct.spring.http.AioductClientHttpRequestFactory;
import io.aioduct.spring.http.AioductClientHttpRequestFactoryBuilder;
import io.aioduct.spring.testing.NoLeaks;
import io.aioduct.testing.TestServer;
import io.aioduct.testing.TlsMaterial;
import io.aioduct.tls.TlsConfig;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestTemplateAutoConfiguration;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.test.util.ReflectionTestUtils;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * Spring's HTTP clients land on the engine through Spring Boot's seams, with Spring Boot's settings, and
 * step aside when the application chooses otherwise.
 */
class AioductHttpClientAutoConfigurationTest extends NoLeaks {

    private static final AutoConfigurations SPRING_AND_AIODUCT = AutoConfigurations.of(
            AioductAutoConfiguration.class,
            AioductHttpClientAutoConfiguration.class,
            SslAutoConfiguration.class,
            HttpClientAutoConfiguration.class,
            ImperativeHttpClientAutoConfiguration.class,
            ReactiveHttpClientAutoConfiguration.class,
            HttpMessageConvertersAutoConfiguration.class,
            RestClientAutoConfiguration.class,
            RestTemplateAutoConfiguration.class,
            WebClientAutoConfiguration.class);

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withConfiguration(SPRING_AND_AIODUCT);

    @Test
    void springBootsBuildersAreTheAioductOnes() {
        runner.run(context -> {
            assertThat(context.getBean(ClientHttpRequestFactoryBuilder.class))
                    .isInstanceOf(AioductClientHttpRequestFactoryBuilder.class);
            assertThat(context.getBean(ClientHttpConnectorBuilder.class))
                    .isInstanceOf(AioductClientHttpConnectorBuilder.class);
            assertThat(context.getBean(ClientHttpRequestFactory.class))
                    .isInstanceOf(AioductClientHttpRequestFactory.class);
            assertThat(context.getBean(ClientHttpConnector.class)).isInstanceOf(AioductClientHttpConnector.class);
        });
    }

    @Test
    void restClientAndWebClientGetCompressedBodiesDecodedUnlessDecompressionIsOff() throws Exception {
        byte[] text = "a body worth compressing, ".repeat(200).getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream coded = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(coded)) {
            gz.write(text);
        }
        try (TestServer server = TestServer.start()) {
            server.route("/doc", (req, ex) -> ex.respond(200, coded.toByteArray(), "Content-Encoding", "gzip"));
            runner.run(context -> {
                ResponseEntity<byte[]> entity = context.getBean(RestClient.Builder.class)
                        .build()
                        .get()
                        .uri(server.uri("/doc"))
                        .retrieve()
                        .toEntity(byte[].class);
                assertThat(entity.getBody()).isEqualTo(text);
                assertThat(entity.getHeaders().containsHeader("Content-Encoding"))
                        .isFalse();
                assertThat(entity.getHeaders().getContentLength()).isEqualTo(-1);
                assertThat(server.takeRequest().header("Accept-Encoding")).isEqualTo("gzip, deflate");
                byte[] viaWebClient = context.getBean(WebClient.Builder.class)
                        .build()
                        .get()
                        .uri(server.uri("/doc"))
                        .retrieve()
                        .bodyToMono(byte[].class)
                        .block(Duration.ofSeconds(10));
                assertThat(viaWebClient).isEqualTo(text);
            });
            runner.withPropertyValues("aioduct.decompression.enabled=false").run(context -> {
                assertThat(context.getBean(AioductClient.class)
                                .settings()
                                .decompression()
                                .enabled())
                        .isFalse();
                ResponseEntity<byte[]> entity = context.getBean(RestClient.Builder.class)
                        .build()
                        .get()
                        .uri(server.uri("/doc"))
                        .retrieve()
                        .toEntity(byte[].class);
                assertThat(entity.getBody()).isEqualTo(coded.toByteArray());
                assertThat(entity.getHeaders().getFirst("Content-Encoding")).isEqualTo("gzip");
            });
        }
    }

    @Test
    void restClientRestTemplateAndWebClientShareTheOneEngine() {
        runner.run(context -> {
            HttpEngine engine = context.getBean(HttpEngine.class);
            RestClient restClient = context.getBean(RestClient.Builder.class).build();
            RestTemplate restTemplate =
                    context.getBean(RestTemplateBuilder.class).build();
            WebClient webClient = context.getBean(WebClient.Builder.class).build();
            assertThat(requestFactory(restClient).client().engine()).isSameAs(engine);
            assertThat(((AioductClientHttpRequestFactory) restTemplate.getRequestFactory())
                            .client()
                            .engine())
                    .isSameAs(engine);
            assertThat(connector(webClient).client().engine()).isSameAs(engine);
            // Two builders, two factories, one engine.
            assertThat(requestFactory(context.getBean(RestClient.Builder.class).build())
                            .client()
                            .engine())
                    .isSameAs(engine);
        });
    }

    @Test
    void springBootsTimeoutSettingsWinOverTheAioductDefaults() {
        runner.withPropertyValues(
                        "aioduct.timeouts.connect=7s",
                        "aioduct.timeouts.total=9s",
                        "spring.http.clients.connect-timeout=1s",
                        "spring.http.clients.read-timeout=2s")
                .run(context -> {
                    AioductClient client = requestFactory(
                                    context.getBean(RestClient.Builder.class).build())
                            .client();
                    assertThat(client.settings().connectTimeout()).isEqualTo(Duration.ofSeconds(1));
                    assertThat(client.settings().responseTimeout()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(client.settings().readTimeout()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(client.settings().totalTimeout()).isEqualTo(Duration.ofSeconds(9));
                    AioductClient reactive = connector(
                                    context.getBean(WebClient.Builder.class).build())
                            .client();
                    assertThat(reactive.settings().connectTimeout()).isEqualTo(Duration.ofSeconds(1));
                });
    }

    @Test
    void withoutSpringBootSettingsTheAioductDefaultsApply() {
        runner.withPropertyValues("aioduct.timeouts.connect=7s")
                .run(context -> assertThat(requestFactory(context.getBean(RestClient.Builder.class)
                                        .build())
                                .client()
                                .settings()
                                .connectTimeout())
                        .isEqualTo(Duration.ofSeconds(7)));
    }

    @Test
    void anSslBundleInTheSettingsGivesTheClientItsTlsOnTheOneSharedEngine() {
        HttpEngine[] engines = new HttpEngine[1];
        runner.withPropertyValues(caBundle("partner")).run(context -> {
            HttpEngine shared = context.getBean(HttpEngine.class);
            HttpClientSettings withBundle = HttpClientSettings.ofSslBundle(
                    context.getBean(SslBundles.class).getBundle("partner"));
            AioductClient blocking = ((AioductClientHttpRequestFactory)
                            context.getBean(ClientHttpRequestFactoryBuilder.class)
                                    .build(withBundle))
                    .client();
            AioductClient reactive = ((AioductClientHttpConnector)
                            context.getBean(ClientHttpConnectorBuilder.class).build(withBundle))
                    .client();

            assertThat(context).hasSingleBean(HttpEngine.class);
            assertThat(blocking.engine()).isSameAs(shared).isSameAs(reactive.engine());
            TlsConfig tls = blocking.settings().tls();
            assertThat(tls)
                    .as("the bundle's TLS settings")
                    .isNotNull()
                    .isSameAs(reactive.settings().tls());
            assertThat(tls.trust()).isNotNull();
            assertThat(tls).isNotSameAs(shared.config().tls());
            assertThat(shared.config().tls().trust()).isNull();
            assertThat(context.getBean(AioductClient.class).settings().tls())
                    .as("the shared client keeps the engine's")
                    .isNull();
            engines[0] = shared;
        });
        assertThat(engines[0].isClosed()).isTrue();
        assertThat(engines[0].runtime().isClosed()).isTrue();
    }

    @Test
    void springBootsSslBundlePropertyGivesSpringsClientsTheBundlesTls() {
        runner.withPropertyValues(caBundle("partner"))
                .withPropertyValues("spring.http.clients.ssl.bundle=partner", "spring.http.clients.connect-timeout=3s")
                .run(context -> {
                    HttpEngine shared = context.getBean(HttpEngine.class);
                    AioductClient rest = requestFactory(
                                    context.getBean(RestClient.Builder.class).build())
                            .client();
                    AioductClient web = connector(
                                    context.getBean(WebClient.Builder.class).build())
                            .client();
                    assertThat(rest.engine()).isSameAs(shared).isSameAs(web.engine());
                    assertThat(rest.settings().tls())
                            .isNotNull()
                            .isSameAs(web.settings().tls());
                    assertThat(rest.settings().connectTimeout()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(context.getBean(AioductClient.class).engine()).isSameAs(shared);
                });
    }

    @Test
    void theSharedEnginesOwnBundleIsTheEnginesOwnTls() {
        runner.withPropertyValues(caBundle("partner"))
                .withPropertyValues("aioduct.tls.bundle=partner", "spring.http.clients.ssl.bundle=partner")
                .run(context -> {
                    HttpEngine shared = context.getBean(HttpEngine.class);
                    AioductClient rest = requestFactory(
                                    context.getBean(RestClient.Builder.class).build())
                            .client();
                    assertThat(rest.engine()).isSameAs(shared);
                    assertThat(rest.settings().tls())
                            .as("the engine's own TLS settings: its pools are shared")
                            .isSameAs(shared.config().tls());
                });
    }

    @Test
    void aBuilderMadeWithJustAClientAppliesABundleToo() {
        runner.withPropertyValues(caBundle("partner")).run(context -> {
            AioductClient shared = context.getBean(AioductClient.class);
            AioductClientHttpRequestFactoryBuilder builder = new AioductClientHttpRequestFactoryBuilder(shared);
            HttpClientSettings withBundle = HttpClientSettings.ofSslBundle(
                    context.getBean(SslBundles.class).getBundle("partner"));
            AioductClient one = builder.build(withBundle).client();
            AioductClient two = builder.withClientCustomizer(b -> b.userAgent("two"))
                    .build(withBundle)
                    .client();
            assertThat(one.engine()).isSameAs(shared.engine());
            assertThat(one.settings().tls()).isNotNull().isSameAs(two.settings().tls());
            assertThat(one.settings().tls().trust()).isNotNull();
        });
    }

    @Test
    void aBundleBesideTheApplicationsOwnEngineRunsOnItAndLeavesItOpen() {
        HttpEngine own = Aioduct.pooled();
        try {
            runner.withPropertyValues(caBundle("partner"))
                    .withBean(HttpEngine.class, () -> own, d -> d.setDestroyMethodName(""))
                    .run(context -> {
                        HttpClientSettings withBundle = HttpClientSettings.ofSslBundle(
                                context.getBean(SslBundles.class).getBundle("partner"));
                        AioductClient client = ((AioductClientHttpRequestFactory)
                                        context.getBean(ClientHttpRequestFactoryBuilder.class)
                                                .build(withBundle))
                                .client();
                        assertThat(client.engine()).isSameAs(own);
                        assertThat(client.settings().tls()).isNotNull();
                    });
            assertThat(own.isClosed()).isFalse();
            assertThat(own.runtime().isClosed()).isFalse();
        } finally {
            own.close();
        }
    }

    /** A PEM bundle {@code name} trusting the engine tests' CA. */
    private static String caBundle(String name) {
        return "spring.ssl.bundle.pem." + name + ".truststore.certificate=file:"
                + TlsMaterial.shared().caCertificatePem();
    }

    @Test
    void theApplicationsOwnBuilderWins() {
        runner.withBean(ClientHttpRequestFactoryBuilder.class, ClientHttpRequestFactoryBuilder::jdk)
                .run(context -> assertThat(context.getBean(ClientHttpRequestFactory.class))
                        .isInstanceOf(JdkClientHttpRequestFactory.class));
    }

    @Test
    void springBootsFactoryPropertyWins() {
        runner.withPropertyValues("spring.http.clients.imperative.factory=jdk").run(context -> {
            assertThat(context.getBean(ClientHttpRequestFactory.class)).isInstanceOf(JdkClientHttpRequestFactory.class);
            assertThat(context.getBean(ClientHttpConnectorBuilder.class))
                    .isInstanceOf(AioductClientHttpConnectorBuilder.class);
        });
    }

    @Test
    void springBootsConnectorPropertyWins() {
        runner.withPropertyValues("spring.http.clients.reactive.connector=jdk")
                .run(context -> assertThat(context.getBean(ClientHttpConnector.class))
                        .isInstanceOf(org.springframework.http.client.reactive.JdkClientHttpConnector.class));
    }

    @Test
    void springBootsBuilderCustomizersApply() {
        runner.withBean(
                        "userAgentCustomizer",
                        ClientHttpRequestFactoryBuilderCustomizer.class,
                        () -> (ClientHttpRequestFactoryBuilderCustomizer<AioductClientHttpRequestFactoryBuilder>)
                                builder -> builder.withClientCustomizer(c -> c.userAgent("customized")))
                .run(context -> assertThat(requestFactory(context.getBean(RestClient.Builder.class)
                                        .build())
                                .client()
                                .settings()
                                .userAgent())
                        .isEqualTo("customized"));
    }

    @Test
    void inAReactiveWebApplicationRestClientStillRunsOnTheEngine() {
        new ReactiveWebApplicationContextRunner()
                .withConfiguration(SPRING_AND_AIODUCT)
                .run(context -> {
                    assertThat(requestFactory(context.getBean(RestClient.Builder.class)
                                            .build())
                                    .client()
                                    .engine())
                            .isSameAs(context.getBean(HttpEngine.class));
                    assertThat(context.getBean(ClientHttpConnector.class))
                            .isInstanceOf(AioductClientHttpConnector.class);
                });
    }

    @Test
    void withoutReactorOnlyTheBlockingSeamIsTaken() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        AioductAutoConfiguration.class,
                        AioductHttpClientAutoConfiguration.class,
                        HttpClientAutoConfiguration.class,
                        ImperativeHttpClientAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader(Mono.class))
                .run(context -> {
                    assertThat(context.getBean(ClientHttpRequestFactoryBuilder.class))
                            .isInstanceOf(AioductClientHttpRequestFactoryBuilder.class);
                    assertThat(context).doesNotHaveBean(ClientHttpConnectorBuilder.class);
                });
    }

    private static AioductClientHttpRequestFactory requestFactory(RestClient client) {
        Object factory = ReflectionTestUtils.getField(client, "clientRequestFactory");
        assertThat(factory).isInstanceOf(AioductClientHttpRequestFactory.class);
        return (AioductClientHttpRequestFactory) factory;
    }

    private static AioductClientHttpConnector connector(WebClient client) {
        Object exchange = ReflectionTestUtils.getField(client, "exchangeFunction");
        Object connector = ReflectionTestUtils.getField(exchange, "connector");
        assertThat(connector).isInstanceOf(AioductClientHttpConnector.class);
        return (AioductClientHttpConnector) connector;
    }
}
