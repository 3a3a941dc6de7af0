package io.aioduct.http1;

import io.aioduct.ConnectionClosedException;
import io.aioduct.HttpProtocolException;
import io.aioduct.HttpVersion;
import io.aioduct.Request;
import io.aioduct.Response;
import io.aioduct.body.BodySource;
import io.aioduct.exchange.ExchangeSpec;
import io.aioduct.exchange.Responses;
import io.aioduct.exchange.Retry;
import io.netty.buffer.ByteBuf;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The response side of one HTTP/1.1 connection without its I/O: the head parser, the body decoder, and
 * the rules both drivers ({@link Http1LoopConnection}, {@link Http1BlockingConnection}) apply to what
 * arrives — which head is the final one, how its body is framed, whether the connection survives the
 * exchange, and what a peer's close in the middle of it means. Written once so every runtime frames,
 * reuses and fails identically.
 *
 * <p>Not thread-safe: one per connection, used by whichever thread drives its exchange.
 */
final class ResponseCodec {
    final ResponseParser parser;
    final BodyDecoder decoder;
    /** Whether the request's body waits for a 100 (Continue): {@link #readHead} then stops at one. */
    boolean awaitingContinue;
    /** Whether {@link #readHead} stopped at the awaited 100 (Continue). */
    private boolean continued;

    ResponseCodec(int maxHeadBytes) {
        this.parser = new ResponseParser(maxHeadBytes);
        this.decoder = new BodyDecoder(maxHeadBytes);
    }

    /** Forgets the last head: a new exchange starts. */
    void reset() {
        parser.reset();
        awaitingContinue = false;
        continued = false;
    }

    /**
     * Parses heads from {@code in} until the final (non-1xx) one; false when more bytes are needed, or
     * when it stopped at the awaited 100 (Continue) ({@link #takeContinue} says which).
     *
     * @throws HttpProtocolException on a malformed head or a 101 nobody asked for
     */
    boolean readHead(ByteBuf in) {
        while (parser.parse(in)) {
            int status = parser.status;
            if (status == 101) {
                throw new HttpProtocolException("unexpected 101 Switching Protocols: no upgrade was requested");
            }
            if (status >= 200) {
                return true;
            }
            if (status == 100 && awaitingContinue) {
                awaitingContinue = false;
                continued = true;
                return false;
            }
            // Other 1xx interim responses (103 Early Hints, a late 100) precede the real one.
        }
        return false;
    }

    /** Whether {@link #readHead} stopped at the awaited 100 (Continue): the held body goes now. Clears it. */
    boolean takeContinue() {
        boolean c = continued;
        continued = false;
        return c;
    }

    /** Starts the decoder on the body the final head announces, and returns its framing. */
    BodyDecoder.Framing startBody(Request request) {
        int status = parser.status;
        boolean noBody = request.method().equals("HEAD") || status == 204 || status == 304;
        BodyDecoder.Framing framing = noBody
                ? BodyDecoder.Framing.NONE
                : parser.chunked
                        ? BodyDecoder.Framing.CHUNKED
                        : parser.contentLength >= 0 ? BodyDecoder.Framing.LENGTH : BodyDecoder.Framing.UNTIL_CLOSE;
        decoder.start(framing, parser.contentLength);
        return framing;
    }

    /**
     * Whether the connection may carry another exchange after this one: the server keeps it alive, the
     * body's end is not the connection's, and the request did not ask to close it.
     */
    boolean keepsConnection(Request request, BodyDecoder.Framing framing) {
        boolean keepAlive = parser.version == HttpVersion.HTTP_1_1 ? !parser.connectionClose : parser.keepAlive;
        return keepAlive && framing != BodyDecoder.Framing.UNTIL_CLOSE && !closeRequested(request);
    }

    private static boolean closeRequested(Request request) {
        String connection = request.headers().first("Connection");
        return connection != null && connection.toLowerCase(Locale.ROOT).contains("close");
    }

    /**
     * The response for the final head, with {@code body}. Built before the exchange can end: once the
     * connection is released, the next exchange parses its own head into the parser. Decoded when it is
     * compressed and the exchange's decompression says so.
     */
    Response response(ExchangeSpec spec, Request request, BodySource body) {
        return Responses.received(spec, request, parser.status, parser.reason(), parser.version, parser.headers, body);
    }

    // ---- a peer's close, and whether the request may go out again ----

    /** The server closed the connection before the final head was complete. */
    static ConnectionClosedException closedDuringHead(Object peer, boolean responseStarted, @Nullable Throwable cause) {
        return new ConnectionClosedException(
                "connection to " + peer + " closed by the server "
                        + (responseStarted ? "in the middle of the response head" : "before any response"),
                cause);
    }

    /** The connection ended inside a body whose framing says more was coming ({@code missing} says what). */
    static ConnectionClosedException closedDuringBody(String missing, Object peer, @Nullable Throwable cause) {
        return new ConnectionClosedException(missing + " (" + peer + ")", cause);
    }

    /**
     * Whether an exchange whose connection broke may be sent again: only if the connection had carried an
     * exchange before (so it may have gone stale while idle) and not a byte of the response arrived.
     */
    static Retry staleRetry(boolean reused, boolean responseStarted) {
        return reused && !responseStarted ? Retry.IF_IDEMPOTENT : Retry.NEVER;
    }
}
