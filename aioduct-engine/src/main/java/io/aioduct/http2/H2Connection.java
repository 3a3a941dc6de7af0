package io.aioduct.http2;

import io.aioduct.Ticker;
import io.aioduct.TimedOutException;
import io.aioduct.body.BodyBuffer;
import io.aioduct.exchange.ConnectionTag;
import io.aioduct.exchange.PooledConnection;
import io.aioduct.protocol.Http1Options;
import io.aioduct.protocol.Http2Options;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.SocketAddress;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * What both HTTP/2 drivers ({@link H2LoopConnection} on an event loop, {@link H2BlockingConnection} over
 * a blocking socket) do the same way around their {@link Http2Session}: the capacity the pool reads
 * (the server's stream limit once its SETTINGS arrived, 0 once the connection is going), when the
 * connection can still be reused, and the keep-alive PING after silence. The drivers add only how bytes
 * move and how the session is guarded.
 *
 * <p>Threading: the session and the fields without {@code volatile} belong to whoever drives the
 * session (the loop, or the holder of the blocking connection's lock); {@link #capacity}, {@link
 * #capacitySettled} and {@link #isReusable} are read by the pool from any thread.
 */
abstract class H2Connection implements PooledConnection, Http2Session.Listener {
    final Http2Options options;
    private final Http1Options bodyOptions;
    final Http2Session session;
    /** The engine's clock: every time this connection measures comes from it. */
    final Ticker ticker;

    final ConnectionTag tag;
    /** The server's address, for messages. */
    private final @Nullable SocketAddress remoteAddress;
    /** Where response-body futures and subscriber signals run; null: on the thread that feeds the session. */
    private final @Nullable Executor bodyCallbacks;

    private volatile int capacity;
    /** Whether the server's first SETTINGS arrived; written after {@link #capacity}, read by the pool. */
    private volatile boolean settled;

    /** Whether the connection still takes streams: false once closing, closed or given up. */
    volatile boolean alive = true;
    /** The capacity changed since the pool was last told. */
    boolean capacityDirty;

    private long lastReadAt;
    private long pingSentAt;
    /** A keep-alive PING was queued by the last {@link #checkPing}, to be flushed before waiting. */
    boolean pingQueued;

    H2Connection(
            Http2Options options,
            Http1Options bodyOptions,
            ByteBufAllocator alloc,
            @Nullable Executor bodyCallbacks,
            Ticker ticker,
            ConnectionTag tag,
            @Nullable SocketAddress remoteAddress) {
        this.options = options;
        this.remoteAddress = remoteAddress;
        this.bodyOptions = bodyOptions;
        this.bodyCallbacks = bodyCallbacks;
        this.ticker = ticker;
        this.tag = tag;
        this.session = new Http2Session(options, alloc, this);
        // One stream until the server's SETTINGS tell its limit (see Http2Session.capacity()).
        this.capacity = session.capacity();
        this.lastReadAt = ticker.nanoTime();
    }

    Http2Session session() {
        return session;
    }

    /** Whether the transport underneath is still open. Any thread. */
    abstract boolean transportOpen();

    /** A buffer for a response body of {@code length} bytes (-1: unknown) whose reading {@code control} paces. */
    final BodyBuffer newBody(BodyBuffer.Control control, long length) {
        return new BodyBuffer(
                control, length, bodyOptions.bodyHighWaterBytes(), bodyOptions.eagerBodyBytes(), bodyCallbacks);
    }

    /** What event listeners see of this connection. */
    public final ConnectionTag tag() {
        return tag;
    }

    // ---- PooledConnection ----

    @Override
    public final boolean multiplexed() {
        return true;
    }

    @Override
    public final int capacity() {
        return alive ? capacity : 0;
    }

    @Override
    public final boolean capacitySettled() {
        return settled || !alive;
    }

    @Override
    public final boolean isReusable() {
        return alive && capacity > 0 && transportOpen();
    }

    /** Whether a stream that ended leaves the connection usable for the next exchange. */
    final boolean keepsStreams() {
        // One stream ending says nothing about the connection: it stays unless the connection itself died
        // (a GOAWAY already dropped its capacity to 0, which the pool sees).
        return alive && !session.closed();
    }

    /** The transport is gone: no more streams, whatever the session last said. */
    final void transportGone() {
        alive = false;
        capacity = 0;
    }

    // ---- Http2Session.Listener: SETTINGS, GOAWAY and streams ending change the capacity ----

    /** Records the session's capacity for the pool; the driver tells the pool once it may. */
    @Override
    public void onCapacityChanged() {
        capacity = session.capacity();
        settled = session.settingsReceived();
        capacityDirty = true;
    }

    @Override
    public void onPingAcknowledged() {
        pingSentAt = 0;
        pingAnswered();
    }

    /** The server answered our PING: the next one is due an interval after this answer. */
    abstract void pingAnswered();

    // ---- receiving and keep-alive PING ----

    /**
     * Feeds bytes that arrived to the session (the server is alive: the silence before the next PING
     * starts now). Returns the incomplete frame at their end, for the caller to put before the next
     * bytes, or null when nothing is left over; {@code in} is released unless returned.
     */
    final @Nullable ByteBuf feed(ByteBuf in) {
        lastReadAt = ticker.nanoTime();
        pingSentAt = 0;
        try {
            session.receive(in);
        } catch (RuntimeException | Error e) {
            in.release();
            throw e;
        }
        if (in.isReadable() && !session.closed()) {
            return in;
        }
        in.release();
        return null;
    }

    /** When the next PING is due if nothing arrives, or {@link Long#MAX_VALUE} without keep-alive. */
    final long nextPing() {
        long interval = options.pingInterval().toNanos();
        return interval > 0 ? lastReadAt + interval : Long.MAX_VALUE;
    }

    /**
     * Queues a keep-alive PING after silence; ends the session with GOAWAY (and {@link #alive} false) if
     * one went unanswered. Returns when the PING logic next needs to run. The driver flushes, and closes
     * the transport once not alive.
     */
    final long checkPing(long now) {
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
                        "the HTTP/2 server " + remoteAddress + " did not answer a keep-alive PING");
                alive = false;
                session.goAway(Frames.NO_ERROR, "PING timeout", e);
                return Long.MAX_VALUE;
            }
            return deadline;
        }
        if (now - lastReadAt >= interval) {
            pingSentAt = now;
            pingQueued = true;
            session.ping(now);
            return now + options.pingTimeout().toNanos();
        }
        return lastReadAt + interval;
    }
}
