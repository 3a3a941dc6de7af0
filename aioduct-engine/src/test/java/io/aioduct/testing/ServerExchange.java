package io.aioduct.testing;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One request's answer from {@link TestServer}, with total control of the bytes on the wire: well-formed
 * responses ({@link #respond}, {@link #respondChunked}, {@link #respondStreaming}) or deliberate
 * misbehaviour ({@link #writeRaw}, {@link #writeRawThenClose}, {@link #close}, {@link #reset},
 * {@link #stall}).
 *
 * <p>Every method may be called from any thread; it runs on the connection's event loop (inline when
 * already there, in call order otherwise). Responses to {@code HEAD} requests carry the head only.
 * The connection is kept alive after a response unless the request asked to close, or
 * {@link #closeAfterResponse()} was called; then a {@code Connection: close} header is added to
 * well-formed responses (unless given) and the server closes once the response is written.
 *
 * <p>Raw writes never finish the exchange by themselves: while unfinished, the connection counts as busy
 * for {@link TestServer#closeIdleConnections()} and the idle timeout. Call {@link #complete()} after
 * writing a whole response by hand if that matters. A new request on the same connection finishes the
 * previous exchange implicitly.
 */
public final class ServerExchange {

    private final Connection connection;
    private final RecordedRequest request;
    private final boolean headRequest;
    private final boolean requestAskedToClose;

    // Confined to the event loop.
    private boolean closeAfterResponse;
    private boolean started;
    private boolean finished;

    ServerExchange(Connection connection, RecordedRequest request, boolean requestAskedToClose) {
        this.connection = connection;
        this.request = request;
        this.headRequest = request.method().equals("HEAD");
        this.requestAskedToClose = requestAskedToClose;
    }

    /** The request being answered. */
    public RecordedRequest request() {
        return request;
    }

    /** The id of the connection carrying this exchange. */
    public int connectionId() {
        return connection.id;
    }

    /** Body bytes of the request the connection is receiving, so far; safe from any thread. */
    public int bodyBytesReceived() {
        return connection.bodyBytes;
    }

    /** Makes the server close the connection once this exchange's response is written. */
    public ServerExchange closeAfterResponse() {
        connection.onLoop(() -> {
            closeAfterResponse = true;
            if (finished) {
                connection.closeAfterWrites();
            }
        });
        return this;
    }

    /** A complete response with a UTF-8 {@code text/plain} body and {@code Content-Length}. */
    public void respond(int status, String body) {
        respond(status, body.getBytes(StandardCharsets.UTF_8), "Content-Type", "text/plain; charset=utf-8");
    }

    /**
     * A complete response with {@code Content-Length} (added unless among the given headers, which are
     * written in the order given as {@code name, value, name, value, ...}).
     */
    public void respond(int status, byte[] body, String... headerNameValuePairs) {
        byte[] copy = body.clone();
        List<String> headers = Wire.pairs(headerNameValuePairs);
        connection.onLoop(() -> {
            start();
            Wire.addIfAbsent(headers, "Content-Length", Integer.toString(copy.length));
            ByteBuf buf = head(status, headers);
            if (!headRequest) {
                buf.writeBytes(copy);
            }
            finish(connection.write(buf));
        });
    }

    /** A complete chunked response, one chunk per array (empty arrays are skipped), no trailers. */
    public void respondChunked(int status, List<byte[]> chunks, String... headerNameValuePairs) {
        respondChunked(status, chunks, Map.of(), headerNameValuePairs);
    }

    /** A complete chunked response, one chunk per array (empty arrays are skipped), then trailers. */
    public void respondChunked(
            int status, List<byte[]> chunks, Map<String, String> trailers, String... headerNameValuePairs) {
        List<byte[]> copies = chunks.stream().map(byte[]::clone).toList();
        Map<String, String> trailerCopy = Map.copyOf(trailers);
        List<String> headers = Wire.pairs(headerNameValuePairs);
        connection.onLoop(() -> {
            start();
            Wire.addIfAbsent(headers, "Transfer-Encoding", "chunked");
            ByteBuf buf = head(status, headers);
            if (!headRequest) {
                copies.forEach(chunk -> Wire.chunk(buf, chunk));
                Wire.lastChunk(buf, trailerCopy);
            }
            finish(connection.write(buf));
        });
    }

    /**
     * Writes the head now and returns a writer for a body sent later, from any thread, piece by piece.
     *
     * @param contentLength the {@code Content-Length} to announce, or {@code -1} for a chunked body
     */
    public StreamingResponse respondStreaming(int status, long contentLength, String... headerNameValuePairs) {
        List<String> headers = Wire.pairs(headerNameValuePairs);
        boolean chunked = contentLength < 0;
        connection.onLoop(() -> {
            start();
            if (chunked) {
                Wire.addIfAbsent(headers, "Transfer-Encoding", "chunked");
            } else {
                Wire.addIfAbsent(headers, "Content-Length", Long.toString(contentLength));
            }
            connection.write(head(status, headers));
        });
        return new StreamingResponse(this, connection, chunked, headRequest);
    }

    /** Writes {@code bytes} exactly as given and flushes. Does not finish the exchange. */
    public void writeRaw(byte[] bytes) {
        byte[] copy = bytes.clone();
        connection.onLoop(() -> {
            started = true;
            connection.write(connection.channel.alloc().buffer(copy.length).writeBytes(copy));
        });
    }

    /** Writes {@code text} encoded as ISO-8859-1 exactly as given and flushes. */
    public void writeRaw(String text) {
        writeRaw(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Writes {@code bytes} exactly as given, flushes, then closes the connection once written. */
    public void writeRawThenClose(byte[] bytes) {
        byte[] copy = bytes.clone();
        connection.onLoop(() -> {
            started = true;
            finished = true;
            connection.write(connection.channel.alloc().buffer(copy.length).writeBytes(copy));
            connection.closeAfterWrites();
        });
    }

    /** Writes {@code text} as ISO-8859-1, flushes, then closes the connection once written. */
    public void writeRawThenClose(String text) {
        writeRawThenClose(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * Declares the response written by hand ({@link #writeRaw}) complete: the connection becomes idle,
     * or closes if the request asked to or {@link #closeAfterResponse()} was called.
     */
    public void complete() {
        connection.onLoop(() -> {
            if (!finished) {
                started = true;
                finish(connection.flushed());
            }
        });
    }

    /**
     * Closes the connection now (FIN). Bytes already written but not yet taken by the socket may be
     * lost; use {@link #writeRawThenClose} to close right after some bytes.
     */
    public void close() {
        connection.onLoop(() -> {
            finished = true;
            connection.channel.close();
        });
    }

    /** Closes the connection abortively ({@code SO_LINGER} 0): the client sees a connection reset. */
    public void reset() {
        connection.onLoop(() -> {
            finished = true;
            connection.reset();
        });
    }

    /** Does nothing, ever: the request is never answered and the connection stays open. */
    public void stall() {
        // Deliberately empty: it documents intent in a handler.
    }

    /**
     * Runs {@code action} on the connection's event loop after {@code delay}, e.g. to respond slowly or
     * send the second half of a body later. An exception it throws is recorded in
     * {@link TestServer#failures()} and closes the connection.
     */
    public ScheduledFuture<?> schedule(Duration delay, Runnable action) {
        return connection
                .channel
                .eventLoop()
                .schedule(
                        () -> {
                            try {
                                action.run();
                            } catch (Throwable t) {
                                connection.server.recordFailure(t);
                                connection.channel.close();
                            }
                        },
                        delay.toNanos(),
                        TimeUnit.NANOSECONDS);
    }

    // ---- package-private, on the loop ----

    boolean isFinished() {
        return finished;
    }

    /** A newer request arrived on the connection: this exchange is over whatever it wrote. */
    void supersede() {
        finished = true;
    }

    /** The handler threw: answer 500 if nothing was written yet, else drop the connection. */
    void failed(Throwable cause) {
        if (started) {
            finished = true;
            connection.channel.close();
            return;
        }
        closeAfterResponse = true;
        respond(500, "handler failed: " + cause);
    }

    /** The streamed body ended; {@code lastWrite} is its last write. */
    void finish(ChannelFuture lastWrite) {
        if (finished) {
            return;
        }
        finished = true;
        connection.exchangeFinished(lastWrite, closeAfterResponse || requestAskedToClose);
    }

    private void start() {
        if (started) {
            throw new IllegalStateException("a response was already started for " + request);
        }
        started = true;
    }

    private ByteBuf head(int status, List<String> headers) {
        if (closeAfterResponse || requestAskedToClose) {
            Wire.addIfAbsent(headers, "Connection", "close");
        }
        return Wire.latin1(connection.channel.alloc(), Wire.head(status, headers));
    }
}
