package io.aioduct.spring.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.engine.HttpEngine;
import io.aioduct.pool.PoolStats;
import io.aioduct.spring.http.AioductClientHttpRequestFactory;
import io.aioduct.spring.integration.SelfCallingApplication.Greeting;
import io.aioduct.spring.integration.SelfCallingApplication.GreetingService;
import io.aioduct.spring.testing.NoLeaks;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * One real application per runtime, with an embedded server, calling itself through RestClient,
 * RestTemplate, WebClient and an HTTP service interface. Each reply carries the runtime stamp the
 * engine's client added, and the engine's pool holds the connections: the requests went through the
 * engine of the chosen runtime.
 */
class SelfCallingApplicationTest extends NoLeaks {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"pooled, pooled(epoll)", "virtual, virtual", "io-uring, io-uring"})
    void everySpringClientRunsOnTheChosenRuntime(String kind, String runtimeName) throws IOException {
        int port = freePort();
        String base = "http://127.0.0.1:" + port;
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(SelfCallingApplication.class)
                .properties(
                        "server.port=" + port,
                        "server.address=127.0.0.1",
                        "aioduct.runtime.kind=" + kind,
                        "aioduct.runtime.threads=2",
                        "spring.http.serviceclient.self.base-url=" + base,
                        "spring.main.banner-mode=off")
                .run()) {
            HttpEngine engine = context.getBean(HttpEngine.class);
            assertThat(engine.runtime().name()).isEqualTo(runtimeName);

            RestClient restClient =
                    context.getBean(RestClient.Builder.class).baseUrl(base).build();
            assertThat(restClient
                            .get()
                            .uri("/greeting?name=rest-client")
                            .retrieve()
                            .body(Greeting.class))
                    .isEqualTo(new Greeting("hello rest-client", runtimeName));
            assertThat(restClient.post().uri("/echo").body("posted").retrieve().body(String.class))
                    .isEqualTo("posted via " + runtimeName);

            RestTemplate restTemplate =
                    context.getBean(RestTemplateBuilder.class).baseUri(base).build();
            assertThat(restTemplate.getRequestFactory()).isInstanceOf(AioductClientHttpRequestFactory.class);
            assertThat(restTemplate.getForObject("/greeting?name=rest-template", Greeting.class))
                    .isEqualTo(new Greeting("hello rest-template", runtimeName));

            WebClient webClient =
                    context.getBean(WebClient.Builder.class).baseUrl(base).build();
            assertThat(webClient
                            .get()
                            .uri("/greeting?name=web-client")
                            .retrieve()
                            .bodyToMono(Greeting.class)
                            .block(Duration.ofSeconds(30)))
                    .isEqualTo(new Greeting("hello web-client", runtimeName));
            assertThat(webClient
                            .post()
                            .uri("/echo")
                            .bodyValue("streamed")
                            .retrieve()
                            .bodyToMono(String.class)
                            .block(Duration.ofSeconds(30)))
                    .isEqualTo("streamed via " + runtimeName);

            GreetingService service = context.getBean(GreetingService.class);
            assertThat(service.greeting("service")).isEqualTo(new Greeting("hello service", runtimeName));
            assertThat(service.echo("interface")).isEqualTo("interface via " + runtimeName);

            awaitQuiet(engine);
            List<PoolStats> pools = engine.poolStats();
            assertThat(pools).isNotEmpty().allSatisfy(p -> {
                assertThat(p.origin().toString()).isEqualTo(base);
                assertThat(p.active()).isZero();
            });
            assertThat(pools.stream().mapToInt(PoolStats::idle).sum())
                    .as("connections the engine pooled: %s", pools)
                    .isPositive();
        }
        awaitNoRuntimeThreads();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
