package io.aioduct.http2;

import io.aioduct.RequestBody;
import io.aioduct.body.RequestBodySource;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * Feeds a streamed request body (input stream, writer or publisher) to an HTTP/2 stream on an event
 * loop, from the demand face of its {@link RequestBodySource}. Chunks hop onto the loop, where the stream
 * sends them as DATA frames as flow control allows; the source is held back while more than {@link
 * #LIMIT} bytes wait there, so a slow server or a small window slows the source instead of growing a
 * buffer. The end is an empty DATA frame with END_STREAM (or the trailers), queued behind the rest.
 */
final class H2LoopBodyPump implements RequestBodySource.Receiver {
    /** Bytes handed to the loop and not yet sent, beyond which the source waits. */
    private static final long LIMIT = 256 * 1024;

    private static final AtomicLongFieldUpdater<H2LoopBodyPump> PENDING =
            AtomicLongFieldUpdater.newUpdater(H2LoopBodyPump.class, "pending");

    private final H2LoopStream stream;
    private final H2LoopConnection connection;
    private final RequestBodySource source;
    /** Bytes handed to the loop and not yet drained into the session. Through {@link #PENDING}. */
    private volatile long pending;

    private H2LoopBodyPump(H2LoopStream stream, RequestBody body) {
        this.stream = stream;
        this.connection = stream.connection();
        this.source = RequestBodySource.of(body);
    }

    /**
     * A pump for {@code body}, not started yet: the stream records it before {@link #start}, since a
     * publisher may emit, and the pump report back, within the start.
     */
    static H2LoopBodyPump create(H2LoopStream stream, RequestBody body) {
        if (body instanceof RequestBody.Bytes) {
            throw new IllegalArgumentException("byte bodies are sent directly");
        }
        return new H2LoopBodyPump(stream, body);
    }

    /** Starts producing the body. On the loop, once the stream has recorded this pump. */
    void start() {
        source.start(this);
    }

    /** The stream's queue emptied into the session: the source may go on. On the loop. */
    void onDrained() {
        PENDING.set(this, 0);
        source.resume();
    }

    /** Stops producing; the stream ended. Any thread. */
    void cancel() {
        source.cancel();
    }

    /** Copies {@code chunk} onto the loop; whether the source may produce more at once. */
    @Override
    public boolean accept(ByteBuffer chunk) {
        int n = chunk.remaining();
        ByteBuf copy = Unpooled.buffer(n).writeBytes(chunk);
        long now = PENDING.addAndGet(this, n);
        connection.onLoop(() -> {
            stream.enqueue(copy, false);
            connection.flush();
        });
        return now <= LIMIT;
    }

    @Override
    public void onEnd() {
        connection.onLoop(() -> {
            stream.enqueue(Unpooled.EMPTY_BUFFER, true);
            connection.flush();
        });
    }

    @Override
    public void onFailed(Throwable cause) {
        connection.onLoop(() -> stream.requestBodyFailed(cause));
    }
}
