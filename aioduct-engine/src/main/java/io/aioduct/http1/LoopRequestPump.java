package io.aioduct.http1;

import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.body.RequestBodySource;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPromise;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP/1.1 framing of a streamed request body on a channel: takes the chunks of its {@link
 * RequestBodySource} (demand face: a stream or writer on its own virtual thread, a publisher one buffer at
 * a time), frames each chunked or as is and writes it. While the channel is not writable the source waits
 * for the last write to complete. The end and failures are reported to the connection on its loop.
 *
 * <p>A failing source never leaves a complete request on the wire: a chunked body lacks its last chunk,
 * and the piece that completes a body of declared length is held back until the source has ended
 * ({@link #onEnd()}), so a source that then fails, or goes on past its length, fails the exchange with
 * nothing complete sent.
 */
final class LoopRequestPump implements RequestBodySource.Receiver, ChannelFutureListener {
    private static final AtomicReferenceFieldUpdater<LoopRequestPump, @Nullable ByteBuf> HELD =
            AtomicReferenceFieldUpdater.newUpdater(LoopRequestPump.class, ByteBuf.class, "held");

    private final Http1LoopConnection connection;
    private final Channel channel;
    private final boolean chunked;
    private final Request request;
    private final RequestBodySource source;
    /** The framed piece that completes a body of declared length, until the source has ended. Through {@link #HELD}. */
    private volatile @Nullable ByteBuf held;

    private LoopRequestPump(Http1LoopConnection connection, RequestBody body, boolean chunked) {
        this.connection = connection;
        this.channel = connection.channel();
        this.chunked = chunked;
        this.request = connection.currentRequest();
        this.source = RequestBodySource.of(body);
    }

    /**
     * A pump for {@code body}, not started yet. The connection records it before {@link #start()}: a
     * publisher may emit, and a write complete, within the start, and the pump's reports are only taken
     * from the pump the connection knows.
     */
    static LoopRequestPump create(Http1LoopConnection connection, RequestBody body, boolean chunked) {
        return new LoopRequestPump(connection, body, chunked);
    }

    /** Starts producing the body. On the loop, once the connection has recorded this pump. */
    void start() {
        source.start(this);
    }

    /** Body bytes produced so far, without chunk framing. */
    long sent() {
        return source.sent();
    }

    /** Stops producing; the connection is being closed. On the loop (or the pump's own thread). */
    void cancel() {
        source.cancel();
        releaseHeld();
    }

    /** Releases the held-back last piece, if any. Any thread; the piece is released once. */
    private void releaseHeld() {
        ByteBuf h = HELD.getAndSet(this, null);
        if (h != null) h.release();
    }

    /**
     * Frames and writes one chunk, copying it (its buffer is reused once this returns). The piece that
     * completes a body of known length is held back until {@link #onEnd()}: only once the source has
     * ended is the request complete. Returns whether the channel takes more at once.
     */
    @Override
    public boolean accept(ByteBuffer chunk) {
        ByteBuf out = channel.alloc().buffer(chunk.remaining() + 16);
        if (chunked) RequestWriter.writeChunkHeader(out, chunk.remaining());
        out.writeBytes(chunk);
        if (chunked) RequestWriter.writeCrlf(out);
        if (!chunked && source.reachedDeclaredLength()) {
            HELD.set(this, out);
            if (source.cancelled()) releaseHeld(); // cancelled meanwhile: cancel() may have looked before the set
            return true;
        }
        ChannelFuture written = channel.writeAndFlush(out);
        if (channel.isWritable()) {
            return true;
        }
        written.addListener(this);
        return false;
    }

    /** The write the source waits for completed. */
    @Override
    public void operationComplete(ChannelFuture written) {
        if (written.isSuccess()) {
            source.resume();
        } else {
            cancel(); // the channel failed: the connection fails the exchange for it
        }
    }

    /**
     * Ends the body: writes the last chunk, or the held-back piece that completes a fixed length, with
     * {@link #bodySentPromise()}, so the body counts as sent the moment its last byte is on the wire.
     */
    @Override
    public void onEnd() {
        if (!chunked) {
            ByteBuf last = HELD.getAndSet(this, null);
            // None: cancelled meanwhile, and cancel() released it.
            if (last != null) channel.writeAndFlush(last, bodySentPromise());
            return;
        }
        ByteBuf end = channel.alloc().buffer(64);
        RequestWriter.writeLastChunk(end, request);
        channel.writeAndFlush(end, bodySentPromise());
    }

    @Override
    public void onFailed(Throwable cause) {
        releaseHeld();
        channel.eventLoop().execute(() -> connection.requestBodyFailed(this, cause));
    }

    /**
     * A promise for the body's final write whose listener, attached before the write is queued, runs on
     * the loop as that write completes: before any response to the whole request can be read there, so
     * the response is never taken for an early one (which would keep the connection out of the pool).
     * Reporting from the pump's own thread afterwards raced the response.
     */
    private ChannelPromise bodySentPromise() {
        ChannelPromise promise = channel.newPromise();
        promise.addListener(f -> {
            if (f.isSuccess()) {
                connection.requestBodySent(this);
            } else if (!source.cancelled()) {
                connection.requestBodyFailed(this, f.cause());
            }
        });
        return promise;
    }
}
