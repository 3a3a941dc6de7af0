package io.aioduct.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.Aioduct;
import io.aioduct.AioductClient;
import io.aioduct.BodyTooLargeException;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import io.aioduct.TimedOutException;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.pool.PoolConfig;
import io.aioduct.testing.EngineTest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The code shown in docs/. Each {@code tag::name[]} region is copied verbatim into a Markdown page;
 * {@link DocsSnippetsTest} fails when page and code disagree, and this class runs every snippet.
 */
class GettingStartedExamples extends EngineTest {

    @Test
    void firstRequest() {
        server.route("/hello", (req, ex) -> ex.respond(200, "hello"));
        String url = server.uri("/hello");
        // tag::first-request[]
        try (HttpEngine engine = Aioduct.pooled()) {
            AioductClient client = AioductClient.builder(engine).build();
            try (Response response = client.get(url).execute()) {
                System.out.println(response.status() + " " + response.body().string());
            }
        }
        // end::first-request[]
        assertThat(server.takeRequest().path()).isEqualTo("/hello");
    }

    @Test
    void asyncRequest() throws Exception {
        server.route("/items", (req, ex) -> ex.respond(200, "[1,2,3]"));
        String url = server.uri("/items");
        HttpEngine engine = track(Aioduct.virtualThreads());
        AioductClient client = AioductClient.builder(engine).build();
        // tag::async-request[]
        CompletableFuture<String> items = client.get(url)
                .header("Accept", "application/json")
                .send()
                .thenCompose(response -> response.body().stringAsync())
                .toCompletableFuture();
        // end::async-request[]
        assertThat(items.get(5, TimeUnit.SECONDS)).isEqualTo("[1,2,3]");
    }

    @Test
    void configuredClient() {
        server.route("/orders", (req, ex) -> ex.respond(201, "created"));
        String url = server.uri("/orders");
        // tag::configured-client[]
        EngineConfig config = EngineConfig.builder()
                .pool(PoolConfig.DEFAULT
                        .withMaxConnectionsPerOrigin(64)
                        .withIdleTimeout(Duration.ofSeconds(20))
                        .withAcquireTimeout(Duration.ofSeconds(2)))
                .build();
        try (HttpEngine engine = Aioduct.ioUring(config)) {
            AioductClient client = AioductClient.builder(engine)
                    .connectTimeout(Duration.ofSeconds(2))
                    .responseTimeout(Duration.ofSeconds(5))
                    .totalTimeout(Duration.ofSeconds(30))
                    .maxBufferedBodyBytes(1024 * 1024)
                    .defaultHeader("Accept", "application/json")
                    .build();
            Response created = client.post(url)
                    .body(RequestBody.ofString(
                            "{\"sku\":42}", java.nio.charset.StandardCharsets.UTF_8, "application/json"))
                    .responseTimeout(Duration.ofSeconds(1)) // this request only
                    .execute();
            System.out.println(created.status());
            created.close();
        }
        // end::configured-client[]
        assertThat(server.takeRequest().header("Accept")).isEqualTo("application/json");
    }

    @Test
    void handlingErrors() {
        server.route("/slow", (req, ex) -> ex.stall());
        server.route("/big", (req, ex) -> ex.respond(200, new byte[4096]));
        String slowUrl = server.uri("/slow");
        String bigUrl = server.uri("/big");
        HttpEngine engine = track(Aioduct.pooled());
        AioductClient client = AioductClient.builder(engine)
                .responseTimeout(Duration.ofMillis(200))
                .maxBufferedBodyBytes(1024)
                .build();
        String[] seen = new String[2];
        // tag::handling-errors[]
        try {
            client.get(slowUrl).execute();
        } catch (TimedOutException e) {
            // e.kind() says which timeout fired: CONNECT, ACQUIRE, RESPONSE, READ or TOTAL.
            seen[0] = e.kind() + ": " + e.getMessage();
        }
        try (Response response = client.get(bigUrl).execute()) {
            response.body().bytes();
        } catch (BodyTooLargeException e) {
            seen[1] = "over " + e.limit() + " bytes: stream it with body().inputStream() instead";
        }
        // end::handling-errors[]
        assertThat(seen[0]).startsWith("RESPONSE: response timeout of 200 ms fired");
        assertThat(seen[1]).isEqualTo("over 1024 bytes: stream it with body().inputStream() instead");
    }
}
