package io.aioduct.body;

import io.aioduct.BodyTooLargeException;
import io.aioduct.RequestCancelledException;
import io.aioduct.concurrent.Completions;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A response body arriving on an event loop and consumed on any thread. The loop pushes payload in
 * ({@link #onData}, {@link #onEnd}, {@link #onError}); the consumer picks one way to take it out.
 *
 * <p>Small bodies of known length are gathered straight into one array as they arrive. Other bodies
 * are queued as retained slices of the network buffers, and reading from the socket pauses while more
 * than the high-water mark sits unread. A stream reader copies from those slices straight into its own
 * array, and {@code bytes()} of a body of known length into one array of exactly that length: no
 * body-sized copy in between. A body that ends while slices are still queued keeps them (a reader that
 * has not started yet reads them as they are) and keeps its abandonment watch armed until they are
 * read or released, so a dropped body's pooled memory is still released. A subscriber is handed
 * read-only views of those slices, each released as soon as {@code onNext} returns (the contract of
 * {@code ResponseBody.publisher()}): no copy at all. A subscriber that stops requesting and never cancels
 * pins at most the high-water mark of pooled memory (and, before the end, the connection), as any
 * reactive client does.
 *
 * <p>Threading: one lock guards the state; the loop holds it only to hand bytes over. User callbacks
 * (futures, subscribers) run outside the lock.
 *
 * <p>One file (about 700 lines) on purpose: the ways out (array, InputStream, publisher, future) all
 * read and change the same guarded state under that one lock, and split into classes they would have
 * to share it field by field.
 */
public final class BodyBuffer implements ByteSink, BodySource, AbandonWatch.Target {

    /** What the body needs from its connection. */
    public interface Control {
        void pauseReading();

        void resumeReading();

        /** The consumer gave up before the end: close the connection. */
        void abort(BodyBuffer body, String reason);

        boolean onLoop();
    }

    private static final int NONE = 0;
    private static final int AGGREGATE = 1;
    private static final int STREAM = 2;
    private static final int PUBLISH = 3;
    private static final int CLOSED = 4;

    private final ReentrantLock lock = new ReentrantLock();
    private final @Nullable Executor callbacks;
    private final Control control;
    private final long contentLength;
    private final int highWater;

    private @Nullable Condition readable;
    private byte @Nullable [] array;
    private int arrayLength;
    private int arrayRead;
    private @Nullable ArrayDeque<ByteBuf> queue;
    private long queued;
    private boolean ended;
    private @Nullable Throwable failure;
    private int mode = NONE;
    private boolean paused;
    private long limit = Long.MAX_VALUE;
    private @Nullable CompletableFuture<byte[]> aggregate;
    private Flow.@Nullable Subscriber<? super ByteBuffer> subscriber;
    private long demand;
    private boolean terminated;
    private @Nullable AtomicInteger drains;
    private @Nullable CompletableFuture<io.aioduct.HttpHeaders> trailers;
    private io.aioduct.HttpHeaders trailerFields = io.aioduct.HttpHeaders.empty();
    private @Nullable AbandonWatch watch;

    /**
     * A body whose futures and subscriber signals run on the producer's thread (an event loop): the
     * fastest path, and the one the event-loop connections use.
     */
    public BodyBuffer(Control control, long contentLength, int highWater, int eagerLimit) {
        this(control, contentLength, highWater, eagerLimit, null);
    }

    /**
     * A body whose futures and subscriber signals run on {@code callbacks} instead of the producer's
     * thread: for a blocking driver's reader thread, which must never run a caller's code (a caller
     * blocking there would stall every stream of the connection).
     */
    public BodyBuffer(
            Control control, long contentLength, int highWater, int eagerLimit, @Nullable Executor callbacks) {
        this.callbacks = callbacks;
        this.control = control;
        this.contentLength = contentLength;
        this.highWater = highWater;
        if (contentLength >= 0 && contentLength <= eagerLimit) {
            this.array = new byte[(int) contentLength];
        }
    }

    @Override
    public long contentLength() {
        return contentLength;
    }

    public boolean ended() {
        lock.lock();
        try {
            return ended;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes this body if {@code responseBody} (the object handed to the caller) becomes unreachable before
     * the end, or before its queued network buffers were read. Call once, as the response is handed out
     * (also when the whole body arrived with the head); the watch ends with the body.
     */
    public void watchAbandonment(Object responseBody) {
        lock.lock();
        try {
            if ((!ended || holdsNetworkBuffers()) && mode != CLOSED && failure == null && watch == null) {
                watch = AbandonWatch.watch(responseBody, this);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Takes the watch, to disarm once the lock is released. Holds the lock. */
    private @Nullable AbandonWatch takeWatch() {
        AbandonWatch w = watch;
        watch = null;
        return w;
    }

    // ---- producer side: the event loop ----

    @Override
    public void onData(ByteBuf in, int index, int length) {
        boolean given = false;
        boolean pause = false;
        boolean tooLarge = false;
        boolean publish;
        lock.lock();
        try {
            byte[] a = array;
            if (mode == CLOSED || failure != null) {
                // Given up (closed or failed): the abort on its way closes the connection or resets the
                // stream. Until it lands, stop reading: reading on would drain the socket into nothing, and
                // could reach the end of the message first and keep a connection the caller gave up on.
                given = true;
                if (!paused) {
                    paused = true;
                    pause = true;
                }
            } else if (a != null && queue == null && arrayLength + length <= a.length) {
                in.getBytes(index, a, arrayLength, length);
                arrayLength += length;
            } else if (mode == AGGREGATE) {
                tooLarge = !appendToArray(in, index, length);
            } else {
                if (queue == null) queue = new ArrayDeque<>();
                queue.addLast(in.retainedSlice(index, length));
                queued += length;
                if (queued >= highWater && !paused) {
                    paused = true;
                    pause = true;
                }
            }
            signal();
            publish = mode == PUBLISH;
        } finally {
            lock.unlock();
        }
        if (given) {
            if (pause) control.pauseReading();
            return;
        }
        if (tooLarge) {
            BodyTooLargeException e = new BodyTooLargeException(limit, "more than " + limit + " bytes arrived");
            fail(e);
            control.abort(this, e.getMessage());
            return;
        }
        if (pause) control.pauseReading();
        if (publish) signalSubscriber();
    }

    /** Runs subscriber delivery on the callback executor, if there is one. */
    private void signalSubscriber() {
        if (callbacks == null) {
            drain();
        } else {
            callbacks.execute(this::drain);
        }
    }

    /** Completes a future on the callback executor, if there is one. */
    private <T> void complete(CompletableFuture<T> future, T value) {
        if (callbacks == null) {
            future.complete(value);
        } else {
            callbacks.execute(() -> future.complete(value));
        }
    }

    private void completeExceptionally(CompletableFuture<?> future, Throwable cause) {
        if (callbacks == null) {
            future.completeExceptionally(cause);
        } else {
            callbacks.execute(() -> future.completeExceptionally(cause));
        }
    }

    /** Appends to the growable array (aggregate mode); false if that would pass the limit. */
    private boolean appendToArray(ByteBuf in, int index, int length) {
        long needed = (long) arrayLength + length;
        if (needed > limit) {
            return false;
        }
        byte[] a = array;
        if (a == null || needed > a.length) {
            int cap = (int) Math.min(
                    Math.min(limit, Integer.MAX_VALUE - 8),
                    Math.max(needed, Math.max(8192, (a == null ? 0 : (long) a.length) * 2)));
            a = a == null ? new byte[cap] : Arrays.copyOf(a, cap);
            array = a;
        }
        in.getBytes(index, a, arrayLength, length);
        arrayLength += length;
        return true;
    }

    /** The body ended on the wire. */
    public void onEnd() {
        onEnd(io.aioduct.HttpHeaders.empty());
    }

    /** The body ended on the wire, followed by these trailer fields. */
    public void onEnd(io.aioduct.HttpHeaders trailerFields) {
        CompletableFuture<io.aioduct.HttpHeaders> trailersDone;
        CompletableFuture<byte[]> done = null;
        byte[] result = null;
        boolean publish;
        AbandonWatch w;
        lock.lock();
        try {
            if (ended || mode == CLOSED || failure != null) {
                return;
            }
            ended = true;
            // Nothing more comes: the connection's reading is no longer this body's to pause or resume.
            paused = false;
            this.trailerFields = trailerFields;
            trailersDone = trailers;
            // Queued network buffers still need the watch: a dropped body must release them.
            w = holdsNetworkBuffers() ? null : takeWatch();
            if (mode == AGGREGATE && aggregate != null) {
                done = aggregate;
                // The future is the caller's now; holding it (and so the array) here would keep the
                // body alive as long as this buffer, which the abandonment Cleaner references.
                aggregate = null;
                result = takeArray();
            }
            signal();
            publish = mode == PUBLISH;
        } finally {
            lock.unlock();
        }
        if (w != null) w.disarm();
        if (done != null) complete(done, result);
        if (trailersDone != null) complete(trailersDone, trailerFields);
        if (publish) signalSubscriber();
    }

    @Override
    public java.util.concurrent.CompletionStage<io.aioduct.HttpHeaders> trailers() {
        lock.lock();
        try {
            if (ended) {
                return CompletableFuture.completedFuture(trailerFields);
            }
            if (failure != null) {
                return CompletableFuture.failedFuture(failure);
            }
            if (trailers == null) {
                trailers = new CompletableFuture<>();
            }
            return trailers;
        } finally {
            lock.unlock();
        }
    }

    /** The exchange failed after the response was delivered (timeout, peer close, bad framing). */
    public void onError(Throwable cause) {
        fail(cause);
    }

    private void fail(Throwable cause) {
        CompletableFuture<byte[]> done = null;
        CompletableFuture<io.aioduct.HttpHeaders> trailersDone;
        boolean publish;
        AbandonWatch w;
        lock.lock();
        try {
            if (ended || failure != null || mode == CLOSED) {
                return;
            }
            failure = cause;
            w = takeWatch();
            releaseQueue();
            done = aggregate;
            trailersDone = trailers;
            signal();
            publish = mode == PUBLISH;
        } finally {
            lock.unlock();
        }
        if (w != null) w.disarm();
        if (done != null) completeExceptionally(done, cause);
        if (trailersDone != null) completeExceptionally(trailersDone, cause);
        if (publish) signalSubscriber();
    }

    // ---- consumer side: any thread ----

    @Override
    public byte[] readAll(long max) {
        CompletionStage<byte[]> stage = readAllAsync(max);
        CompletableFuture<byte[]> f = stage.toCompletableFuture();
        if (!f.isDone()) {
            Completions.checkMayBlock(control.onLoop(), "reading the whole body with bytes()");
        }
        try {
            return Completions.await(f);
        } catch (RequestCancelledException e) {
            if (!Thread.currentThread().isInterrupted()) {
                throw e;
            }
            // The reader was interrupted: it gave up on the body, so the exchange is cancelled.
            interrupted();
            throw new RequestCancelledException("interrupted while reading the whole response body", e);
        }
    }

    @Override
    public CompletionStage<byte[]> readAllAsync(long max) {
        boolean resume = false;
        CompletableFuture<byte[]> result;
        boolean abort = false;
        AbandonWatch w = null;
        lock.lock();
        try {
            claim(AGGREGATE);
            limit = max;
            if (failure != null) {
                return CompletableFuture.failedFuture(failure);
            }
            if (contentLength > max) {
                failure = new BodyTooLargeException(max, "Content-Length is " + contentLength);
                releaseQueue();
                abort = !ended;
                result = CompletableFuture.failedFuture(failure);
            } else if (!presize() || !drainQueueIntoArray()) {
                failure = new BodyTooLargeException(max, "more than " + max + " bytes arrived");
                releaseQueue();
                abort = !ended;
                result = CompletableFuture.failedFuture(failure);
            } else if (ended) {
                w = takeWatch();
                result = CompletableFuture.completedFuture(takeArray());
            } else {
                result = new CompletableFuture<>();
                aggregate = result;
                resume = paused;
                paused = false;
            }
        } finally {
            lock.unlock();
        }
        if (w != null) w.disarm();
        if (abort) control.abort(this, "response body exceeds the buffered-body limit");
        if (resume) control.resumeReading();
        return result;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        boolean resume = false;
        AbandonWatch w = null;
        InterruptedException interrupt;
        lock.lock();
        try {
            if (mode == NONE) mode = STREAM;
            else if (mode == CLOSED) return -1;
            while (true) {
                byte[] a = array;
                if (a != null && arrayRead < arrayLength) {
                    int n = Math.min(len, arrayLength - arrayRead);
                    System.arraycopy(a, arrayRead, b, off, n);
                    arrayRead += n;
                    dropArrayIfSpent(a);
                    return n;
                }
                ArrayDeque<ByteBuf> q = queue;
                if (q != null && !q.isEmpty()) {
                    ByteBuf head = q.peekFirst();
                    int n = Math.min(len, head.readableBytes());
                    head.readBytes(b, off, n);
                    if (!head.isReadable()) {
                        q.pollFirst().release();
                        if (ended && q.isEmpty()) w = takeWatch();
                    }
                    queued -= n;
                    if (paused && queued < highWater / 2) {
                        paused = false;
                        resume = true;
                    }
                    return n;
                }
                if (failure != null) {
                    throw Completions.propagate(failure);
                }
                if (ended) {
                    return -1;
                }
                if (mode == CLOSED) {
                    // Closed by another thread while this one read: an error, not a silent short body.
                    throw new io.aioduct.RequestCancelledException("the response body was closed while it was read");
                }
                Completions.checkMayBlock(control.onLoop(), "reading the response body stream");
                if (readable == null) readable = lock.newCondition();
                try {
                    readable.await();
                } catch (InterruptedException e) {
                    interrupt = e;
                    break;
                }
            }
        } finally {
            lock.unlock();
            if (w != null) w.disarm();
            if (resume) control.resumeReading();
        }
        Thread.currentThread().interrupt();
        interrupted();
        throw new RequestCancelledException("interrupted while reading the response body", interrupt);
    }

    /**
     * The consuming thread was interrupted while it waited for bytes: it gave up, like a caller closing
     * the body, so the exchange is cancelled (the HTTP/1.1 connection closed, the HTTP/2 stream reset).
     * The interrupt flag stays set.
     */
    private void interrupted() {
        close();
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> s) {
        AbandonWatch w = null;
        lock.lock();
        try {
            claim(PUBLISH);
            subscriber = s;
            drains = new AtomicInteger();
            if (ended && !holdsNetworkBuffers()) {
                w = takeWatch();
            }
        } finally {
            lock.unlock();
        }
        if (w != null) w.disarm();
        s.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                if (n <= 0) {
                    fail(new IllegalArgumentException(
                            "Subscription.request(" + n + "): demand must be positive (rule 3.9)"));
                    return;
                }
                lock.lock();
                try {
                    demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                } finally {
                    lock.unlock();
                }
                drain();
            }

            @Override
            public void cancel() {
                close();
            }
        });
        drain();
    }

    /** Delivers what the subscriber asked for; serialised so signals never overlap (rule 1.3). */
    private void drain() {
        AtomicInteger wip = drains;
        if (wip == null || wip.getAndIncrement() != 0) {
            return;
        }
        do {
            while (true) {
                ByteBuffer item = null;
                ByteBuf held = null;
                Throwable error = null;
                boolean complete = false;
                boolean resume = false;
                AbandonWatch w = null;
                Flow.Subscriber<? super ByteBuffer> s;
                lock.lock();
                try {
                    s = subscriber;
                    if (s == null || terminated || mode != PUBLISH) {
                        break;
                    }
                    if (demand > 0) {
                        held = takeQueued();
                        item = held != null ? held.nioBuffer().asReadOnlyBuffer() : takeArrayView();
                    }
                    if (item != null) {
                        demand--;
                        if (paused && queued < highWater / 2) {
                            paused = false;
                            resume = true;
                        }
                    } else if (failure != null) {
                        error = failure;
                        terminated = true;
                    } else if (ended && !hasData()) {
                        complete = true;
                        terminated = true;
                        w = takeWatch();
                    }
                } finally {
                    lock.unlock();
                }
                if (w != null) w.disarm();
                if (resume) control.resumeReading();
                if (item != null) {
                    deliver(s, item, held);
                } else if (error != null) {
                    s.onError(error);
                    break;
                } else if (complete) {
                    s.onComplete();
                    break;
                } else {
                    break;
                }
            }
        } while (wip.decrementAndGet() != 0);
    }

    /**
     * Hands {@code item} to the subscriber; {@code held} (the queued slice it is a view of, or null for a
     * view of this body's own array) is released as soon as {@code onNext} returns, however it returns: the
     * buffer is the subscriber's only for the call. A subscriber that throws broke rule 2.13: its
     * subscription is cancelled (the connection closed unless the body had ended), nothing more is
     * delivered, and the exception goes on to the thread that delivered.
     */
    private void deliver(Flow.Subscriber<? super ByteBuffer> s, ByteBuffer item, @Nullable ByteBuf held) {
        try {
            s.onNext(item);
        } catch (RuntimeException | Error e) {
            lock.lock();
            try {
                terminated = true;
            } finally {
                lock.unlock();
            }
            close();
            throw e;
        } finally {
            if (held != null) held.release();
        }
    }

    /** A read-only view of the unread part of the gathered array (never written again), or null. Holds the lock. */
    private @Nullable ByteBuffer takeArrayView() {
        byte[] a = array;
        if (a != null && arrayRead < arrayLength) {
            ByteBuffer b = ByteBuffer.wrap(a, arrayRead, arrayLength - arrayRead)
                    .slice()
                    .asReadOnlyBuffer();
            arrayRead = arrayLength;
            dropArrayIfSpent(a);
            return b;
        }
        return null;
    }

    /**
     * The next queued network slice, now the caller's to release, or null. The array comes first: it holds
     * the bytes that arrived before the queue started. Holds the lock.
     */
    private @Nullable ByteBuf takeQueued() {
        byte[] a = array;
        if (a != null && arrayRead < arrayLength) {
            return null;
        }
        ArrayDeque<ByteBuf> q = queue;
        if (q != null && !q.isEmpty()) {
            ByteBuf head = q.pollFirst();
            queued -= head.readableBytes();
            return head;
        }
        return null;
    }

    /** Whether pooled network buffers are queued (they must be released, not left to the collector). */
    private boolean holdsNetworkBuffers() {
        return queue != null && !queue.isEmpty();
    }

    private boolean hasData() {
        return (array != null && arrayRead < arrayLength) || (queue != null && !queue.isEmpty());
    }

    @Override
    public void close() {
        boolean abort;
        CompletableFuture<byte[]> pending;
        AbandonWatch w;
        lock.lock();
        try {
            if (mode == CLOSED) {
                return;
            }
            mode = CLOSED;
            w = takeWatch();
            abort = !ended && failure == null;
            pending = aggregate;
            releaseQueue();
            array = null;
            signal();
        } finally {
            lock.unlock();
        }
        if (w != null) w.disarm();
        if (pending != null && !pending.isDone()) {
            pending.completeExceptionally(new io.aioduct.RequestCancelledException("the response body was closed"));
        }
        if (abort) {
            control.abort(this, "response body closed before it was fully read");
        }
    }

    /**
     * The response body object became unreachable. If nobody started consuming it, or a stream reader
     * dropped its stream, nothing will ever read the rest: close. Aggregation and subscribers finish on
     * their own.
     */
    public void abandoned() {
        lock.lock();
        try {
            if (mode != NONE && mode != STREAM) {
                return;
            }
        } finally {
            lock.unlock();
        }
        close();
    }

    // ---- helpers, all called with the lock held ----

    private void claim(int newMode) {
        if (mode != NONE) {
            throw new IllegalStateException("the response body is already being consumed");
        }
        mode = newMode;
    }

    private void signal() {
        if (readable != null) readable.signalAll();
    }

    /** A body of known length gets its whole array at once, so a large download is never re-copied. */
    private boolean presize() {
        if (array == null && contentLength > 0 && contentLength <= Integer.MAX_VALUE - 8) {
            array = new byte[(int) contentLength];
        }
        return true;
    }

    /** Moves queued slices into the growable array; false if the limit is passed. */
    private boolean drainQueueIntoArray() {
        ArrayDeque<ByteBuf> q = queue;
        if (q == null) {
            return true;
        }
        long total = (long) arrayLength + queued;
        if (ended && total <= limit && (array == null || array.length < total)) {
            // Everything has arrived: one array of exactly the body's size, which takeArray hands out as
            // it is (growing from 8 KiB and trimming cost a 4 KiB chunked body 12 KiB instead of 4).
            array = array == null ? new byte[(int) total] : Arrays.copyOf(array, (int) total);
        }
        ByteBuf b;
        while ((b = q.pollFirst()) != null) {
            try {
                if (!appendToArray(b, b.readerIndex(), b.readableBytes())) {
                    return false;
                }
            } finally {
                b.release();
            }
        }
        queue = null;
        queued = 0;
        return true;
    }

    private byte[] takeArray() {
        byte[] a = array;
        if (a == null) {
            return new byte[0];
        }
        byte[] out = arrayRead == 0 && arrayLength == a.length ? a : Arrays.copyOfRange(a, arrayRead, arrayLength);
        array = null;
        arrayLength = 0;
        arrayRead = 0;
        return out;
    }

    /**
     * Forgets an array read to its capacity: nothing more can arrive into it. This buffer outlives its
     * consumer (the abandonment Cleaner holds it until a GC finds the response unreachable), so a kept
     * array would survive a young collection with it: at 64 KiB per response that turned young GCs into
     * second-long copies.
     */
    private void dropArrayIfSpent(byte[] a) {
        if (arrayRead == a.length) {
            array = null;
            arrayLength = 0;
            arrayRead = 0;
        }
    }

    private void releaseQueue() {
        ArrayDeque<ByteBuf> q = queue;
        if (q != null) {
            ByteBuf b;
            while ((b = q.pollFirst()) != null) b.release();
            queued = 0;
        }
    }
}
