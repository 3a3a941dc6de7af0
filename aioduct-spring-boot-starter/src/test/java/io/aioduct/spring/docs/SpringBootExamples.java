package io.aioduct.spring.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.aioduct.spring.autoconfigure.AioductAutoConfiguration;
import io.aioduct.spring.autoconfigure.AioductClientCustomizer;
import io.aioduct.spring.autoconfigure.AioductClients;
import io.aioduct.spring.autoconfigure.AioductEngineConfigCustomizer;
import io.aioduct.spring.autoconfigure.AioductHttpClientAutoConfiguration;
import io.aioduct.spring.http.AioductClientHttpConnector;
import io.aioduct.spring.http.AioductRequestAttributes;
import io.aioduct.spring.testing.NoLeaks;
import io.aioduct.testing.TestServer;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.stereotype.Service;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;

/**
 * The code shown in docs/spring-boot.md. Each {@code tag::name[]} region is copied verbatim into the
 * page; the engine's DocsSnippetsTest fails when page and code disagree, and this class runs them.
 */
class SpringBootExamples extends NoLeaks {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    AioductAutoConfiguration.class,
                    AioductHttpClientAutoConfiguration.class,
                    HttpClientAutoConfiguration.class,
                    ImperativeHttpClientAutoConfiguration.class,
                    HttpMessageConvertersAutoConfiguration.class,
                    RestClientAutoConfiguration.class));

    private TestServer server;

    @BeforeEach
    void startServer() {
        server = TestServer.start();
        server.route("/orders/42", (req, ex) -> ex.respond(200, "order 42 for " + req.header("X-Tenant")));
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    // tag::rest-client[]
    @Service
    static class OrderClient {
        private final RestClient rest;

        OrderClient(RestClient.Builder builder, @Value("${orders.url}") String url) {
            this.rest = builder.baseUrl(url).build(); // runs on aioduct: nothing aioduct-specific here
        }

        String order(long id) {
            return rest.get().uri("/orders/{id}", id).retrieve().body(String.class);
        }
    }
    // end::rest-client[]

    @Configuration(proxyBeanMethods = false)
    static class Customizers {
        // tag::customizers[]
        @Bean
        AioductClientCustomizer tenantHeader() {
            return client -> client.defaultHeader("X-Tenant", "acme");
        }

        @Bean
        AioductEngineConfigCustomizer noDelay() {
            return engine -> engine.tcpNoDelay(true).keepAlive(true);
        }
        // end::customizers[]
    }

    @Test
    void customizersAdjustTheClientEverySpringClientUses() {
        runner.withUserConfiguration(Customizers.class).run(context -> {
            RestClient rest = context.getBean(RestClient.Builder.class)
                    .baseUrl(server.uri(""))
                    .build();
            assertThat(rest.get().uri("/orders/42").retrieve().body(String.class))
                    .isEqualTo("order 42 for acme");
        });
    }

    @Test
    void theClientBeanIsTheEnginesOwnApiToo() {
        runner.run(context -> {
            String url = server.uri("/orders/42");
            // tag::client-bean[]
            AioductClient client = context.getBean(AioductClient.class);
            try (Response response =
                    client.get(url).totalTimeout(Duration.ofSeconds(2)).execute()) {
                System.out.println(response.status() + " " + response.body().string());
            }
            // end::client-bean[]
        });
    }

    @Test
    void aServiceUsingRestClientRunsOnTheEngine() {
        runner.withBean(OrderClient.class)
                .withPropertyValues("orders.url=" + server.uri(""), "aioduct.default-headers.X-Tenant=from-properties")
                .run(context -> assertThat(context.getBean(OrderClient.class).order(42))
                        .isEqualTo("order 42 for from-properties"));
    }

    // tag::request-attributes[]
    /** Gives report requests a deadline of their own, over the client's timeouts. */
    static ExchangeFilterFunction reportDeadline() {
        return (request, next) -> request.url().getPath().startsWith("/reports")
                ? next.exchange(ClientRequest.from(request)
                        .attribute(AioductRequestAttributes.TOTAL_TIMEOUT, Duration.ofSeconds(2))
                        .build())
                : next.exchange(request);
    }

    static String order(RestClient rest) {
        return rest.get()
                .uri("/orders/42")
                .attribute(AioductRequestAttributes.RESPONSE_TIMEOUT, Duration.ofMillis(500))
                .retrieve()
                .body(String.class);
    }
    // end::request-attributes[]

    @Test
    void requestAttributesSetOneRequestsTimeouts() {
        server.route("/reports", (req, ex) -> ex.stall());
        runner.run(context -> {
            AioductClient client = context.getBean(AioductClient.class);
            WebClient web = WebClient.builder()
                    .clientConnector(new AioductClientHttpConnector(client))
                    .baseUrl(server.uri(""))
                    .filter(reportDeadline())
                    .build();
            assertThat(catchThrowable(() -> web.get()
                            .uri("/reports/daily")
                            .retrieve()
                            .bodyToMono(String.class)
                            .block(Duration.ofSeconds(10))))
                    .isInstanceOf(WebClientRequestException.class)
                    .hasCauseInstanceOf(SocketTimeoutException.class);
            RestClient rest = context.getBean(RestClient.Builder.class)
                    .baseUrl(server.uri(""))
                    .build();
            assertThat(order(rest)).isEqualTo("order 42 for null");
        });
    }

    // tag::named-clients[]
    @Service
    static class Gateway {
        private final AioductClient uring;
        private final RestClient pooled;

        Gateway(@Qualifier("uring") AioductClient uring, AioductClients clients) {
            this.uring = uring; // the bean uringAioductClient
            this.pooled = clients.restClientBuilder("default").build();
        }

        String viaUring(String url) {
            try (Response r = uring.get(url).uriTemplate("/orders/{id}").execute()) {
                return r.body().string();
            }
        }

        String viaPooled(String url) {
            return pooled.get().uri(url).retrieve().body(String.class);
        }
    }
    // end::named-clients[]

    @Test
    void aGatewayComparesTwoRuntimesThroughNamedClients() {
        runner.withBean(Gateway.class)
                .withPropertyValues(
                        "aioduct.clients.uring.runtime.kind=io-uring",
                        "aioduct.clients.uring.runtime.threads=2",
                        "aioduct.default-headers.X-Tenant=acme")
                .run(context -> {
                    Gateway gateway = context.getBean(Gateway.class);
                    String url = server.uri("/orders/42");
                    assertThat(gateway.viaUring(url)).isEqualTo("order 42 for acme");
                    assertThat(gateway.viaPooled(url)).isEqualTo("order 42 for acme");
                });
    }
}
