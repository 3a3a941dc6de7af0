package io.aioduct.exchange;

import io.aioduct.TimedOutException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Which of an exchange's timeouts comes next, and which one fired: the one rule every driver (HTTP/1.1
 * and HTTP/2, loop and blocking) applies, so a timeout is reported with the same kind and message
 * whichever runtime carried the request. Times are on the engine's {@link io.aioduct.Ticker} scale.
 *
 * <p>The total timeout bounds everything and wins a tie; the response timeout runs from the moment the
 * request was sent until the first byte of the response head; the read timeout is the longest wait for
 * the next byte, suspended while the caller is not reading (the client stopped asking for bytes, so
 * silence is its own doing). Stateless and thread-safe.
 */
public final class Timeouts {
    private Timeouts() {}

    /**
     * The instant at which the next of {@code spec}'s timeouts fires, or {@link Long#MAX_VALUE} if none is
     * armed.
     *
     * @param startedAt when the request was sent (the response timeout's start)
     * @param lastActivity when the last byte arrived (the read timeout's start)
     * @param awaitingHead whether the response head has not started arriving yet
     * @param readPaused whether reading is paused because the caller is not consuming the body
     */
    public static long nextDeadline(
            ExchangeSpec spec, long startedAt, long lastActivity, boolean awaitingHead, boolean readPaused) {
        long next = Long.MAX_VALUE;
        if (spec.totalDeadlineNanos() != 0) {
            next = spec.totalDeadlineNanos();
        }
        if (awaitingHead && spec.responseTimeoutNanos() > 0) {
            next = Math.min(next, startedAt + spec.responseTimeoutNanos());
        }
        if (spec.readTimeoutNanos() > 0 && !readPaused) {
            next = Math.min(next, lastActivity + spec.readTimeoutNanos());
        }
        return next;
    }

    /**
     * The timeout that has fired by {@code now}, as the exception the exchange fails with, or null if none
     * has. Checked in the order total, response, read.
     */
    public static @Nullable TimedOutException fired(
            ExchangeSpec spec, long now, long startedAt, long lastActivity, boolean awaitingHead, boolean readPaused) {
        TimedOutException.Kind kind;
        long nanos;
        if (spec.totalDeadlineNanos() != 0 && now - spec.totalDeadlineNanos() >= 0) {
            kind = TimedOutException.Kind.TOTAL;
            nanos = spec.totalTimeoutNanos();
        } else if (awaitingHead
                && spec.responseTimeoutNanos() > 0
                && now - (startedAt + spec.responseTimeoutNanos()) >= 0) {
            kind = TimedOutException.Kind.RESPONSE;
            nanos = spec.responseTimeoutNanos();
        } else if (spec.readTimeoutNanos() > 0 && !readPaused && now - (lastActivity + spec.readTimeoutNanos()) >= 0) {
            kind = TimedOutException.Kind.READ;
            nanos = spec.readTimeoutNanos();
        } else {
            return null;
        }
        return timedOut(spec, kind, nanos, awaitingHead);
    }

    /** The exception for a timeout of {@code kind} (lasting {@code nanos}) in the exchange's current phase. */
    public static TimedOutException timedOut(
            ExchangeSpec spec, TimedOutException.Kind kind, long nanos, boolean awaitingHead) {
        String phase = awaitingHead ? "waiting for the response head" : "reading the response body";
        return new TimedOutException(kind, Duration.ofNanos(nanos), phase + " of " + spec.request());
    }
}
