package io.aioduct.http1;

import io.aioduct.Request;
import io.aioduct.body.BodySourceFailure;
import io.aioduct.body.RequestBodySource;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The HTTP/1.1 framing of a streamed request body on a blocking socket: pulls the body from its {@link
 * RequestBodySource} on the calling thread and writes each chunk, chunked or as is.
 *
 * <p>Failures are the source's (see {@link RequestBodySource}): the body's own source failing is thrown
 * as a {@link BodySourceFailure}, a socket write failing as its {@link IOException}, a body that breaks
 * its declared length as an {@link IllegalStateException}. Either way the request is never complete on
 * the wire: a chunked body lacks its last chunk, and of a body with a declared length the last byte is
 * held back until the source has ended.
 */
final class BlockingRequestBody implements RequestBodySource.Sink {
    private static final byte[] CRLF = {'\r', '\n'};

    private final OutputStream out;
    private final boolean chunked;
    private final Request request;
    private final RequestBodySource source;
    /** The last byte of a body of declared length, held back until the source has ended ({@link #end()}). */
    private byte lastByte;
    /** Whether {@link #lastByte} is held back, not yet written. */
    private boolean holdingLastByte;

    BlockingRequestBody(OutputStream out, boolean chunked, Request request) {
        this.out = out;
        this.chunked = chunked;
        this.request = request;
        this.source = RequestBodySource.of(request.body());
    }

    /** Body bytes written so far, without chunk framing. */
    long sent() {
        return source.sent();
    }

    /** Writes the whole body, and its end, on the calling thread. */
    void write() throws IOException {
        source.pull(this);
        end();
    }

    @Override
    public boolean accept(ByteBuffer chunk) throws IOException {
        int len = chunk.remaining();
        byte[] data;
        int off;
        if (chunk.hasArray()) {
            data = chunk.array();
            off = chunk.arrayOffset() + chunk.position();
        } else {
            data = new byte[len];
            chunk.duplicate().get(data);
            off = 0;
        }
        chunk.position(chunk.limit());
        if (chunked) {
            out.write(Integer.toHexString(len).getBytes(StandardCharsets.US_ASCII));
            out.write(CRLF);
            out.write(data, off, len);
            out.write(CRLF);
        } else if (source.reachedDeclaredLength()) {
            // The declared length is reached, but the source has not ended: should it fail or go on past
            // its length, the server must not have a complete request already. end() sends it.
            out.write(data, off, len - 1);
            lastByte = data[off + len - 1];
            holdingLastByte = true;
        } else {
            out.write(data, off, len);
        }
        return true;
    }

    private void end() throws IOException {
        if (chunked) {
            ByteBuf last = Unpooled.buffer(64);
            RequestWriter.writeLastChunk(last, request);
            out.write(last.array(), last.arrayOffset() + last.readerIndex(), last.readableBytes());
        } else if (holdingLastByte) {
            holdingLastByte = false;
            out.write(lastByte);
        }
    }
}
