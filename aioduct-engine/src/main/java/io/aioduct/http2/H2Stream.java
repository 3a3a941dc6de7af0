package io.aioduct.http2;

import io.aioduct.ConnectionClosedException;
import io.aioduct.HttpHeaders;
import io.aioduct.HttpVersion;
import io.aioduct.Request;
import io.aioduct.Response;
import io.aioduct.TimedOutException;
import io.aioduct.body.BodyBuffer;
import io.aioduct.body.BodySource;
import io.aioduct.exchange.ExchangeCall;
import io.aioduct.exchange.ExchangeEvents;
import io.aioduct.exchange.ExpectContinue;
import io.aioduct.exchange.Responses;
import io.aioduct.exchange.Retry;
import io.aioduct.exchange.Timeouts;
import io.aioduct.syntax.ReasonPhrase;
import io.netty.buffer.ByteBuf;
import org.jspecify.annotations.Nullable;

/**
 * What both HTTP/2 drivers ({@link H2LoopStream}, {@link H2BlockingStream}) do the same way for one
 * exchange: open the stream, turn the response into a {@link Response} with a {@link BodyBuffer}, give
 * the stream's window back as the body is consumed (so a slow reader slows only its own stream), judge
 * whether a failure may be retried, and tell which timeout fired ({@link Timeouts}). The drivers add how
 * the request body is sent, how the exchange hears of the outcome, and where the session is guarded.
 *
 * <p>Threading: every method here runs where the session is driven (the connection's loop, or under the
 * blocking connection's lock), except as a driver says otherwise.
 */
abstract class H2Stream implements StreamHandler, BodyBuffer.Control {
    /** The exchange this stream carries. */
    final ExchangeCall spec;

    final ExchangeEvents events;
    int id = -1;
    /** Whether the stream is over for this exchange: response ended, reset, failed, or never opened. */
    boolean ended;

    @Nullable
    BodyBuffer body;
    /** Whether the caller was given the response, so failures from now on go to its body. */
    boolean delivered;

    /**
     * Until when the request body waits for a 100 (Continue) ({@code Expect: 100-continue}, see {@link
     * ExpectContinue}); 0 when it is not held back.
     */
    private long bodyHeldUntil;
    /** Whether a final response arrived while the body was held: it is never sent. */
    boolean bodySkipped;

    private boolean responseStarted;
    private boolean paused;
    private int withheld;
    private long startedAt;
    private long lastActivity;
    private long received;

    H2Stream(ExchangeCall spec) {
        this.spec = spec;
        this.events = spec.events();
    }

    /** The connection the stream runs on. */
    abstract H2Connection connection();

    // ---- what each driver does with the outcome ----

    /** The final response head arrived (already reported to events); {@code endStream}: there is no body. */
    abstract void headReceived(Response response, boolean endStream);

    /** The response body ended with {@code trailers} (empty without any) after the head was delivered. */
    abstract void bodyEnded(HttpHeaders trailers);

    /** The stream ended before the response was delivered; {@code retry} is how the failure was judged. */
    abstract void failed(Throwable cause, Retry retry);

    /** The stream ended abnormally after the response was delivered: its body fails with {@code cause}. */
    abstract void bodyFailed(Throwable cause);

    /** The 100 (Continue) arrived while the request body was held back: it goes now. */
    abstract void continueReceived();

    // ---- opening ----

    /**
     * The request head. Throws {@link IllegalArgumentException} for a request HTTP/2 cannot carry, or a
     * head larger than the server accepts.
     */
    final HeaderList requestHead() {
        Request request = spec.request();
        HeaderList head = Http2Messages.requestHeaders(
                request, spec.userAgent(), spec.decompression().acceptEncoding(), Http2Messages.bodyLength(request));
        connection().session.checkHeaderListSize(head);
        return head;
    }

    /**
     * Opens the stream with the request head and starts its timeouts. Returns false when the connection
     * takes no more streams ({@link #noMoreStreams} says why).
     */
    final boolean open(HeaderList headers, boolean hasBody, boolean endStream) {
        H2Connection connection = connection();
        events.requestHeadersStart();
        id = connection.session.openStream(this, headers, endStream);
        if (id < 0) {
            return false;
        }
        startedAt = connection.ticker.nanoTime();
        lastActivity = startedAt;
        events.requestHeadersEnd(connection.session.lastSentHeaderBytes());
        long hold = hasBody ? ExpectContinue.waitNanos(spec) : 0;
        if (hold > 0) {
            bodyHeldUntil = ExpectContinue.heldUntil(startedAt, hold); // requestBodyStart once it goes
        } else if (hasBody) {
            events.requestBodyStart();
        } else {
            events.requestSent();
        }
        return true;
    }

    // ---- Expect: 100-continue ----

    /** Whether the request body is held back, waiting for a 100 (Continue). */
    final boolean bodyHeld() {
        return bodyHeldUntil != 0;
    }

    /** When the held body goes anyway, or {@link Long#MAX_VALUE} when none is held. */
    final long bodyHeldUntil() {
        return bodyHeldUntil == 0 ? Long.MAX_VALUE : bodyHeldUntil;
    }

    /** Whether the held body's wait ran out by {@code now}: if so, it is released (the driver sends it). */
    final boolean continueWaitOver(long now) {
        if (bodyHeldUntil == 0 || now - bodyHeldUntil < 0) {
            return false;
        }
        releaseBody();
        return true;
    }

    private void releaseBody() {
        bodyHeldUntil = 0;
        events.requestBodyStart();
    }

    @Override
    public final void onInterim(int status) {
        lastActivity = connection().ticker.nanoTime();
        if (status == 100 && bodyHeldUntil != 0) {
            releaseBody();
            continueReceived();
        }
    }

    /** Why {@link #open} failed: the request went nowhere, so it may go to another connection. */
    final ConnectionClosedException noMoreStreams() {
        return new ConnectionClosedException(
                "the HTTP/2 connection took no more streams (GOAWAY or stream limit) before " + spec.request()
                        + " was sent",
                connection().session.closeCause());
    }

    // ---- StreamHandler: the response ----

    @Override
    public final void onResponse(int status, HttpHeaders fields, long length, boolean endStream) {
        H2Connection connection = connection();
        lastActivity = connection.ticker.nanoTime();
        responseStarted = true;
        if (bodyHeldUntil != 0) {
            // A final response before any 100 (Continue): the body is never sent. The session resets the
            // stream (NO_ERROR) once the response is over; the connection goes on (RFC 9113 §8.1).
            bodyHeldUntil = 0;
            bodySkipped = true;
        }
        Request request = spec.request();
        BodySource source;
        if (endStream || Http2Messages.hasNoContent(request, status)) {
            source = BodySource.EMPTY;
        } else {
            BodyBuffer b = connection.newBody(this, length);
            body = b;
            source = b;
        }
        Response response =
                Responses.received(spec, request, status, ReasonPhrase.NONE, HttpVersion.HTTP_2, fields, source);
        if (body != null) body.watchAbandonment(response.body());
        delivered = true;
        events.responseHeadersStart();
        events.responseHeadersEnd(response.status(), connection.session.lastReceivedHeaderBytes());
        if (endStream) events.responseBodyEnd(0);
        headReceived(response, endStream);
    }

    @Override
    public final void onData(ByteBuf in, int index, int length, boolean endStream) {
        lastActivity = connection().ticker.nanoTime();
        BodyBuffer b = body;
        received += length;
        if (b != null && length > 0) {
            b.onData(in, index, length);
        }
        if (paused) {
            withheld += length;
        } else {
            connection().session.consumed(id, length);
        }
        if (endStream) {
            events.responseBodyEnd(received);
            bodyEnded(HttpHeaders.empty());
        }
    }

    @Override
    public final void onTrailers(HttpHeaders trailers) {
        lastActivity = connection().ticker.nanoTime();
        events.responseBodyEnd(received);
        bodyEnded(trailers);
    }

    @Override
    public final void onClosed(Throwable cause, boolean refused) {
        if (ended) {
            return;
        }
        events.attemptFailed(cause);
        if (delivered) {
            bodyFailed(cause);
            return;
        }
        // The server refused the stream (REFUSED_STREAM, GOAWAY): send elsewhere, whatever the method.
        // A connection that died under it before any response: like a stale HTTP/1.1 connection.
        Retry retry = refused
                ? Retry.UNPROCESSED
                : cause instanceof ConnectionClosedException && !responseStarted ? Retry.IF_IDEMPOTENT : Retry.NEVER;
        failed(cause, retry);
    }

    /** Ends the exchange from our side with {@code cause}: RST_STREAM(CANCEL), then as if closed. */
    final void reset(Throwable cause) {
        if (ended) {
            return;
        }
        connection().session.reset(id, Frames.CANCEL);
        onClosed(cause, false);
    }

    // ---- timeouts ----

    /** When this stream's next timeout fires, or {@link Long#MAX_VALUE} if none is armed. */
    final long nextDeadline() {
        if (ended) {
            return Long.MAX_VALUE;
        }
        return Timeouts.nextDeadline(spec, startedAt, lastActivity, !responseStarted, paused);
    }

    /** Fails the exchange (RST_STREAM) if one of its timeouts fired by {@code now}; returns whether one did. */
    final boolean expire(long now) {
        if (ended) {
            return false;
        }
        TimedOutException fired = Timeouts.fired(spec, now, startedAt, lastActivity, !responseStarted, paused);
        if (fired == null) {
            return false;
        }
        reset(fired);
        return true;
    }

    // ---- BodyBuffer.Control: a slow reader holds back its own stream's window ----

    @Override
    public final void pauseReading() {
        // Called by the body buffer where the session runs (from onData): stop giving the window back.
        paused = true;
    }

    /**
     * The reader caught up: the window withheld while paused goes back to the server, and the read timeout
     * runs again. Returns whether a WINDOW_UPDATE may have been queued.
     */
    final boolean readingResumed() {
        paused = false;
        lastActivity = connection().ticker.nanoTime();
        if (withheld > 0 && !ended) {
            connection().session.consumed(id, withheld);
            withheld = 0;
            return true;
        }
        return false;
    }
}
