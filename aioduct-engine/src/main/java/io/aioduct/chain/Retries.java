package io.aioduct.chain;

import io.aioduct.ConnectFailedException;
import io.aioduct.ConnectionClosedException;
import io.aioduct.Origin;
import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import io.aioduct.StreamResetException;
import io.aioduct.TimedOutException;
import io.aioduct.event.EventListener;
import io.aioduct.policy.RetryPolicy;
import io.aioduct.policy.RetryPolicy.Failure;
import io.aioduct.proxy.ProxyConnectException;
import io.aioduct.tls.TlsHandshakeException;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The retry follow-up: sends a request again after a retried status or failure, as its {@link RetryPolicy}
 * says (the rules are on that class). Asked last among the follow-ups, so a redirect or a challenge is
 * answered first; its attempts count per call, across hops. One per client: the {@link RetryBudget} it keeps
 * is the client's. Thread-safe.
 *
 * <p>Beside the engine's own retry: a request the engine already resent at once (stale pooled connection,
 * refused HTTP/2 stream) and that failed again arrives here as one failed attempt.
 */
public final class Retries implements FollowUp {
    /** The {@link FollowUpCall} counter of retries sent. */
    static final String RETRIES = "retries";
    /** Set once the call paid into the budget. */
    private static final String COUNTED = "retries.counted";
    /** RFC 9113 §7: the server refused the stream before doing anything with it. */
    private static final long REFUSED_STREAM = 0x7;

    private final RetryPolicy policy;
    private final @Nullable RetryBudget budget;
    private final EventListener events;

    public Retries(RetryPolicy policy, EventListener events) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.budget = policy.hasBudget() ? new RetryBudget(policy.budgetRatio(), policy.budgetMinRetries()) : null;
        this.events = EventListener.guarded(events);
    }

    @Override
    public FollowUp.@Nullable Next onResponse(FollowUpCall call, Request sent, Response response) {
        countCall(call, sent);
        int status = response.status();
        if (!policy.statuses().contains(status) || !mayResend(call, sent, false)) {
            return null;
        }
        Duration delay;
        Duration retryAfter = RetryAfter.parse(response.headers().first("Retry-After"), policy.clock());
        if (retryAfter != null) {
            // The server said when; waiting longer than the caller allows means handing its answer back.
            if (retryAfter.compareTo(policy.maxRetryAfter()) > 0) return null;
            delay = retryAfter;
        } else {
            delay = policy.backoff(call.count(RETRIES) + 1);
        }
        if (budget != null && !budget.withdraw(sent.origin())) return null;
        int attempt = call.increment(RETRIES);
        events.retryOnStatus(sent, attempt, status, delay);
        FollowUpCall.discard(response);
        return new FollowUp.Next(sent, delay);
    }

    @Override
    public FollowUp.@Nullable Next onFailure(FollowUpCall call, Request sent, Throwable failure) {
        countCall(call, sent);
        Failure kind = classify(failure);
        if (kind == null || !policy.failures().contains(kind)) return null;
        if (!mayResend(call, sent, kind != Failure.CONNECTION_CLOSED)) return null;
        Duration delay = policy.backoff(call.count(RETRIES) + 1);
        if (budget != null && !budget.withdraw(sent.origin())) return null;
        int attempt = call.increment(RETRIES);
        events.retry(sent, attempt, failure);
        return new FollowUp.Next(sent, delay);
    }

    /** Which retried kind {@code failure} is, or null for one never retried. */
    static @Nullable Failure classify(Throwable failure) {
        return switch (failure) {
            case TlsHandshakeException tls -> null;
            // The proxy wants (other) credentials: sending the same again cannot help; Authentication answers.
            case ProxyConnectException proxy
            when proxy.reason() == ProxyConnectException.Reason.AUTHENTICATION_REQUIRED -> null;
            case ConnectFailedException connect -> Failure.CONNECT_FAILED;
            case TimedOutException timeout ->
                timeout.kind() == TimedOutException.Kind.CONNECT
                                || timeout.kind() == TimedOutException.Kind.TLS_HANDSHAKE
                        ? Failure.CONNECT_TIMEOUT
                        : null;
            case StreamResetException reset -> reset.errorCode() == REFUSED_STREAM ? Failure.REFUSED_STREAM : null;
            case ConnectionClosedException closed -> Failure.CONNECTION_CLOSED;
            default -> null;
        };
    }

    /**
     * Whether one more attempt is allowed and safe: attempts left, a body that can be sent again, and an
     * idempotent request unless the server surely never saw it ({@code unprocessed}).
     */
    private boolean mayResend(FollowUpCall call, Request sent, boolean unprocessed) {
        if (call.count(RETRIES) + 1 >= policy.maxAttempts()) return false;
        RequestBody body = sent.body();
        if (body != null && !body.repeatable()) return false;
        return unprocessed
                || sent.idempotent()
                || policy.retriesNonIdempotent()
                || sent.headers().contains("Idempotency-Key");
    }

    /** Each call pays its share into the budget once, when its first answer (or failure) comes back. */
    private void countCall(FollowUpCall call, Request sent) {
        if (budget != null && call.count(COUNTED) == 0) {
            call.increment(COUNTED);
            budget.deposit(sent.origin());
        }
    }

    /** Whole retries still in {@code origin}'s budget; for tests. */
    long budgetAvailable(Origin origin) {
        return budget == null ? Long.MAX_VALUE : budget.available(origin);
    }

    @Override
    public String toString() {
        return "Retries[" + policy + "]";
    }
}
