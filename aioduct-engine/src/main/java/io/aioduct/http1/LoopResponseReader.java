package io.aioduct.http1;

import io.aioduct.HttpProtocolException;
import io.aioduct.Request;
import io.aioduct.RequestCancelledException;
import io.aioduct.Response;
import io.aioduct.Ticker;
import io.aioduct.body.BodyBuffer;
import io.aioduct.body.BodySource;
import io.aioduct.body.Cumulation;
import io.aioduct.exchange.ExchangeCall;
import io.aioduct.exchange.ExchangeEvents;
import io.aioduct.exchange.Retry;
import io.aioduct.protocol.Http1Options;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import org.jspecify.annotations.Nullable;

/**
 * The inbound side of an {@link Http1LoopConnection}: gathers the bytes of a response head split over
 * reads, parses it with the shared {@link ResponseCodec}, hands the caller its {@link Response}, streams
 * the body into a {@link BodyBuffer}, and pauses and resumes reading as the body's reader keeps up. When
 * the message ends or breaks it hands over to the connection, which ends the exchange.
 *
 * <p>Threading: confined to the connection's event loop, except {@link #resumeReading} and {@link
 * #abort}, which hop onto it.
 */
final class LoopResponseReader implements BodyBuffer.Control {
    private final Http1LoopConnection connection;
    private final Channel channel;
    private final Http1Options options;
    private final Ticker ticker;
    final ResponseCodec codec;

    /** Bytes of a response head that arrived in more than one read. */
    private @Nullable ByteBuf cumulation;
    /** The running exchange's body, null before its head and for a body known to be empty. */
    private @Nullable BodyBuffer body;

    private volatile boolean paused;
    private boolean responseStarted;
    private boolean delivered;
    /** When the last bytes arrived, or reading resumed: the read timeout's start. */
    private long lastReadAt;

    LoopResponseReader(Http1LoopConnection connection, Channel channel, Http1Options options, Ticker ticker) {
        this.connection = connection;
        this.channel = channel;
        this.options = options;
        this.ticker = ticker;
        this.codec = new ResponseCodec(options.maxHeadBytes());
    }

    /** A new exchange was sent at {@code now}: its response is awaited from the next byte on. */
    void begin(long now) {
        codec.reset();
        responseStarted = false;
        delivered = false;
        lastReadAt = now;
    }

    /** Whether any byte of the response arrived. */
    boolean responseStarted() {
        return responseStarted;
    }

    /** Whether the caller was handed the response (so a failure ends its body, not the exchange). */
    boolean delivered() {
        return delivered;
    }

    /** Whether the body's reader stopped asking for bytes (the read timeout is suspended meanwhile). */
    boolean paused() {
        return paused;
    }

    long lastReadAt() {
        return lastReadAt;
    }

    /** The running exchange's body, which the connection ends: from now on this reader forgets it. */
    @Nullable
    BodyBuffer takeBody() {
        BodyBuffer b = body;
        body = null;
        return b;
    }

    // ---- reading ----

    /** Bytes for the running exchange, whose head or body is awaited. Takes ownership of {@code in}. */
    void read(ByteBuf in) {
        lastReadAt = ticker.nanoTime();
        if (cumulation != null) {
            in = Cumulation.join(
                    cumulation, in, channel.alloc().heapBuffer(cumulation.readableBytes() + in.readableBytes()));
            cumulation = null;
        }
        try {
            process(in);
        } catch (HttpProtocolException e) {
            connection.fail(e, Retry.NEVER);
        } finally {
            if (connection.awaitingHead() && in.isReadable() && cumulation == null) {
                cumulation = in;
            } else {
                in.release();
            }
        }
    }

    private void process(ByteBuf in) {
        ExchangeCall c = connection.call;
        Response response = null;
        if (connection.awaitingHead()) {
            ExchangeEvents ev = connection.events;
            ev.responseHeadersStart();
            responseStarted = true;
            while (!codec.readHead(in)) {
                if (!codec.takeContinue()) {
                    return;
                }
                connection.continueWait.release(); // Expect: 100-continue answered: the held body goes
                if (!connection.awaitingHead()) {
                    return; // sending the body ended the exchange
                }
            }
            response = onHead(c);
        }
        boolean done;
        try {
            done = connection.inBody() && codec.decoder.decode(in, body, Integer.MAX_VALUE);
        } catch (HttpProtocolException e) {
            if (response != null) {
                // The head was sound and arrived with the bad body bytes: hand the caller its response
                // first, so the failure below ends its body instead of leaving the call unanswered.
                deliver(c, response);
            }
            throw e;
        }
        if (done || codec.decoder.complete()) {
            connection.finishMessage(c, in.isReadable(), response);
        } else if (response != null) {
            deliver(c, response);
        }
    }

    private Response onHead(ExchangeCall c) {
        Request request = c.request();
        BodyDecoder.Framing framing = codec.startBody(request);
        if (!codec.keepsConnection(request, framing)) {
            connection.closeAfterExchange();
        }
        ResponseParser parser = codec.parser;
        BodySource source;
        if (framing == BodyDecoder.Framing.NONE
                || (framing == BodyDecoder.Framing.LENGTH && parser.contentLength == 0)) {
            source = BodySource.EMPTY;
            body = null;
        } else {
            BodyBuffer b = new BodyBuffer(
                    this,
                    framing == BodyDecoder.Framing.LENGTH ? parser.contentLength : -1,
                    options.bodyHighWaterBytes(),
                    options.eagerBodyBytes());
            body = b;
            source = b;
        }
        connection.bodyStarted();
        ExchangeEvents ev = connection.events;
        ev.responseHeadersEnd(parser.status, parser.headBytes);
        return codec.response(c, request, source);
    }

    private void deliver(ExchangeCall c, Response response) {
        delivered = true;
        BodyBuffer b = body;
        if (b != null) {
            // Closes the connection if the caller drops the response without reading or closing it.
            b.watchAbandonment(response.body());
        }
        c.onResponse(response);
    }

    /**
     * The message ended: if its body ended while its reader lagged behind, reading now belongs to the
     * next exchange.
     */
    void resumeAfterMessage() {
        if (paused) {
            paused = false;
            channel.config().setAutoRead(true);
        }
    }

    void releaseCumulation() {
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
    }

    // ---- BodyBuffer.Control ----

    @Override
    public void pauseReading() {
        paused = true;
        channel.config().setAutoRead(false);
    }

    @Override
    public void resumeReading() {
        connection.onLoop(() -> {
            paused = false;
            long now = ticker.nanoTime();
            lastReadAt = now;
            channel.config().setAutoRead(true);
            connection.timer.arm(now);
        });
    }

    @Override
    public void abort(BodyBuffer b, String reason) {
        connection.onLoop(() -> {
            if (body == b) {
                connection.fail(new RequestCancelledException(reason), Retry.NEVER);
            }
        });
    }

    @Override
    public boolean onLoop() {
        return channel.eventLoop().inEventLoop();
    }
}
