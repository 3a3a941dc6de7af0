package io.aioduct.engine;

import io.aioduct.AioductException;
import io.aioduct.ConnectFailedException;
import io.aioduct.Request;
import io.aioduct.RequestCancelledException;
import io.aioduct.TimedOutException;
import io.aioduct.concurrent.Completions;
import java.time.Duration;

/**
 * How getting a connection fails, for both exchange drivers: which timeout bounds the wait for the pool
 * (the acquire timeout, or what is left of the total timeout) and so which one fired, and how a failed
 * or interrupted wait or connect becomes an exception of the hierarchy. Once an exchange is on a
 * connection, its timeouts are {@link io.aioduct.exchange.Timeouts}'s.
 *
 * <p>Stateless; the exchanges pass what their clock read.
 */
final class CheckoutFailures {
    private CheckoutFailures() {}

    /**
     * How long a request may wait for the pool: the acquire timeout or what is left of the total
     * timeout ({@code remainingTotal}, 0 = none), whichever is sooner; 0 when neither limits it.
     */
    static long waitLimit(long acquireNanos, long remainingTotal) {
        return Deadlines.min(acquireNanos, remainingTotal);
    }

    /**
     * The wait bounded by {@link #waitLimit} with the same arguments ran out: the total timeout fired
     * if it was the sooner (or the only) limit, else the acquire timeout.
     */
    static TimedOutException waitTimedOut(Request request, long acquireNanos, long remainingTotal, long totalNanos) {
        boolean byTotal = acquireNanos == 0 || (remainingTotal != 0 && remainingTotal < acquireNanos);
        if (byTotal) {
            return new TimedOutException(
                    TimedOutException.Kind.TOTAL,
                    Duration.ofNanos(totalNanos),
                    "waiting for a connection to " + request.origin() + " for " + request);
        }
        return new TimedOutException(
                TimedOutException.Kind.ACQUIRE,
                Duration.ofNanos(acquireNanos),
                "waiting for a free connection to " + request.origin() + " (pool at its limit) for " + request);
    }

    /** The caller's thread was interrupted while waiting for the pool: it gave up. */
    static RequestCancelledException waitInterrupted(InterruptedException e) {
        return new RequestCancelledException("interrupted while waiting for a connection", e);
    }

    /**
     * A resolve or connect failed with {@code cause}: the caller gave up if it was {@code interrupted};
     * past the total deadline (0 = none) the total timeout fired; an {@link AioductException} (a TLS
     * failure, the connect timeout) stays what it is; anything else is a {@link ConnectFailedException}.
     */
    static RuntimeException connectFailed(
            Request request, Throwable cause, boolean interrupted, long totalDeadline, long totalNanos, long now) {
        if (interrupted) {
            return new RequestCancelledException("interrupted while connecting to " + request.origin(), cause);
        }
        if (totalDeadline != 0 && now - totalDeadline >= 0) {
            return new TimedOutException(
                    TimedOutException.Kind.TOTAL,
                    Duration.ofNanos(totalNanos),
                    "connecting to " + request.origin() + " for " + request);
        }
        Throwable t = Completions.unwrap(cause);
        if (t instanceof AioductException a) {
            return a;
        }
        return new ConnectFailedException("cannot connect to " + request.origin() + ": " + t, t);
    }
}
