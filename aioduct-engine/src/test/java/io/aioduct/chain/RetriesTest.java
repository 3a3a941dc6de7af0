package io.aioduct.chain;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.BodyTooLargeException;
import io.aioduct.ConnectFailedException;
import io.aioduct.ConnectionClosedException;
import io.aioduct.HttpProtocolException;
import io.aioduct.PoolExhaustedException;
import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.RequestCancelledException;
import io.aioduct.Response;
import io.aioduct.StreamResetException;
import io.aioduct.TimedOutException;
import io.aioduct.event.EventListener;
import io.aioduct.policy.RetryPolicy;
import io.aioduct.policy.RetryPolicy.Failure;
import io.aioduct.policy.RetryPolicy.Jitter;
import io.aioduct.tls.TlsHandshakeException;
import java.io.ByteArrayInputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The retry decisions, one response or failure at a time, on made-up responses: no network, no clock. */
class RetriesTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);
    /** Back-off 100 ms doubling, no jitter, no budget: each decision's delay is exact. */
    private static final RetryPolicy POLICY = RetryPolicy.defaults()
            .withStatuses(429, 503)
            .withBackoff(Duration.ofMillis(100), Duration.ofSeconds(10))
            .withJitter(Jitter.NONE)
            .withoutBudget()
            .withClock(CLOCK);

    private final List<String> events = new ArrayList<>();
    private final EventListener listener = new EventListener() {
        @Override
        public void retry(Request request, int attempt, Throwable cause) {
            events.add("retry " + attempt + " " + cause.getClass().getSimpleName());
        }

        @Override
        public void retryOnStatus(Request request, int attempt, int status, Duration delay) {
            events.add("retryOnStatus " + attempt + " " + status + " " + delay.toMillis());
        }
    };

    private static Request get() {
        return Request.builder("GET", "http://example.test/items").build();
    }

    private static Request post(RequestBody body) {
        return Request.builder("POST", "http://example.test/items").body(body).build();
    }

    private static Response response(Request request, int status, String... headers) {
        Response.Builder b = Response.builder(request, status);
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return b.body("x").build();
    }

    private static FollowUpCall call(Request request) {
        return new FollowUpCall(request);
    }

    @Test
    void aRetriedStatusIsSentAgainAfterTheBackoffUntilAttemptsRunOut() {
        Retries retries = new Retries(POLICY, listener);
        Request get = get();
        FollowUpCall call = call(get);
        FollowUp.Next first = retries.onResponse(call, get, response(get, 503));
        assertThat(first).isEqualTo(new FollowUp.Next(get, Duration.ofMillis(100)));
        FollowUp.Next second = retries.onResponse(call, get, response(get, 503));
        assertThat(second).isEqualTo(new FollowUp.Next(get, Duration.ofMillis(200)));
        Response last = response(get, 503);
        assertThat(retries.onResponse(call, get, last)).as("3 attempts made").isNull();
        assertThat(last.body().string())
                .as("the last response is handed back untouched")
                .isEqualTo("x");
        assertThat(events).containsExactly("retryOnStatus 1 503 100", "retryOnStatus 2 503 200");
    }

    @Test
    void otherStatusesAreHandedBack() {
        Retries retries = new Retries(POLICY, listener);
        Request get = get();
        assertThat(retries.onResponse(call(get), get, response(get, 500))).isNull();
        assertThat(retries.onResponse(call(get), get, response(get, 200))).isNull();
        assertThat(new Retries(RetryPolicy.defaults(), listener).onResponse(call(get), get, response(get, 503)))
                .as("no status is retried by default")
                .isNull();
        assertThat(events).isEmpty();
    }

    @Test
    void retryAfterInSecondsOrAsADateReplacesTheBackoff() {
        Retries retries = new Retries(POLICY, listener);
        Request get = get();
        assertThat(retries.onResponse(call(get), get, response(get, 429, "Retry-After", "3")))
                .isEqualTo(new FollowUp.Next(get, Duration.ofSeconds(3)));
        assertThat(retries.onResponse(
                        call(get), get, response(get, 503, "Retry-After", "Wed, 01 Jan 2025 00:00:07 GMT")))
                .isEqualTo(new FollowUp.Next(get, Duration.ofSeconds(7)));
        assertThat(retries.onResponse(
                        call(get), get, response(get, 503, "Retry-After", "Tue, 31 Dec 2024 00:00:00 GMT")))
                .as("a past date: at once")
                .isEqualTo(new FollowUp.Next(get, Duration.ZERO));
        assertThat(retries.onResponse(call(get), get, response(get, 503, "Retry-After", "whenever")))
                .as("garbage: the policy's own back-off")
                .isEqualTo(new FollowUp.Next(get, Duration.ofMillis(100)));
    }

    @Test
    void aRetryAfterLongerThanTheCapHandsTheResponseBack() {
        Retries retries = new Retries(POLICY.withMaxRetryAfter(Duration.ofSeconds(10)), listener);
        Request get = get();
        assertThat(retries.onResponse(call(get), get, response(get, 503, "Retry-After", "11")))
                .isNull();
        assertThat(retries.onResponse(call(get), get, response(get, 503, "Retry-After", "10")))
                .isNotNull();
        assertThat(retries.onResponse(
                        call(get), get, response(get, 503, "Retry-After", "Wed, 01 Jan 2025 01:00:00 GMT")))
                .isNull();
    }

    @Test
    void nonIdempotentRequestsNeedAnIdempotencyKeyOrTheOptIn() {
        Request post = post(RequestBody.ofString("order"));
        assertThat(new Retries(POLICY, listener).onResponse(call(post), post, response(post, 503)))
                .isNull();
        Request keyed = post.toBuilder().header("Idempotency-Key", "k-1").build();
        assertThat(new Retries(POLICY, listener).onResponse(call(keyed), keyed, response(keyed, 503)))
                .isNotNull();
        assertThat(new Retries(POLICY.withNonIdempotent(true), listener)
                        .onResponse(call(post), post, response(post, 503)))
                .isNotNull();
        Request put = Request.builder("PUT", "http://example.test/items/1")
                .body(RequestBody.ofString("v"))
                .build();
        assertThat(new Retries(POLICY, listener).onResponse(call(put), put, response(put, 503)))
                .as("PUT is idempotent")
                .isNotNull();
    }

    @Test
    void aBodyThatCannotBeSentAgainIsNeverResent() {
        Request oneShot = Request.builder("PUT", "http://example.test/items/1")
                .body(RequestBody.ofInputStream(new ByteArrayInputStream(new byte[] {1, 2}), 2))
                .build();
        Retries retries = new Retries(POLICY.withNonIdempotent(true), listener);
        assertThat(retries.onResponse(call(oneShot), oneShot, response(oneShot, 503)))
                .isNull();
        assertThat(retries.onFailure(call(oneShot), oneShot, new ConnectFailedException("refused", null)))
                .isNull();
        assertThat(events).isEmpty();
    }

    @Test
    void failuresAreSortedIntoTheKindsTheyAre() {
        assertThat(Retries.classify(new ConnectFailedException("refused", null)))
                .isEqualTo(Failure.CONNECT_FAILED);
        assertThat(Retries.classify(new TimedOutException(TimedOutException.Kind.CONNECT, Duration.ofSeconds(1), "x")))
                .isEqualTo(Failure.CONNECT_TIMEOUT);
        assertThat(Retries.classify(
                        new TimedOutException(TimedOutException.Kind.TLS_HANDSHAKE, Duration.ofSeconds(1), "x")))
                .isEqualTo(Failure.CONNECT_TIMEOUT);
        assertThat(Retries.classify(new StreamResetException(3, 0x7, "REFUSED_STREAM")))
                .isEqualTo(Failure.REFUSED_STREAM);
        assertThat(Retries.classify(new ConnectionClosedException("closed", null)))
                .isEqualTo(Failure.CONNECTION_CLOSED);
        for (Throwable never : List.of(
                new RequestCancelledException("cancelled"),
                new BodyTooLargeException(10, "x"),
                new HttpProtocolException("bad"),
                new PoolExhaustedException("full"),
                new TlsHandshakeException(TlsHandshakeException.Reason.UNTRUSTED_CERTIFICATE, "bad certificate", null),
                new StreamResetException(3, 0x2, "INTERNAL_ERROR"),
                new TimedOutException(TimedOutException.Kind.RESPONSE, Duration.ofSeconds(1), "x"),
                new TimedOutException(TimedOutException.Kind.READ, Duration.ofSeconds(1), "x"),
                new TimedOutException(TimedOutException.Kind.ACQUIRE, Duration.ofSeconds(1), "x"),
                new TimedOutException(TimedOutException.Kind.TOTAL, Duration.ofSeconds(1), "x"),
                new IllegalStateException("bug"))) {
            assertThat(Retries.classify(never)).as("%s", never).isNull();
        }
    }

    @Test
    void failuresBeforeTheServerSawTheRequestAreRetriedForEveryMethod() {
        Retries retries = new Retries(POLICY, listener);
        Request post = post(RequestBody.ofString("order"));
        assertThat(retries.onFailure(call(post), post, new ConnectFailedException("refused", null)))
                .isEqualTo(new FollowUp.Next(post, Duration.ofMillis(100)));
        assertThat(retries.onFailure(call(post), post, new StreamResetException(1, 0x7, "REFUSED_STREAM")))
                .isNotNull();
        assertThat(retries.onFailure(call(post), post, new ConnectionClosedException("reset", null)))
                .as("the server may have processed it")
                .isNull();
        Request get = get();
        assertThat(retries.onFailure(call(get), get, new ConnectionClosedException("reset", null)))
                .isNotNull();
        assertThat(events)
                .containsExactly(
                        "retry 1 ConnectFailedException",
                        "retry 1 StreamResetException",
                        "retry 1 ConnectionClosedException");
    }

    @Test
    void neverACancelledCallOrAFailureKindLeftOut() {
        Retries retries = new Retries(POLICY.withFailures(Failure.CONNECT_TIMEOUT), listener);
        Request get = get();
        assertThat(retries.onFailure(call(get), get, new RequestCancelledException("cancelled")))
                .isNull();
        assertThat(retries.onFailure(call(get), get, new ConnectFailedException("refused", null)))
                .isNull();
        assertThat(retries.onFailure(
                        call(get),
                        get,
                        new TimedOutException(TimedOutException.Kind.CONNECT, Duration.ofSeconds(1), "x")))
                .isNotNull();
    }

    @Test
    void attemptsCountAcrossStatusesAndFailuresOfOneCall() {
        Retries retries = new Retries(POLICY, listener);
        Request get = get();
        FollowUpCall call = call(get);
        assertThat(retries.onFailure(call, get, new ConnectFailedException("refused", null)))
                .isNotNull();
        assertThat(retries.onResponse(call, get, response(get, 503)))
                .isEqualTo(new FollowUp.Next(get, Duration.ofMillis(200)));
        assertThat(retries.onFailure(call, get, new ConnectFailedException("refused", null)))
                .isNull();
    }

    @Test
    void theBudgetStopsRetriesOnceSpentAndEachCallEarnsItsShare() {
        // A reserve of 2 retries, and one more per 2 calls (ratio 0.5).
        Retries retries = new Retries(POLICY.withBudget(0.5, 2), listener);
        Request get = get();
        List<Boolean> retried = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            // Each call: its first attempt fails and would be retried.
            retried.add(retries.onFailure(call(get), get, new ConnectFailedException("refused", null)) != null);
        }
        // Tokens (at most 2): 2 (+0.5, capped) -1 = 1; +0.5 -1 = 0.5; +0.5 -1 = 0; +0.5 = 0.5: no;
        // +0.5 -1 = 0; +0.5 = 0.5: no. Two calls earn one retry once the reserve is spent.
        assertThat(retried).containsExactly(true, true, true, false, true, false);
        Request other = Request.builder("GET", "http://elsewhere.test/").build();
        assertThat(retries.onFailure(call(other), other, new ConnectFailedException("refused", null)))
                .as("another origin has a budget of its own")
                .isNotNull();
        assertThat(retries.budgetAvailable(get.origin())).isZero();
    }

    @Test
    void successfulCallsRefillTheBudgetUpToItsReserve() {
        Retries retries = new Retries(POLICY.withBudget(0.5, 1), listener);
        Request get = get();
        assertThat(retries.onFailure(call(get), get, new ConnectFailedException("refused", null)))
                .isNotNull();
        assertThat(retries.onFailure(call(get), get, new ConnectFailedException("refused", null)))
                .isNull();
        for (int i = 0; i < 10; i++) {
            assertThat(retries.onResponse(call(get), get, response(get, 200))).isNull();
        }
        assertThat(retries.budgetAvailable(get.origin()))
                .as("capped at the reserve")
                .isEqualTo(1);
    }
}
