package io.aioduct.http1;

import io.aioduct.exchange.ExchangeCall;
import io.aioduct.exchange.ExpectContinue;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The body of a request sent with {@code Expect: 100-continue} on an {@link Http1LoopConnection}, held
 * back after its head (the rule: {@link ExpectContinue}). It goes when the 100 (Continue) arrives ({@link
 * #release}) or when its timer fires; a final response first drops it for good ({@link #drop}). Only
 * requests that wait for a 100 ever arm the timer.
 *
 * <p>Threading: confined to the connection's event loop.
 */
final class LoopContinueWait implements Runnable {
    private final Http1LoopConnection connection;
    /** The exchange whose body is held; null when none is. */
    private @Nullable ExchangeCall held;
    /** The held body's framing ({@link RequestWriter#framing}). */
    private long framing;

    private @Nullable ScheduledFuture<?> timer;

    LoopContinueWait(Http1LoopConnection connection) {
        this.connection = connection;
    }

    /** Holds {@code c}'s body, whose head was just written, for at most {@code nanos}. */
    void hold(ExchangeCall c, long framing, long nanos) {
        held = c;
        this.framing = framing;
        timer = connection.loop().schedule(this, nanos, TimeUnit.NANOSECONDS);
    }

    /** The 100 (Continue) arrived: the held body, if any, goes now. */
    void release() {
        ExchangeCall c = held;
        if (c == null) {
            return;
        }
        drop();
        connection.writeBody(c, framing);
    }

    /**
     * Forgets the held body, if any: a final response arrived first (the body is never sent), or the
     * exchange ended. Returns whether a body was held.
     */
    boolean drop() {
        ScheduledFuture<?> t = timer;
        timer = null;
        if (t != null) {
            t.cancel(false);
        }
        boolean wasHeld = held != null;
        held = null;
        return wasHeld;
    }

    /** The wait ran out with no answer: the body goes anyway (RFC 9110 §10.1.1: never wait indefinitely). */
    @Override
    public void run() {
        timer = null;
        if (held != null && held == connection.call) {
            release();
        }
    }
}
