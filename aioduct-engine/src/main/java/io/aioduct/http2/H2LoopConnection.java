package io.aioduct.http2;

import io.aioduct.ConnectionClosedException;
import io.aioduct.RequestCancelledException;
import io.aioduct.Ticker;
import io.aioduct.TimedOutException;
import io.aioduct.exchange.ConnectionOwner;
import io.aioduct.exchange.ConnectionTag;
import io.aioduct.exchange.ExchangeCall;
import io.aioduct.exchange.LoopConnection;
import io.aioduct.protocol.Http1Options;
import io.aioduct.protocol.Http2Options;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP/2 connection on a Netty channel: the {@link Http2Session} driven on the channel's event
 * loop, carrying many exchanges ({@link H2LoopStream}) at once. It is shared through the pool up to
 * the server's stream limit, tells the pool when that capacity changes (SETTINGS, GOAWAY, close), keeps
 * one lazily re-armed timer for every stream's timeouts, and PINGs the server when it has been silent.
 *
 * <p>Threading: all state is confined to the loop; {@link #cancel} and {@link #abortForShutdown} hop
 * onto it. The capacity the pool reads is published through a volatile field.
 */
public final class H2LoopConnection extends ChannelInboundHandlerAdapter
        implements LoopConnection, Http2Session.Listener {
    private final Channel channel;
    private final EventLoop loop;
    private final ConnectionOwner<LoopConnection> owner;
    private final Http2Options options;
    private final Http1Options bodyOptions;
    private final Http2Session session;
    /** The engine\'s clock: every time this connection measures comes from it. */
    private final Ticker ticker;

    private final List<H2LoopStream> streams = new ArrayList<>();
    private final Runnable timerTask = this::onTimer;

    private volatile int capacity;
    /** Whether the server's first SETTINGS arrived; written after {@link #capacity}, read by the pool. */
    private volatile boolean settled;

    private volatile boolean alive = true;
    private @Nullable ByteBuf cumulation;
    private boolean receiving;
    private boolean capacityDirty;
    private long lastReadAt;
    private long pingSentAt;
    private @Nullable ScheduledFuture<?> timer;
    private long timerAt;
    private @Nullable Throwable closeCause;
    private final ConnectionTag tag;
    private @Nullable String closeReason;

    /** Takes over {@code channel} (connected, TLS done if any), sends the preface. On the channel's loop. */
    public H2LoopConnection(
            Channel channel,
            ConnectionOwner<LoopConnection> owner,
            Http2Options options,
            Http1Options bodyOptions,
            Ticker ticker,
            ConnectionTag tag) {
        this.channel = channel;
        this.tag = tag;
        this.loop = channel.eventLoop();
        this.owner = owner;
        this.options = options;
        this.bodyOptions = bodyOptions;
        this.ticker = ticker;
        this.session = new Http2Session(options, channel.alloc(), this);
        // One stream until the server's SETTINGS tell its limit (see Http2Session.capacity()).
        this.capacity = session.capacity();
        this.lastReadAt = System.nanoTime();
        session.start(); // the preface goes first, before anything read can queue a reply
        channel.pipeline().addLast("aioduct-h2", this);
        flush();
        armPing();
        // The connector left reading off until now (see LoopDialer): the server's SETTINGS reach us.
        channel.config().setAutoRead(true);
    }

    Http2Session session() {
        return session;
    }

    Http1Options bodyOptions() {
        return bodyOptions;
    }

    @Override
    public ConnectionTag tag() {
        return tag;
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    // ---- PooledConnection ----

    @Override
    public boolean multiplexed() {
        return true;
    }

    @Override
    public int capacity() {
        return alive ? capacity : 0;
    }

    @Override
    public boolean capacitySettled() {
        return settled || !alive;
    }

    @Override
    public boolean isReusable() {
        return alive && capacity > 0 && channel.isActive();
    }

    @Override
    public void close(String reason) {
        if (closeReason == null) closeReason = reason;
        alive = false;
        onLoop(() -> {
            if (!session.closed()) {
                session.goAway(Frames.NO_ERROR, reason, new ConnectionClosedException(reason, null));
            }
            // Also when the session closed itself: its own GOAWAY may still be queued.
            flush();
            channel.close();
        });
    }

    // ---- exchanges ----

    @Override
    public void start(ExchangeCall call) {
        H2LoopStream stream = new H2LoopStream(this, call);
        streams.add(stream);
        stream.start();
        flush();
        notifyCapacity();
    }

    /** A stream is done: forget it, and its exchange gives its lease back. On the loop. */
    void streamDone(H2LoopStream stream) {
        streams.remove(stream);
        // One stream ending says nothing about the connection: it stays unless the connection itself died
        // (a GOAWAY already dropped its capacity to 0, which the pool sees).
        stream.call().release(alive && !session.closed());
    }

    @Override
    public void cancel(ExchangeCall call, String reason) {
        onLoop(() -> {
            for (H2LoopStream s : new ArrayList<>(streams)) {
                if (s.call() == call) {
                    s.abort(new RequestCancelledException(reason));
                }
            }
            flush();
        });
    }

    @Override
    public void abortForShutdown(String reason) {
        if (closeReason == null) closeReason = reason;
        alive = false;
        onLoop(() -> {
            session.goAway(Frames.NO_ERROR, reason, new RequestCancelledException(reason));
            flush();
            channel.close();
        });
    }

    void onLoop(Runnable r) {
        if (loop.inEventLoop()) {
            r.run();
        } else {
            loop.execute(r);
        }
    }

    /** Sends whatever the session queued. */
    void flush() {
        ByteBuf out = session.drainOutbound();
        if (out != null) {
            channel.writeAndFlush(out, channel.voidPromise());
        }
    }

    // ---- receiving ----

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        lastReadAt = System.nanoTime();
        pingSentAt = 0;
        if (cumulation != null) {
            ByteBuf merged = channel.alloc().buffer(cumulation.readableBytes() + in.readableBytes());
            merged.writeBytes(cumulation).writeBytes(in);
            cumulation.release();
            in.release();
            cumulation = null;
            in = merged;
        }
        receiving = true;
        try {
            session.receive(in);
        } finally {
            receiving = false;
            if (in.isReadable() && !session.closed()) {
                cumulation = in;
            } else {
                in.release();
            }
        }
        flush();
        notifyCapacity();
        if (session.closed()) {
            alive = false;
            if (closeReason == null && tag.observed()) closeReason = "HTTP/2 session ended: " + session.closeCause();
            channel.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        alive = false;
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
        session.transportClosed(new ConnectionClosedException(
                "HTTP/2 connection to " + channel.remoteAddress() + " closed"
                        + (closeCause != null ? ": " + closeCause : " by the server"),
                closeCause));
        capacity = 0;
        owner.closed(this);
        if (tag.observed()) {
            tag.closed(
                    closeReason != null
                            ? closeReason
                            : closeCause != null ? "error: " + closeCause : "closed by the peer");
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (closeCause == null) {
            closeCause = cause;
        }
        alive = false;
        channel.close();
    }

    // ---- Http2Session.Listener ----

    @Override
    public void onCapacityChanged() {
        capacity = session.capacity();
        settled = session.settingsReceived();
        capacityDirty = true;
        if (!receiving) {
            notifyCapacity();
        }
    }

    @Override
    public void onPingAcknowledged() {
        pingSentAt = 0;
        long interval = options.pingInterval().toNanos();
        if (interval > 0) {
            // The next PING is due an interval after this answer, not when the answer's timeout would be.
            armTimer(lastReadAt + interval);
        }
    }

    private void notifyCapacity() {
        if (capacityDirty) {
            capacityDirty = false;
            owner.capacityChanged(this);
        }
    }

    // ---- timers: one per connection, for every stream's deadlines and the keep-alive PING ----

    /** Makes sure the timer fires no later than {@code deadline}. */
    void armTimer(long deadline) {
        if (deadline == Long.MAX_VALUE || (timer != null && timerAt <= deadline)) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerAt = deadline;
        timer = loop.schedule(timerTask, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void armPing() {
        long interval = options.pingInterval().toNanos();
        if (interval > 0) {
            armTimer(lastReadAt + interval);
        }
    }

    private void onTimer() {
        timer = null;
        if (!alive || session.closed()) {
            return;
        }
        long now = System.nanoTime();
        long next = Long.MAX_VALUE;
        for (H2LoopStream s : new ArrayList<>(streams)) {
            next = Math.min(next, s.checkDeadlines(now));
        }
        next = Math.min(next, checkPing(now));
        flush();
        if (alive) {
            armTimer(next);
        }
    }

    /** Sends a keep-alive PING after silence; closes the connection if one goes unanswered. */
    private long checkPing(long now) {
        long interval = options.pingInterval().toNanos();
        if (interval == 0) {
            return Long.MAX_VALUE;
        }
        if (pingSentAt != 0) {
            long deadline = pingSentAt + options.pingTimeout().toNanos();
            if (now - deadline >= 0) {
                TimedOutException e = new TimedOutException(
                        TimedOutException.Kind.READ,
                        options.pingTimeout(),
                        "the HTTP/2 server " + channel.remoteAddress() + " did not answer a keep-alive PING");
                alive = false;
                session.goAway(Frames.NO_ERROR, "PING timeout", e);
                flush();
                channel.close();
                return Long.MAX_VALUE;
            }
            return deadline;
        }
        if (now - lastReadAt >= interval) {
            pingSentAt = now;
            session.ping(now);
            return now + options.pingTimeout().toNanos();
        }
        return lastReadAt + interval;
    }

    @Override
    public String toString() {
        return "H2LoopConnection[" + channel + ", streams=" + streams.size() + ", capacity=" + capacity + "]";
    }
}
