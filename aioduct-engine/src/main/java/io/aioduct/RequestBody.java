package io.aioduct;

import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What a request sends. Immutable; a body made from bytes, a string, a form or a stream
 * <em>supplier</em> can be sent again (on a retry or redirect), one made from a single
 * {@link InputStream} or a publisher cannot.
 *
 * <p>A body with a known length is sent with {@code Content-Length}; one of unknown length is sent
 * chunked. Streams are read as the connection can take them, never buffered whole. On the event-loop
 * runtimes a stream is read off the loop, so it may block.
 */
public abstract sealed class RequestBody
        permits RequestBody.Bytes, RequestBody.Stream, RequestBody.Publisher, RequestBody.Writer {

    private final @Nullable String contentType;

    RequestBody(@Nullable String contentType) {
        this.contentType = contentType;
    }

    /** The length in bytes, or -1 when unknown (the body is then sent chunked). */
    public abstract long contentLength();

    /** The {@code Content-Type} to send unless the request sets one, or null. */
    public @Nullable String contentType() {
        return contentType;
    }

    /** Whether the body can be sent a second time. */
    public abstract boolean repeatable();

    /** The array itself is sent, not a copy: do not modify it afterwards. */
    public static RequestBody ofBytes(byte[] bytes) {
        return new Bytes(Objects.requireNonNull(bytes, "bytes"), 0, bytes.length, null);
    }

    /** The array itself is sent, not a copy: do not modify it afterwards. */
    public static RequestBody ofBytes(byte[] bytes, @Nullable String contentType) {
        return new Bytes(Objects.requireNonNull(bytes, "bytes"), 0, bytes.length, contentType);
    }

    /** UTF-8 text, sent as {@code text/plain; charset=UTF-8} unless the request sets a Content-Type. */
    public static RequestBody ofString(String text) {
        return ofString(text, StandardCharsets.UTF_8, "text/plain; charset=UTF-8");
    }

    public static RequestBody ofString(String text, Charset charset, @Nullable String contentType) {
        Objects.requireNonNull(text, "text");
        byte[] bytes = text.getBytes(Objects.requireNonNull(charset, "charset"));
        return new Bytes(bytes, 0, bytes.length, contentType);
    }

    /** An {@code application/x-www-form-urlencoded} form, fields in the map's iteration order. */
    public static RequestBody ofForm(Map<String, String> fields) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e :
                Objects.requireNonNull(fields, "fields").entrySet()) {
            if (!sb.isEmpty()) sb.append('&');
            sb.append(URLEncoder.encode(Objects.requireNonNull(e.getKey(), "form field name"), StandardCharsets.UTF_8));
            sb.append('=');
            sb.append(URLEncoder.encode(
                    Objects.requireNonNull(e.getValue(), () -> "form field '" + e.getKey() + "' value"),
                    StandardCharsets.UTF_8));
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.US_ASCII);
        return new Bytes(bytes, 0, bytes.length, "application/x-www-form-urlencoded");
    }

    /**
     * A one-shot stream. {@code length} is its exact length, or -1 to send it chunked. The stream is
     * closed when sent or when the exchange fails. Not repeatable: a failed request with this body is
     * never retried.
     */
    public static RequestBody ofInputStream(InputStream stream, long length) {
        Objects.requireNonNull(stream, "stream");
        checkLength(length);
        boolean[] used = new boolean[1];
        return new Stream(
                () -> {
                    synchronized (used) {
                        if (used[0]) {
                            throw new IllegalStateException(
                                    "this InputStream body was already sent; use ofInputStream(Supplier, long) to allow resending");
                        }
                        used[0] = true;
                    }
                    return stream;
                },
                length,
                false,
                null);
    }

    /** A stream opened anew each time the body is sent, so the request can be retried. */
    public static RequestBody ofInputStream(Supplier<? extends InputStream> streams, long length) {
        Objects.requireNonNull(streams, "streams");
        checkLength(length);
        return new Stream(streams, length, true, null);
    }

    /**
     * Bytes from a reactive-streams publisher, requested as the connection can take them. {@code
     * length} is the exact total, or -1 to send chunked. Each buffer is consumed before the next one is
     * requested. An error from the publisher fails the exchange with that same exception.
     */
    public static RequestBody ofPublisher(Flow.Publisher<ByteBuffer> publisher, long length) {
        Objects.requireNonNull(publisher, "publisher");
        checkLength(length);
        return new Publisher(publisher, length, null);
    }

    /**
     * A body the caller writes into an {@link java.io.OutputStream}, as it is sent: nothing is buffered
     * beyond a small write buffer, and the stream blocks while the connection cannot take more. {@code
     * length} is the exact total, or -1 to send chunked. The writer must not close the stream; an
     * exception it throws fails the exchange with that same exception.
     *
     * @param repeatable whether {@code writer} may be called again to resend the body (a retry)
     */
    public static RequestBody ofWriter(BodyWriter writer, long length, boolean repeatable) {
        Objects.requireNonNull(writer, "writer");
        checkLength(length);
        return new Writer(writer, length, repeatable, null);
    }

    /** Writes a request body into the stream it is given. See {@link #ofWriter}. */
    @FunctionalInterface
    public interface BodyWriter {
        void writeTo(java.io.OutputStream out) throws java.io.IOException;
    }

    /** The same body announced with another Content-Type. */
    public abstract RequestBody withContentType(@Nullable String contentType);

    private static void checkLength(long length) {
        if (length < -1) {
            throw new IllegalArgumentException("body length must be -1 (unknown) or >= 0, was " + length);
        }
    }

    /** A body held in memory. */
    public static final class Bytes extends RequestBody {
        private final byte[] bytes;
        private final int offset;
        private final int length;

        Bytes(byte[] bytes, int offset, int length, @Nullable String contentType) {
            super(contentType);
            this.bytes = bytes;
            this.offset = offset;
            this.length = length;
        }

        @Override
        public long contentLength() {
            return length;
        }

        @Override
        public boolean repeatable() {
            return true;
        }

        /** The backing array; callers must not modify it. */
        public byte[] array() {
            return bytes;
        }

        public int offset() {
            return offset;
        }

        public int length() {
            return length;
        }

        @Override
        public RequestBody withContentType(@Nullable String type) {
            return new Bytes(bytes, offset, length, type);
        }
    }

    /** A body read from a blocking stream as it is sent. */
    public static final class Stream extends RequestBody {
        private final Supplier<? extends InputStream> streams;
        private final long length;
        private final boolean repeatable;

        Stream(Supplier<? extends InputStream> streams, long length, boolean repeatable, @Nullable String contentType) {
            super(contentType);
            this.streams = streams;
            this.length = length;
            this.repeatable = repeatable;
        }

        /** Opens the stream to send. */
        public InputStream open() {
            return Objects.requireNonNull(streams.get(), "the body stream supplier returned null");
        }

        @Override
        public long contentLength() {
            return length;
        }

        @Override
        public boolean repeatable() {
            return repeatable;
        }

        @Override
        public RequestBody withContentType(@Nullable String type) {
            return new Stream(streams, length, repeatable, type);
        }
    }

    /** A body written by the caller into an output stream as it is sent. */
    public static final class Writer extends RequestBody {
        private final BodyWriter writer;
        private final long length;
        private final boolean repeatable;

        Writer(BodyWriter writer, long length, boolean repeatable, @Nullable String contentType) {
            super(contentType);
            this.writer = writer;
            this.length = length;
            this.repeatable = repeatable;
        }

        public BodyWriter writer() {
            return writer;
        }

        @Override
        public long contentLength() {
            return length;
        }

        @Override
        public boolean repeatable() {
            return repeatable;
        }

        @Override
        public RequestBody withContentType(@Nullable String type) {
            return new Writer(writer, length, repeatable, type);
        }
    }

    /** A body pulled from a {@link Flow.Publisher} with back-pressure. */
    public static final class Publisher extends RequestBody {
        private final Flow.Publisher<ByteBuffer> publisher;
        private final long length;

        Publisher(Flow.Publisher<ByteBuffer> publisher, long length, @Nullable String contentType) {
            super(contentType);
            this.publisher = publisher;
            this.length = length;
        }

        public Flow.Publisher<ByteBuffer> publisher() {
            return publisher;
        }

        @Override
        public long contentLength() {
            return length;
        }

        @Override
        public boolean repeatable() {
            return false;
        }

        @Override
        public RequestBody withContentType(@Nullable String type) {
            return new Publisher(publisher, length, type);
        }
    }
}
