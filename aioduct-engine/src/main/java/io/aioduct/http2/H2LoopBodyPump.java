package io.aioduct.http2;

import io.aioduct.RequestBody;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Feeds a streamed request body (input stream, writer or publisher) to an HTTP/2 stream on an event
 * loop. Chunks hop onto the loop, where the stream sends them as flow control allows; the source is held
 * back while more than a bounded amount waits there, so a slow server or a small window slows the
 * source instead of growing a buffer. Blocking sources run on their own virtual thread.
 */
final class H2LoopBodyPump {
    private static final int CHUNK = 16 * 1024;
    private static final long LIMIT = 256 * 1024;

    private final H2LoopStream stream;
    private final H2LoopConnection connection;
    private final long declared;
    private final AtomicLong pending = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();
    private long sent;
    private volatile boolean cancelled;
    private volatile Thread thread;
    private volatile Flow.Subscription subscription;
    private volatile boolean demandOwed;

    private H2LoopBodyPump(H2LoopStream stream, H2LoopConnection connection, long declared) {
        this.stream = stream;
        this.connection = connection;
        this.declared = declared;
    }

    /**
     * A pump for {@code body}, not started yet: the stream records it before {@link #start}, since a
     * publisher may emit, and the pump report back, within the start.
     */
    static H2LoopBodyPump create(H2LoopStream stream, RequestBody body) {
        if (body instanceof RequestBody.Bytes) {
            throw new IllegalArgumentException("byte bodies are sent directly");
        }
        return new H2LoopBodyPump(stream, connectionOf(stream), body.contentLength());
    }

    /** Starts producing {@code body}. On the loop, once the stream has recorded this pump. */
    void start(RequestBody body) {
        switch (body) {
            case RequestBody.Stream s ->
                Thread.ofVirtual().name("aioduct-body-pump").start(() -> runStream(s));
            case RequestBody.Writer w ->
                Thread.ofVirtual().name("aioduct-body-pump").start(() -> runWriter(w));
            case RequestBody.Publisher p -> p.publisher().subscribe(new Subscriber());
            case RequestBody.Bytes b -> throw new IllegalArgumentException("byte bodies are sent directly");
        }
    }

    private static H2LoopConnection connectionOf(H2LoopStream stream) {
        return stream.connection();
    }

    /** The stream's queue emptied into the session. On the loop. */
    void onDrained() {
        pending.set(0);
        lock.lock();
        try {
            drained.signalAll();
        } finally {
            lock.unlock();
        }
        Flow.Subscription s = subscription;
        if (demandOwed && s != null && !cancelled) {
            demandOwed = false;
            s.request(1);
        }
    }

    void cancel() {
        cancelled = true;
        Thread t = thread;
        if (t != null) t.interrupt();
        Flow.Subscription s = subscription;
        if (s != null) s.cancel();
        lock.lock();
        try {
            drained.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Hands a chunk to the stream; returns whether the source may produce more at once. */
    private boolean submit(ByteBuf chunk, boolean last) {
        int n = chunk.readableBytes();
        sent += n;
        if (declared >= 0 && sent > declared) {
            chunk.release();
            throw new IllegalStateException(
                    "request body is longer than its declared length of " + declared + " bytes");
        }
        if (last && declared >= 0 && sent != declared) {
            chunk.release();
            throw new IllegalStateException(
                    "request body ended after " + sent + " of its declared " + declared + " bytes");
        }
        long now = pending.addAndGet(n);
        connection.onLoop(() -> {
            stream.enqueue(chunk, last);
            connection.flush();
        });
        return now <= LIMIT;
    }

    private void awaitRoom() throws InterruptedIOException {
        lock.lock();
        try {
            while (pending.get() > LIMIT && !cancelled) {
                drained.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while sending the request body");
        } finally {
            lock.unlock();
        }
    }

    private void failed(Throwable cause) {
        if (!cancelled) {
            connection.onLoop(() -> stream.requestBodyFailed(cause));
        }
    }

    private void runStream(RequestBody.Stream body) {
        thread = Thread.currentThread();
        try (InputStream in = body.open()) {
            byte[] buf = new byte[CHUNK];
            int n;
            while (!cancelled && (n = in.read(buf)) >= 0) {
                if (n == 0) continue;
                if (!submit(Unpooled.copiedBuffer(buf, 0, n), false)) {
                    awaitRoom();
                }
            }
            if (!cancelled) submit(Unpooled.EMPTY_BUFFER, true);
        } catch (Throwable e) {
            failed(e);
        }
    }

    private void runWriter(RequestBody.Writer body) {
        thread = Thread.currentThread();
        OutputStream out = new java.io.BufferedOutputStream(
                new OutputStream() {
                    @Override
                    public void write(int b) throws java.io.IOException {
                        write(new byte[] {(byte) b}, 0, 1);
                    }

                    @Override
                    public void write(byte[] data, int off, int len) throws java.io.IOException {
                        if (cancelled) {
                            throw new java.io.IOException("the exchange ended; the request body is no longer wanted");
                        }
                        if (len > 0 && !submit(Unpooled.copiedBuffer(data, off, len), false)) {
                            awaitRoom();
                        }
                    }
                },
                CHUNK);
        try {
            body.writer().writeTo(out);
            out.flush();
            if (!cancelled) submit(Unpooled.EMPTY_BUFFER, true);
        } catch (Throwable e) {
            failed(e);
        }
    }

    /** Pulls from a publisher, one buffer of demand at a time while the loop keeps up. */
    private final class Subscriber implements Flow.Subscriber<ByteBuffer> {
        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (cancelled) {
                s.cancel();
            } else {
                s.request(1);
            }
        }

        @Override
        public void onNext(ByteBuffer item) {
            if (cancelled) return;
            try {
                ByteBuf copy = Unpooled.buffer(item.remaining());
                copy.writeBytes(item);
                if (submit(copy, false)) {
                    subscription.request(1);
                } else {
                    demandOwed = true;
                }
            } catch (RuntimeException e) {
                // Report before cancelling: failed() reports nothing once the pump is cancelled.
                failed(e);
                cancel();
            }
        }

        @Override
        public void onError(Throwable throwable) {
            failed(throwable);
        }

        @Override
        public void onComplete() {
            if (cancelled) return;
            try {
                submit(Unpooled.EMPTY_BUFFER, true);
            } catch (RuntimeException e) {
                failed(e);
            }
        }
    }
}
