package io.aioduct.http1;

import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.exchange.ExchangeEvents;
import io.aioduct.exchange.ExchangeSpec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The sending side of an {@link Http1BlockingConnection}: writes a request's head and body to the socket
 * on the calling thread, small bodies in one write with the head, a streamed one through {@link
 * BlockingRequestBody}. A body held back by {@code Expect: 100-continue} is written later, on its own
 * ({@link #writeHeldBody}).
 *
 * <p>Failures: a socket write failing as its {@link IOException}; a streamed body's own failures as
 * {@link BlockingRequestBody} throws them. Not thread-safe: used by the thread that drives the
 * connection's exchange.
 */
final class BlockingRequestWriter {
    private final OutputStream out;
    private final Http1Route route;
    // A plain heap buffer, not leak-tracked: another thread may close the connection while its owner is
    // still writing, so it is left to the garbage collector rather than released.
    private final ByteBuf buf = new UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, 1024, Integer.MAX_VALUE);

    BlockingRequestWriter(OutputStream out, Http1Route route) {
        this.out = out;
        this.route = route;
    }

    /** Writes {@code request}'s head and, unless {@code holdBody}, its body, and flushes. */
    void write(Request request, ExchangeSpec exchange, boolean holdBody) throws IOException {
        long framing = RequestWriter.framing(request);
        buf.clear();
        ExchangeEvents ev = exchange.events();
        ev.requestHeadersStart();
        RequestWriter.writeHead(
                request, framing, exchange.userAgent(), exchange.decompression().acceptEncoding(), route, buf);
        ev.requestHeadersEnd(buf.readableBytes());
        if (holdBody) {
            writeBuffered();
            out.flush();
        } else {
            writeBody(request, ev, framing);
        }
    }

    /** Writes the body {@link #write} held back (its 100 Continue arrived, or the wait ran out), and flushes. */
    void writeHeldBody(Request request, ExchangeSpec exchange) throws IOException {
        buf.clear();
        writeBody(request, exchange.events(), RequestWriter.framing(request));
    }

    /** Writes the body behind what is buffered (the head, or nothing), and flushes. */
    private void writeBody(Request request, ExchangeEvents ev, long framing) throws IOException {
        RequestBody body = request.body();
        if (body != null) ev.requestBodyStart();
        long bodyBytes = body instanceof RequestBody.Bytes b ? b.length() : 0;
        boolean chunked = framing == RequestWriter.CHUNKED_BODY;
        if ((body == null || body instanceof RequestBody.Bytes) && chunked) {
            // Trailers asked for: the bytes go as one chunk, then the last chunk carries them.
            RequestBody.Bytes bytes = (RequestBody.Bytes) body;
            if (bytes != null && bytes.length() > 0) {
                RequestWriter.writeChunkHeader(buf, bytes.length());
                buf.writeBytes(bytes.array(), bytes.offset(), bytes.length());
                RequestWriter.writeCrlf(buf);
            }
            RequestWriter.writeLastChunk(buf, request);
            writeBuffered();
        } else if (body instanceof RequestBody.Bytes bytes && bytes.length() <= 8192) {
            buf.writeBytes(bytes.array(), bytes.offset(), bytes.length());
            writeBuffered();
        } else {
            writeBuffered();
            if (body instanceof RequestBody.Bytes bytes) {
                out.write(bytes.array(), bytes.offset(), bytes.length());
            } else if (body != null && framing != 0) {
                BlockingRequestBody writer = new BlockingRequestBody(out, chunked, request);
                writer.write();
                bodyBytes = writer.sent();
            }
        }
        out.flush();
        if (body != null) {
            ev.requestBodyEnd(bodyBytes);
        } else {
            ev.requestSent();
        }
    }

    private void writeBuffered() throws IOException {
        if (buf.isReadable()) {
            out.write(buf.array(), buf.arrayOffset() + buf.readerIndex(), buf.readableBytes());
        }
    }
}
