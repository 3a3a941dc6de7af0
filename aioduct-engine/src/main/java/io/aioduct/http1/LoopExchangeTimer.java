package io.aioduct.http1;

import io.aioduct.Ticker;
import io.aioduct.TimedOutException;
import io.aioduct.exchange.ExchangeCall;
import io.aioduct.exchange.Retry;
import io.aioduct.exchange.Timeouts;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The response, read and total timeouts of the exchanges on one {@link Http1LoopConnection}, enforced
 * with a single timer per connection. {@link Timeouts} says which deadline comes next and which
 * fired; a fired timeout fails the exchange through the connection.
 *
 * <p>Re-armed lazily: a timer already due no later than the next deadline is left alone (bytes arriving
 * only push the read deadline later), and when it fires early it re-arms for what is due then. A timer
 * left from an exchange that ended finds no exchange, or re-arms for the next one.
 *
 * <p>Threading: confined to the connection's event loop.
 */
final class LoopExchangeTimer implements Runnable {
    private final Http1LoopConnection connection;
    private final LoopResponseReader reader;
    private final EventLoop loop;
    private final Ticker ticker;

    private @Nullable ScheduledFuture<?> scheduled;
    private long scheduledAt;
    /** When the running exchange's request was sent: the response timeout's start. */
    private long startedAt;

    LoopExchangeTimer(Http1LoopConnection connection, LoopResponseReader reader, EventLoop loop, Ticker ticker) {
        this.connection = connection;
        this.reader = reader;
        this.loop = loop;
        this.ticker = ticker;
    }

    /** An exchange starts at {@code now}; {@link #arm} once its request is on its way. */
    void exchangeStarted(long now) {
        startedAt = now;
    }

    /** Makes sure the timer fires by the running exchange's next deadline. */
    void arm(long now) {
        ExchangeCall c = connection.call;
        if (c == null) {
            return;
        }
        long next =
                Timeouts.nextDeadline(c, startedAt, reader.lastReadAt(), connection.awaitingHead(), reader.paused());
        if (next == Long.MAX_VALUE || (scheduled != null && scheduledAt <= next)) {
            return;
        }
        if (scheduled != null) {
            scheduled.cancel(false);
        }
        scheduledAt = next;
        scheduled = loop.schedule(this, Math.max(0, next - now), TimeUnit.NANOSECONDS);
    }

    /** The timer fired: fail the exchange if one of its timeouts did, else re-arm. */
    @Override
    public void run() {
        scheduled = null;
        ExchangeCall c = connection.call;
        if (c == null) {
            return;
        }
        long now = ticker.nanoTime();
        TimedOutException fired =
                Timeouts.fired(c, now, startedAt, reader.lastReadAt(), connection.awaitingHead(), reader.paused());
        if (fired != null) {
            connection.fail(fired, Retry.NEVER);
        } else {
            arm(now);
        }
    }
}
