package io.aioduct.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.policy.RetryPolicy;
import io.aioduct.policy.RetryPolicy.Failure;
import io.aioduct.policy.RetryPolicy.Jitter;
import io.aioduct.spring.testing.NoLeaks;
import io.aioduct.testing.TestServer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.RestClient;

/** {@code aioduct.retry.*} reaches the client bean and the Spring clients on it; bad values fail start-up. */
class RetryPropertiesTest extends NoLeaks {

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(AioductAutoConfiguration.class));

    private TestServer server;

    @BeforeEach
    void startServer() {
        server = TestServer.start();
        AtomicInteger calls = new AtomicInteger();
        server.route("/flaky", (req, ex) -> ex.respond(calls.getAndIncrement() == 0 ? 503 : 200, "call " + calls));
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void retriesAreOffByDefault() {
        runner.run(context -> {
            assertThat(context.getBean(AioductClient.class).retries()).isSameAs(RetryPolicy.none());
            RestClient rest = context.getBean(AioductClients.class)
                    .restClientBuilder(AioductClients.DEFAULT)
                    .build();
            try {
                rest.get().uri(server.uri("/flaky")).retrieve().toEntity(String.class);
                throw new AssertionError("the 503 was retried");
            } catch (HttpServerErrorException.ServiceUnavailable expected) {
                assertThat(server.requestCount()).isEqualTo(1);
            }
        });
    }

    @Test
    void everyPropertyReachesThePolicy() {
        runner.withPropertyValues(
                        "aioduct.retry.enabled=true",
                        "aioduct.retry.max-attempts=4",
                        "aioduct.retry.statuses=429,503",
                        "aioduct.retry.failures=connect-failed,refused-stream",
                        "aioduct.retry.initial-backoff=50ms",
                        "aioduct.retry.max-backoff=2s",
                        "aioduct.retry.jitter=equal",
                        "aioduct.retry.max-retry-after=5s",
                        "aioduct.retry.non-idempotent=true",
                        "aioduct.retry.budget.ratio=0.5",
                        "aioduct.retry.budget.min-retries=3")
                .run(context -> {
                    RetryPolicy p = context.getBean(AioductClient.class).retries();
                    assertThat(p.maxAttempts()).isEqualTo(4);
                    assertThat(p.statuses()).containsExactly(429, 503);
                    assertThat(p.failures()).containsExactlyInAnyOrder(Failure.CONNECT_FAILED, Failure.REFUSED_STREAM);
                    assertThat(p.baseBackoff()).isEqualTo(Duration.ofMillis(50));
                    assertThat(p.maxBackoff()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(p.jitter()).isEqualTo(Jitter.EQUAL);
                    assertThat(p.maxRetryAfter()).isEqualTo(Duration.ofSeconds(5));
                    assertThat(p.retriesNonIdempotent()).isTrue();
                    assertThat(p.budgetRatio()).isEqualTo(0.5);
                    assertThat(p.budgetMinRetries()).isEqualTo(3);
                });
    }

    @Test
    void enabledAloneRetriesConnectionFailuresWithTheEngineDefaults() {
        runner.withPropertyValues("aioduct.retry.enabled=true", "aioduct.retry.budget.enabled=false")
                .run(context -> {
                    RetryPolicy p = context.getBean(AioductClient.class).retries();
                    assertThat(p.maxAttempts()).isEqualTo(RetryPolicy.DEFAULT_MAX_ATTEMPTS);
                    assertThat(p.statuses()).isEmpty();
                    assertThat(p.failures()).containsExactlyInAnyOrder(Failure.values());
                    assertThat(p.hasBudget()).isFalse();
                });
    }

    @Test
    void theSpringClientsRetryAsTheClientBeanDoes() {
        runner.withPropertyValues(
                        "aioduct.retry.enabled=true",
                        "aioduct.retry.statuses=503",
                        // A real wait, but a negligible one: the engine's own tests inject the delays.
                        "aioduct.retry.initial-backoff=1ms",
                        "aioduct.retry.max-backoff=1ms")
                .run(context -> {
                    RestClient rest = context.getBean(AioductClients.class)
                            .restClientBuilder(AioductClients.DEFAULT)
                            .build();
                    ResponseEntity<String> response =
                            rest.get().uri(server.uri("/flaky")).retrieve().toEntity(String.class);
                    assertThat(response.getStatusCode().value()).isEqualTo(200);
                    assertThat(server.requestCount()).isEqualTo(2);
                });
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "aioduct.retry.max-attempts=0 | aioduct.retry.max-attempts must be at least 1",
                "aioduct.retry.statuses=503,200 | aioduct.retry.statuses must list error statuses (400 to 599), not 200",
                "aioduct.retry.initial-backoff=0s | aioduct.retry.initial-backoff must be positive",
                "aioduct.retry.max-backoff=-1s | aioduct.retry.max-backoff must be positive",
                "aioduct.retry.initial-backoff=20s | aioduct.retry.max-backoff must not be shorter than",
                "aioduct.retry.max-retry-after=-1s | aioduct.retry.max-retry-after must not be negative",
                "aioduct.retry.budget.ratio=-1 | aioduct.retry.budget.ratio must be between 0 and 1000",
                "aioduct.retry.budget.min-retries=-2 | aioduct.retry.budget.min-retries must be 0 or more"
            })
    void aBadValueFailsStartUpNamingTheProperty(String property, String message) {
        runner.withPropertyValues("aioduct.retry.enabled=true", property.strip())
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause().hasMessageContaining(message.strip());
                });
    }

    @Test
    void anUnknownFailureKindFailsStartUpNamingTheProperty() {
        runner.withPropertyValues("aioduct.retry.failures=timeouts").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining("aioduct.retry.failures");
        });
    }
}
