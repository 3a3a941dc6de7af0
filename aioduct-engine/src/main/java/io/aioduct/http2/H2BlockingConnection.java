package io.aioduct.http2;

import io.aioduct.ConnectionClosedException;
import io.aioduct.RequestCancelledException;
import io.aioduct.Response;
import io.aioduct.Ticker;
import io.aioduct.connect.BlockingTransport;
import io.aioduct.exchange.BlockingConnection;
import io.aioduct.exchange.ConnectionOwner;
import io.aioduct.exchange.ConnectionTag;
import io.aioduct.exchange.ExchangeCall;
import io.aioduct.exchange.ExchangeSpec;
import io.aioduct.exchange.Retry;
import io.aioduct.protocol.Http1Options;
import io.aioduct.protocol.Http2Options;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP/2 connection over a blocking socket, for the virtual-thread runtime. The same {@link
 * Http2Session} as on the event loops, guarded by a lock: a reader virtual thread reads frames and feeds
 * it; each request's own virtual thread opens its stream, writes its body as flow control allows and
 * waits for its head; a watch virtual thread enforces timeouts and keep-alive PINGs. No platform thread
 * is involved, and no caller's code runs on the reader thread (body callbacks go to the runtime). The
 * rules it shares with the event-loop driver live in {@link H2Connection}.
 *
 * <p>Frames leave in the order the session queued them: whoever flushes drains and writes under one
 * write lock.
 */
public final class H2BlockingConnection extends H2Connection implements BlockingConnection {

    /** Guards the session and every stream's state; see {@link H2Stream}. */
    final ReentrantLock lock = new ReentrantLock();

    private final ReentrantLock writeLock = new ReentrantLock();
    private final Condition watchWake = lock.newCondition();
    private final BlockingTransport transport;
    private final ConnectionOwner<BlockingConnection> owner;

    private final List<H2BlockingStream> streams = new ArrayList<>();
    private final List<H2BlockingStream> finished = new ArrayList<>();

    private final AtomicBoolean failed = new AtomicBoolean();
    private @Nullable Throwable closeCause;

    /**
     * Takes over {@code transport} (connected, TLS done), sends the preface and starts the reader and
     * watch virtual threads.
     *
     * @param callbacks where body futures and subscriber signals run (the runtime's threads)
     */
    public H2BlockingConnection(
            BlockingTransport transport,
            ConnectionOwner<BlockingConnection> owner,
            Http2Options options,
            Http1Options bodyOptions,
            Executor callbacks,
            Ticker ticker,
            ConnectionTag tag) {
        super(options, bodyOptions, PooledByteBufAllocator.DEFAULT, callbacks, ticker, tag, transport.remoteAddress());
        this.transport = transport;
        this.owner = owner;
        lock.lock();
        try {
            session.start();
        } finally {
            lock.unlock();
        }
        flush();
        Thread.ofVirtual().name("aioduct-h2-reader").start(this::readLoop);
        Thread.ofVirtual().name("aioduct-h2-watch").start(this::watchLoop);
    }

    // ---- PooledConnection ----

    @Override
    public void close(String reason) {
        alive = false;
        lock.lock();
        try {
            session.goAway(Frames.NO_ERROR, reason, new RequestCancelledException(reason));
        } finally {
            lock.unlock();
        }
        flush();
        transport.close();
        tag.closed(reason);
        afterUnlock();
    }

    // ---- BlockingConnection ----

    @Override
    public Response exchange(ExchangeCall call, Executor blockingExecutor) {
        H2BlockingStream stream = new H2BlockingStream(this, call, lock.newCondition());
        try {
            return stream.run();
        } catch (RuntimeException e) {
            RuntimeException failure = e;
            Retry retry = stream.retry();
            if (Thread.currentThread().isInterrupted() && !(e instanceof RequestCancelledException)) {
                // Interrupted in its own write (the channel closed under it, and with it the connection):
                // still the caller giving up, reported as every interrupt is, and never sent again.
                failure = new RequestCancelledException("interrupted while sending " + call.request(), e);
                retry = Retry.NEVER;
            }
            afterUnlock(); // the stream's lease goes back before the exchange hears of the failure
            stream.awaitLeaseReturned(); // even when the reader thread is the one giving it back
            call.onFailure(failure, retry);
            throw failure;
        } finally {
            afterUnlock();
        }
    }

    @Override
    boolean transportOpen() {
        return transport.isOpen();
    }

    /** Cancels the stream of {@code spec} only (RST_STREAM); the connection and its other streams go on. */
    @Override
    public void cancel(ExchangeSpec spec, String reason) {
        List<H2BlockingStream> mine = new ArrayList<>();
        lock.lock();
        try {
            for (H2BlockingStream s : streams) {
                if (s.spec == spec) mine.add(s);
            }
        } finally {
            lock.unlock();
        }
        for (H2BlockingStream s : mine) {
            s.cancel(reason);
        }
    }

    /** The total timeout of a stream is watched per stream here; the connection itself goes on. */
    @Override
    public void expire() {
        lock.lock();
        try {
            watchWake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---- streams ----

    /** A stream opened. Holds the lock. */
    void added(H2BlockingStream stream) {
        streams.add(stream);
        watchWake.signalAll();
    }

    /** A stream ended; its lease goes back after the lock is released. Holds the lock. */
    void ended(H2BlockingStream stream) {
        streams.remove(stream);
        finished.add(stream);
    }

    /** Gives back the leases of ended streams and tells the pool about capacity changes, outside the lock. */
    void afterUnlock() {
        List<H2BlockingStream> done;
        boolean dirty;
        lock.lock();
        try {
            if (finished.isEmpty() && !capacityDirty) {
                return;
            }
            done = new ArrayList<>(finished);
            finished.clear();
            dirty = capacityDirty;
            capacityDirty = false;
        } finally {
            lock.unlock();
        }
        for (H2BlockingStream s : done) {
            try {
                s.spec.release(this, keepsStreams());
            } finally {
                s.leaseReturned();
            }
            // A stream that failed before its response: the exchange fails (or retries) and completes itself.
            if (s.delivered) s.spec.onComplete();
        }
        if (dirty) {
            owner.capacityChanged(this);
        }
    }

    /** Sends whatever the session queued, in order. Any thread; never under {@link #lock}. */
    void flush() {
        writeLock.lock();
        try {
            ByteBuf out;
            lock.lock();
            try {
                out = session.drainOutbound();
            } finally {
                lock.unlock();
            }
            if (out == null) {
                return;
            }
            // A blocking channel closes itself when a thread with its interrupt flag set writes to it. The
            // flusher may be a caller whose interrupt cancels its own stream (the RST_STREAM is queued here):
            // that must not end the connection the other streams share, so the flag is held back for the
            // write and set again after. An interrupt arriving during the write still closes the channel.
            boolean interrupted = Thread.interrupted();
            try {
                OutputStream os = transport.output();
                out.readBytes(os, out.readableBytes());
                os.flush();
            } catch (IOException e) {
                failTransport(new ConnectionClosedException(
                        "I/O error writing to the HTTP/2 connection " + transport.remoteAddress() + ": " + e, e));
            } finally {
                out.release();
                if (interrupted) Thread.currentThread().interrupt();
            }
        } finally {
            writeLock.unlock();
        }
    }

    // ---- the reader ----

    private void readLoop() {
        InputStream in = transport.input();
        byte[] chunk = new byte[16 * 1024];
        // Body buffers keep slices of what the session was fed, so every read goes into a new buffer;
        // only an incomplete frame is carried over, copied.
        ByteBuf carry = null;
        Throwable cause = null;
        try {
            while (alive) {
                int n = in.read(chunk);
                if (n < 0) {
                    break;
                }
                ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer((carry == null ? 0 : carry.readableBytes()) + n);
                if (carry != null) {
                    buf.writeBytes(carry);
                    carry.release();
                    carry = null;
                }
                buf.writeBytes(chunk, 0, n);
                lock.lock();
                try {
                    carry = feed(buf);
                } finally {
                    lock.unlock();
                }
                flush();
                afterUnlock();
                if (session.closed()) {
                    break;
                }
            }
        } catch (IOException e) {
            cause = e;
        } finally {
            if (carry != null) {
                carry.release();
            }
        }
        failTransport(new ConnectionClosedException(
                "HTTP/2 connection to " + transport.remoteAddress() + " closed"
                        + (cause != null
                                ? ": " + cause
                                : closeCause != null ? ": " + closeCause.getMessage() : " by the server"),
                cause != null ? cause : closeCause));
    }

    private void failTransport(ConnectionClosedException cause) {
        boolean first = failed.compareAndSet(false, true);
        alive = false;
        lock.lock();
        try {
            if (closeCause == null) {
                closeCause = cause;
            }
            session.transportClosed(cause);
            transportGone();
            watchWake.signalAll();
        } finally {
            lock.unlock();
        }
        transport.close();
        afterUnlock();
        if (first) {
            owner.closed(this);
            tag.closed(closeCause == cause ? cause.getMessage() : "error: " + closeCause);
        }
    }

    // ---- Http2Session.Listener (called under the lock; the pool hears of capacity in afterUnlock) ----

    @Override
    void pingAnswered() {
        // Under the lock: wake the watch so the next PING is timed from this answer.
        watchWake.signalAll();
    }

    // ---- the watch: stream timeouts and keep-alive PINGs ----

    private void watchLoop() {
        while (true) {
            List<H2BlockingStream> expired = new ArrayList<>();
            boolean sendNow;
            lock.lock();
            try {
                if (!alive) {
                    return;
                }
                long now = ticker.nanoTime();
                long next = Long.MAX_VALUE;
                for (H2BlockingStream s : streams) {
                    long d = s.nextDeadline();
                    if (d <= now) {
                        expired.add(s);
                    } else {
                        next = Math.min(next, d);
                    }
                }
                pingQueued = false;
                // A PING that went unanswered queues GOAWAY and leaves the connection not alive.
                next = Math.min(next, checkPing(now));
                // A PING (or GOAWAY) just queued must go out before we sleep, or its timeout would run first.
                sendNow = pingQueued || !alive || !expired.isEmpty();
                if (!sendNow) {
                    long wait = next == Long.MAX_VALUE ? TimeUnit.SECONDS.toNanos(1) : next - now;
                    if (wait > 0) {
                        watchWake.awaitNanos(wait);
                    }
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            for (H2BlockingStream s : expired) {
                s.timeout();
            }
            flush();
            afterUnlock();
            if (!alive) {
                transport.close();
            }
        }
    }

    @Override
    public String toString() {
        return "H2BlockingConnection[" + transport.remoteAddress() + ", streams=" + streams.size() + "]";
    }
}
