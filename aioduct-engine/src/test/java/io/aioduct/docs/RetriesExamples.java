package io.aioduct.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.Aioduct;
import io.aioduct.AioductClient;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import io.aioduct.engine.HttpEngine;
import io.aioduct.policy.RetryPolicy;
import io.aioduct.testing.EngineTest;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The code of docs/retries.md, run. */
class RetriesExamples extends EngineTest {

    @Test
    void retryingBusyResponses() {
        AtomicInteger calls = new AtomicInteger();
        server.route("/", (req, ex) -> ex.respond(calls.getAndIncrement() == 0 ? 503 : 200, "hi"));
        String url = server.uri("/");
        HttpEngine engine = track(Aioduct.pooled());
        {
            // tag::statuses[]
            AioductClient client = AioductClient.builder(engine)
                    .retries(RetryPolicy.defaults() // 3 attempts, connection failures, budget 20% + 10
                            .withStatuses(429, 503) // Retry-After honoured, up to 30 s
                            .withBackoff(Duration.ofMillis(1), Duration.ofMillis(1))) // the example's only
                    .build();
            try (Response response = client.get(url).execute()) {
                // One 503, then the 200.
                assertThat(response.status()).isEqualTo(200);
            }
            // end::statuses[]
        }
    }

    @Test
    void postWithAnIdempotencyKey() {
        AtomicInteger calls = new AtomicInteger();
        server.route("/orders", (req, ex) -> ex.respond(calls.getAndIncrement() == 0 ? 503 : 201, "created"));
        String url = server.uri("/orders");
        HttpEngine engine = track(Aioduct.pooled());
        {
            AioductClient client = AioductClient.builder(engine)
                    .retries(RetryPolicy.defaults()
                            .withStatuses(503)
                            .withBackoff(Duration.ofMillis(1), Duration.ofMillis(1)))
                    .build();
            // tag::key[]
            // POST is not idempotent: it is retried only with a key the server de-duplicates on.
            Response response = client.post(url)
                    .header("Idempotency-Key", "order-7f3a")
                    .body(RequestBody.ofString("{\"sku\": 42}"))
                    .execute();
            // end::key[]
            try (response) {
                assertThat(response.status()).isEqualTo(201);
            }
        }
    }
}
