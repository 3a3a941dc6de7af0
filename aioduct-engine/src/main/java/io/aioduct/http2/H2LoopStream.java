package io.aioduct.http2;

import io.aioduct.HttpHeaders;
import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.RequestCancelledException;
import io.aioduct.Response;
import io.aioduct.body.BodyBuffer;
import io.aioduct.exchange.ExchangeCall;
import io.aioduct.exchange.Retry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;

/**
 * One exchange on an HTTP/2 connection driven by an event loop: opens the stream, sends the request
 * body as flow control allows, and hands the outcome to the exchange as it happens on the loop. The
 * response, window and timeout rules it shares with the blocking driver live in {@link H2Stream};
 * timeouts are checked by the connection's timer through {@link #checkDeadlines}.
 *
 * <p>Threading: confined to the connection's loop, except the body-buffer callbacks and the body pump,
 * which hop onto it.
 */
final class H2LoopStream extends H2Stream {
    private final H2LoopConnection connection;
    // Request body: what is waiting for flow-control window, and whether its end has been queued.
    private final ArrayDeque<ByteBuf> outgoing = new ArrayDeque<>(2);
    private boolean outgoingEnded;
    private @Nullable H2LoopBodyPump pump;
    private long bodyBytes;

    H2LoopStream(H2LoopConnection connection, ExchangeCall call) {
        super(call);
        this.connection = connection;
    }

    ExchangeCall call() {
        return spec;
    }

    @Override
    H2LoopConnection connection() {
        return connection;
    }

    /** Opens the stream and starts sending the request. On the loop. */
    void start() {
        HeaderList headers;
        try {
            headers = requestHead();
        } catch (RuntimeException e) {
            finish();
            spec.onFailure(e, Retry.NEVER);
            return;
        }
        Request request = spec.request();
        boolean hasBody = Http2Messages.hasBody(request);
        boolean trailers = request.trailers() != null;
        if (!open(headers, hasBody, !hasBody && !trailers)) {
            finish();
            spec.onFailure(noMoreStreams(), Retry.NOT_SENT);
            return;
        }
        if (!hasBody && trailers) {
            sendTrailers();
        } else if (hasBody && !bodyHeld()) {
            sendBody();
        }
        connection.armTimer(Math.min(nextDeadline(), bodyHeldUntil()));
    }

    // ---- request body ----

    /** Starts sending the request body: now, or once a held one is released. On the loop. */
    private void sendBody() {
        RequestBody requestBody = spec.request().body();
        if (requestBody instanceof RequestBody.Bytes bytes) {
            enqueue(Unpooled.wrappedBuffer(bytes.array(), bytes.offset(), bytes.length()), true);
        } else if (requestBody != null) {
            H2LoopBodyPump p = H2LoopBodyPump.create(this, requestBody);
            pump = p;
            p.start();
        }
    }

    @Override
    void continueReceived() {
        sendBody(); // the connection flushes after the read that brought the 100
    }

    /** Queues a request body chunk (the last one with {@code last}) and sends what the window allows. On the loop. */
    void enqueue(ByteBuf chunk, boolean last) {
        if (ended) {
            chunk.release();
            return;
        }
        outgoing.addLast(chunk);
        bodyBytes += chunk.readableBytes();
        outgoingEnded |= last;
        drainOutgoing();
    }

    private void drainOutgoing() {
        ByteBuf chunk;
        boolean trailers = spec.request().trailers() != null;
        while ((chunk = outgoing.peekFirst()) != null) {
            boolean last = outgoingEnded && outgoing.size() == 1;
            boolean all = connection.session.writeData(id, chunk, last && !trailers);
            if (!all) {
                return;
            }
            outgoing.pollFirst().release();
            if (last) {
                events.requestBodyEnd(bodyBytes);
            }
            if (last && trailers) {
                sendTrailers();
            }
        }
        if (pump != null) {
            pump.onDrained();
        }
    }

    @Override
    public void onWritable() {
        drainOutgoing();
    }

    /** Ends the request with its trailers (a HEADERS frame with END_STREAM). */
    private void sendTrailers() {
        try {
            HeaderList trailers = Http2Messages.requestTrailers(spec.request());
            if (trailers != null) {
                connection.session.writeTrailers(id, trailers);
            }
        } catch (RuntimeException e) {
            reset(e);
        }
    }

    /** The body source failed: the exchange fails with that same exception. On the loop. */
    void requestBodyFailed(Throwable cause) {
        reset(cause);
        connection.flush();
    }

    // ---- the outcome, told to the exchange on the loop ----

    @Override
    void headReceived(Response response, boolean endStream) {
        if (endStream) {
            finish();
            spec.onResponse(response);
            spec.onComplete();
        } else {
            spec.onResponse(response);
        }
    }

    @Override
    void bodyEnded(HttpHeaders trailers) {
        BodyBuffer b = body;
        finish();
        if (b != null) b.onEnd(trailers);
        spec.onComplete();
    }

    @Override
    void failed(Throwable cause, Retry retry) {
        finish();
        spec.onFailure(cause, retry);
    }

    @Override
    void bodyFailed(Throwable cause) {
        BodyBuffer b = body;
        finish();
        if (b != null) b.onError(cause);
        spec.onComplete();
    }

    /** The stream is over: stop the body, drop what it queued, and the exchange gives its lease back. */
    private void finish() {
        if (ended) {
            return;
        }
        ended = true;
        if (pump != null) {
            pump.cancel();
            pump = null;
        }
        ByteBuf chunk;
        while ((chunk = outgoing.pollFirst()) != null) {
            chunk.release();
        }
        connection.streamDone(this);
    }

    /** Fails the exchange if one of its timeouts passed; returns its next deadline. On the loop. */
    long checkDeadlines(long now) {
        if (expire(now)) {
            return Long.MAX_VALUE;
        }
        if (continueWaitOver(now)) {
            sendBody(); // no 100 (Continue) in time: the held body goes anyway; the timer flushes it
        }
        return Math.min(nextDeadline(), bodyHeldUntil());
    }

    // ---- BodyBuffer.Control ----

    @Override
    public void resumeReading() {
        connection.onLoop(() -> {
            if (readingResumed()) {
                connection.flush();
            }
            connection.armTimer(nextDeadline());
        });
    }

    @Override
    public void abort(BodyBuffer b, String reason) {
        connection.onLoop(() -> {
            if (body == b && !ended) {
                reset(new RequestCancelledException(reason));
                connection.flush();
            }
        });
    }

    @Override
    public boolean onLoop() {
        return connection.loop().inEventLoop();
    }
}
