package io.aioduct.http1;

import io.aioduct.Ticker;
import io.aioduct.TimedOutException;
import io.aioduct.body.ByteSink;
import io.aioduct.connect.BlockingTransport;
import io.aioduct.exchange.ExchangeSpec;
import io.aioduct.exchange.Timeouts;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;

/**
 * The reading side of an {@link Http1BlockingConnection}: its read buffer, how much it asks the socket
 * for at a time, the socket read timeout each read gets from the exchange's timeouts (and which of them a
 * {@link java.net.SocketTimeoutException} stands for), and the copy of decoded body bytes into the
 * caller's array.
 *
 * <p>Not thread-safe: used by the thread that drives the connection's exchange. The buffer is a plain
 * heap buffer, not leak-tracked: another thread may close the connection while its owner is still
 * reading, so it is left to the garbage collector rather than released.
 */
final class BlockingSocketReader {
    /** First read size, and the read buffer's first capacity: what small responses need. */
    private static final int READ_MIN = 4 * 1024;
    /** Largest read: reached by doubling while reads fill the buffer (bulk bodies). */
    private static final int READ_MAX = 16 * 1024;

    private final BlockingTransport transport;
    private final InputStream in;
    private final Ticker ticker;
    private final ByteBuf buffer;
    private final CopySink sink = new CopySink();
    private int readChunk = READ_MIN;
    /** When the last read started: its read timeout's start. */
    private long readStartedAt;
    /** The instant the last read's socket timeout stood for. */
    private long readDeadline = Long.MAX_VALUE;
    /** The socket timeout last set, to set it only when it changes; -1 before the first read. */
    private int soTimeout = -1;
    /**
     * While a read on a virtual thread waits: when {@link ReadDeadlines} closes its socket ({@link
     * System#nanoTime}); 0 when no such read is waiting.
     */
    volatile long armedUntil;

    /** {@link #armedUntil} once the watcher fired for the read that armed it. */
    private static final long FIRED = Long.MIN_VALUE;

    private static final java.lang.invoke.VarHandle ARMED_UNTIL;

    static {
        try {
            ARMED_UNTIL = java.lang.invoke.MethodHandles.lookup()
                    .findVarHandle(BlockingSocketReader.class, "armedUntil", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    /** {@link ReadDeadlines} closed the socket under a read that waited past its deadline. */
    private volatile boolean deadlinePassed;
    /** Whether {@link ReadDeadlines} knows this reader. */
    private boolean watched;

    BlockingSocketReader(BlockingTransport transport, Ticker ticker) {
        this.transport = transport;
        this.in = transport.input();
        this.ticker = ticker;
        this.buffer = new UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, READ_MIN, Integer.MAX_VALUE);
    }

    /** The bytes read from the socket and not yet parsed or decoded. */
    ByteBuf buffer() {
        return buffer;
    }

    /**
     * Reads more bytes from the socket into the buffer, within the next of {@code spec}'s timeouts; -1 at
     * end of stream, 0 when {@code wakeAt} came first.
     *
     * @param startedAt when the request was sent (the response timeout's start)
     * @param awaitingHead whether the response head is still to come
     * @param wakeAt when to stop waiting without failing (a held body's wait for 100 Continue), or {@link
     *     Long#MAX_VALUE}
     * @throws TimedOutException if a timeout already passed before the read
     */
    int fill(ExchangeSpec spec, long startedAt, boolean awaitingHead, long wakeAt) throws IOException {
        if (buffer.readerIndex() > 0 && buffer.writableBytes() < readChunk) {
            buffer.discardReadBytes();
        }
        buffer.ensureWritable(readChunk);
        int timeout = readTimeoutMillis(spec, startedAt, awaitingHead, wakeAt);
        if (timeout < 0) {
            return 0;
        }
        // On a virtual thread a socket timeout costs a timer task per waiting read: the watcher closes the
        // socket instead (see ReadDeadlines). Not for a held body's wait, after which the socket stays usable.
        boolean watch = timeout > 0
                && wakeAt == Long.MAX_VALUE
                && Thread.currentThread().isVirtual();
        int soTimeout = watch ? 0 : timeout;
        if (soTimeout != this.soTimeout) {
            transport.readTimeoutMillis(soTimeout);
            this.soTimeout = soTimeout;
        }
        if (watch) {
            arm(timeout);
        }
        int room = buffer.writableBytes();
        int n;
        try {
            n = buffer.writeBytes(in, room);
        } catch (SocketTimeoutException e) {
            if (readDeadline == wakeAt) {
                return 0; // the socket stays usable after a read timeout (plain and SSLSocket alike)
            }
            throw e;
        } finally {
            if (watch && (long) ARMED_UNTIL.getAndSet(this, 0L) == FIRED) {
                // The watcher fired for this read while it completed: the socket is being closed under it.
                // The read ends as that timeout, so the connection is never handed on half-closed.
                deadlinePassed = true;
            }
        }
        if (deadlinePassed) {
            throw new java.net.SocketException("closed by the read deadline");
        }
        if (n == room && readChunk < READ_MAX) {
            // The socket had more than we asked for: a bulk body. Read more at a time from now on.
            readChunk = Math.min(READ_MAX, readChunk << 1);
        }
        return n;
    }

    /** Publishes this read's deadline, {@code millis} from now, to the watcher. */
    private void arm(int millis) {
        if (!watched) {
            watched = true;
            ReadDeadlines.SHARED.watch(this);
        }
        long until = System.nanoTime() + millis * 1_000_000L;
        until = until == 0 || until == FIRED ? 1 : until; // 0 means "not armed", FIRED "fired"
        armedUntil = until;
        ReadDeadlines.SHARED.armed(until);
    }

    /**
     * Called by {@link ReadDeadlines} for a read it saw armed until {@code deadline}, now past: closes the
     * socket to wake it, unless that read already completed (it clears {@link #armedUntil} atomically, so a
     * watcher that looked a moment too late never closes a socket under a later read).
     */
    void deadlinePassed(long deadline) {
        if (ARMED_UNTIL.compareAndSet(this, deadline, FIRED)) {
            deadlinePassed = true;
            transport.close();
        }
    }

    /**
     * Whether the socket was closed because a read waited past its deadline: the failure the reading thread
     * saw is that timeout ({@link #timedOut}), like a {@link SocketTimeoutException}.
     */
    boolean readDeadlinePassed() {
        return deadlinePassed;
    }

    boolean isOpen() {
        return transport.isOpen();
    }

    /** The connection closed: nothing more to watch. */
    void unwatch() {
        ReadDeadlines.SHARED.unwatch(this);
    }

    /**
     * The socket read timeout for the next read: until the nearest of the response, read and total limits
     * and {@code wakeAt}; -1 when {@code wakeAt} already passed.
     */
    private int readTimeoutMillis(ExchangeSpec spec, long startedAt, boolean awaitingHead, long wakeAt) {
        long now = ticker.nanoTime();
        // The read timeout is per read: each read starts its own wait for the next byte.
        readStartedAt = now;
        readDeadline = Math.min(wakeAt, Timeouts.nextDeadline(spec, startedAt, now, awaitingHead, false));
        if (readDeadline == Long.MAX_VALUE) {
            return 0;
        }
        long limit = readDeadline - now;
        if (limit <= 0) {
            if (readDeadline == wakeAt) {
                return -1;
            }
            throw timedOut(spec, startedAt, awaitingHead);
        }
        // Rounded up: a socket timeout that fires early would report a limit that has not passed yet.
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (limit + 999_999) / 1_000_000));
    }

    /**
     * Which timeout the last read's socket timeout stood for: the one that fires at the deadline it was
     * given, as the exception the exchange fails with.
     */
    TimedOutException timedOut(ExchangeSpec spec, long startedAt, boolean awaitingHead) {
        TimedOutException fired = Timeouts.fired(spec, readDeadline, startedAt, readStartedAt, awaitingHead, false);
        return fired != null
                ? fired
                : Timeouts.timedOut(spec, TimedOutException.Kind.READ, spec.readTimeoutNanos(), awaitingHead);
    }

    /**
     * Decodes buffered body bytes into {@code b} (at most {@code len}); {@link #copied()} says how many.
     * Returns whether the body ended.
     */
    boolean decode(BodyDecoder decoder, byte[] b, int off, int len) {
        CopySink sink = this.sink;
        sink.reset(b, off);
        try {
            return decoder.decode(buffer, sink, len);
        } finally {
            // The caller's array is not ours to keep: a pooled connection holding the last one
            // pinned a whole body (or publisher chunk) until its next exchange.
            sink.forget();
        }
    }

    /** How many bytes the last {@link #decode} copied. */
    int copied() {
        return sink.copied;
    }

    /** Copies decoded payload into the caller's array. */
    private static final class CopySink implements ByteSink {
        private static final byte[] NOTHING = new byte[0];
        private byte[] target = NOTHING;
        private int offset;
        int copied;

        void reset(byte[] into, int at) {
            this.target = into;
            this.offset = at;
            this.copied = 0;
        }

        void forget() {
            this.target = NOTHING;
        }

        @Override
        public void onData(ByteBuf in, int index, int length) {
            in.getBytes(index, target, offset + copied, length);
            copied += length;
        }
    }
}
