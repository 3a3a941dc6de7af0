package io.aioduct.engine;

import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.TimedOutException;
import io.aioduct.exchange.Retry;

/**
 * Whether a failed attempt of an exchange goes out again, and how: the one decision both drivers
 * ({@link LoopExchange} on the loops, {@link BlockingExchange} on blocking sockets) make after a
 * connection reported a failure before the response was delivered.
 *
 * <p>A request is sent again only when the server provably did not process it, or (for an idempotent
 * request) most likely did not: never after a timeout (the server may be working on it, and sending it
 * again would double both the load and the caller's wait), never once the caller gave up (cancelled, or
 * interrupted its thread), never on a shut-down engine.
 */
enum NextAttempt {
    /** Nothing left the client: to another connection, without using up the retry. */
    REQUEUE,
    /** Sent once more, on a connection of its own when {@link #freshConnection} says so. */
    RETRY,
    /** The failure is final. */
    FAIL;

    /**
     * How often a request that never left the client goes to another connection before it fails: a few
     * connections closing under it in a row is a coincidence, more is a server turning everything away.
     */
    static final int MAX_REQUEUES = 3;

    /**
     * Decides what follows a failed attempt.
     *
     * @param failure what the attempt failed with
     * @param retry how the connection judged the failure
     * @param requeues how often this exchange was already requeued
     * @param retries how often this exchange was already retried (one retry at most)
     * @param cancelled whether the caller gave up on the exchange (cancelled its future, interrupted)
     * @param engineClosed whether the engine is shutting down
     */
    static NextAttempt after(
            Throwable failure,
            Retry retry,
            Request request,
            int requeues,
            int retries,
            boolean cancelled,
            boolean engineClosed) {
        if (failure instanceof TimedOutException || cancelled || engineClosed) {
            return FAIL;
        }
        if (retry == Retry.NOT_SENT && requeues < MAX_REQUEUES) {
            return REQUEUE;
        }
        boolean allowed = switch (retry) {
            case NEVER -> false;
            // Requeued too often already: what is left is the ordinary retry.
            case NOT_SENT -> true;
            // A reused connection broke before any response byte: the server most likely closed it
            // while it sat idle, but may have seen the request.
            case IF_IDEMPOTENT -> request.idempotent();
            // The server refused the stream or went away before it: it never saw the request.
            case UNPROCESSED -> true;
        };
        return allowed && retries == 0 && repeatableBody(request) ? RETRY : FAIL;
    }

    /** Whether a retry after {@code retry} must avoid pooled connections (they may be stale as well). */
    static boolean freshConnection(Retry retry) {
        return retry == Retry.IF_IDEMPOTENT;
    }

    private static boolean repeatableBody(Request request) {
        RequestBody body = request.body();
        return body == null || body.repeatable();
    }
}
