package io.aioduct.http2;

import io.aioduct.ConnectionClosedException;
import io.aioduct.RequestCancelledException;
import io.aioduct.Ticker;
import io.aioduct.body.Cumulation;
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
 * one lazily re-armed timer for every stream's timeouts, and PINGs the server when it has been silent
 * (the rules it shares with the blocking driver live in {@link H2Connection}).
 *
 * <p>Threading: all state is confined to the loop; {@link #cancel} and {@link #abortForShutdown} hop
 * onto it. The capacity the pool reads is published through a volatile field.
 */
public final class H2LoopConnection extends H2Connection implements LoopConnection {
    private final Channel channel;
    private final EventLoop loop;
    private final ConnectionOwner<LoopConnection> owner;

    private final List<H2LoopStream> streams = new ArrayList<>();
    private final Runnable timerTask = this::onTimer;

    private @Nullable ByteBuf cumulation;
    private boolean receiving;
    private @Nullable ScheduledFuture<?> timer;
    private long timerAt;
    private @Nullable Throwable closeCause;
    private @Nullable String closeReason;

    /** Takes over {@code channel} (connected, TLS done if any), sends the preface. On the channel's loop. */
    public H2LoopConnection(
            Channel channel,
            ConnectionOwner<LoopConnection> owner,
            Http2Options options,
            Http1Options bodyOptions,
            Ticker ticker,
            ConnectionTag tag) {
        super(options, bodyOptions, channel.alloc(), null, ticker, tag, channel.remoteAddress());
        this.channel = channel;
        this.loop = channel.eventLoop();
        this.owner = owner;
        session.start(); // the preface goes first, before anything read can queue a reply
        channel.pipeline().addLast("aioduct-h2", new Inbound());
        flush();
        armTimer(nextPing());
        // The connector left reading off until now (see LoopDialer): the server's SETTINGS reach us.
        channel.config().setAutoRead(true);
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    // ---- PooledConnection ----

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
        stream.call().release(this, keepsStreams());
    }

    @Override
    public void cancel(ExchangeCall call, String reason) {
        onLoop(() -> {
            for (H2LoopStream s : new ArrayList<>(streams)) {
                if (s.call() == call) {
                    s.reset(new RequestCancelledException(reason));
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

    @Override
    boolean transportOpen() {
        return channel.isActive();
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

    /** The channel's events, on the loop. */
    private final class Inbound extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            read((ByteBuf) msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            inactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (closeCause == null) {
                closeCause = cause;
            }
            alive = false;
            channel.close();
        }
    }

    private void read(ByteBuf msg) {
        ByteBuf in = msg;
        if (cumulation != null) {
            in = Cumulation.join(
                    cumulation, in, channel.alloc().buffer(cumulation.readableBytes() + in.readableBytes()));
            cumulation = null;
        }
        receiving = true;
        try {
            cumulation = feed(in);
        } finally {
            receiving = false;
        }
        flush();
        notifyCapacity();
        if (session.closed()) {
            alive = false;
            if (closeReason == null && tag.observed()) closeReason = "HTTP/2 session ended: " + session.closeCause();
            channel.close();
        }
    }

    private void inactive() {
        alive = false; // before the streams hear of it: a retry must not come back here
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
        session.transportClosed(new ConnectionClosedException(
                "HTTP/2 connection to " + channel.remoteAddress() + " closed"
                        + (closeCause != null ? ": " + closeCause : " by the server"),
                closeCause));
        transportGone();
        owner.closed(this);
        if (tag.observed()) {
            tag.closed(
                    closeReason != null
                            ? closeReason
                            : closeCause != null ? "error: " + closeCause : "closed by the peer");
        }
    }

    // ---- Http2Session.Listener ----

    @Override
    public void onCapacityChanged() {
        super.onCapacityChanged();
        // While a read is fed to the session, the pool hears once, after it (see read).
        if (!receiving) {
            notifyCapacity();
        }
    }

    @Override
    void pingAnswered() {
        // The next PING is due an interval after this answer, not when the answer's timeout would be.
        armTimer(nextPing());
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
        timer = loop.schedule(timerTask, Math.max(0, deadline - ticker.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void onTimer() {
        timer = null;
        if (!alive || session.closed()) {
            return;
        }
        long now = ticker.nanoTime();
        long next = Long.MAX_VALUE;
        for (H2LoopStream s : new ArrayList<>(streams)) {
            next = Math.min(next, s.checkDeadlines(now));
        }
        next = Math.min(next, checkPing(now));
        flush();
        if (alive) {
            armTimer(next);
        } else {
            channel.close(); // a PING went unanswered: its GOAWAY is flushed
        }
    }

    @Override
    public String toString() {
        return "H2LoopConnection[" + channel + ", streams=" + streams.size() + ", capacity=" + capacity() + "]";
    }
}
