package io.aioduct.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.aioduct.engine.HttpEngine;
import io.aioduct.spring.testing.NoLeaks;
import io.aioduct.testing.ServerExchange;
import io.aioduct.testing.TestServer;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A real web application shutting down gracefully: a request it started in the background (that no incoming
 * request waits for, so the web server's drain does not either) is waited for after the web server stopped,
 * within {@code spring.lifecycle.timeout-per-shutdown-phase}, though {@code aioduct.shutdown.grace} is tiny.
 */
class GracefulShutdownWebServerTest extends NoLeaks {
    private static final BlockingQueue<ServerExchange> held = new LinkedBlockingQueue<>();
    private static volatile CompletableFuture<Response> background = new CompletableFuture<>();
    private TestServer backend;

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @RestController
    static class Relay {
        private final AioductClient client;
        private final String backend;

        Relay(AioductClient client, @Value("${backend}") String backend) {
            this.client = client;
            this.backend = backend;
        }

        /** Answers at once, leaving a request to the backend running (an audit call, say). */
        @GetMapping("/later")
        String later() {
            background = client.get(backend).send();
            return "accepted";
        }
    }

    @BeforeEach
    void startBackend() {
        held.clear();
        backend = TestServer.start();
        backend.route("/hold", (req, ex) -> held.add(ex));
    }

    @AfterEach
    void stopBackend() {
        backend.close();
    }

    @Test
    void aBackgroundRequestIsWaitedForAfterTheWebServerStopped() throws Exception {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(Relay.class)
                .properties(
                        "server.port=0",
                        "server.address=127.0.0.1",
                        "server.shutdown=graceful",
                        "spring.lifecycle.timeout-per-shutdown-phase=60s",
                        "aioduct.shutdown.grace=1ms",
                        "backend=" + backend.uri("/hold"),
                        "spring.main.banner-mode=off")
                .run();
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        HttpEngine engine = context.getBean(HttpEngine.class);
        AioductGracefulShutdownLifecycle lifecycle = context.getBean(AioductGracefulShutdownLifecycle.class);
        try {
            try (HttpClient jdk = HttpClient.newHttpClient()) {
                assertThat(jdk.send(get(port, "/later"), HttpResponse.BodyHandlers.ofString())
                                .body())
                        .isEqualTo("accepted");
            }
            ServerExchange audit = held.poll(10, TimeUnit.SECONDS);
            assertThat(audit).isNotNull();

            CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
            // The web server drained and stopped before the aioduct phase began, which now waits for the audit.
            while (lifecycle.isRunning()) Thread.sleep(5);
            assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
            assertThat(engine.isClosed()).isFalse();
            audit.respond(200, "audited");
            try (Response response = background.get(10, TimeUnit.SECONDS)) {
                assertThat(response.body().string()).isEqualTo("audited");
            }
            closing.get(30, TimeUnit.SECONDS);
            assertThat(engine.runtime().isClosed()).isTrue();
        } finally {
            context.close();
        }
    }

    private static HttpRequest get(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .build();
    }
}
