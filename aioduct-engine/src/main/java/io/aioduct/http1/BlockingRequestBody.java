package io.aioduct.http1;

import io.aioduct.RequestBody;
import io.aioduct.body.BodySourceFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import org.jspecify.annotations.Nullable;

/**
 * Writes a streamed request body to a blocking socket on the calling thread, framed chunked or
 * checked against its declared length. A publisher is asked for one buffer at a time and each is
 * written before the next is requested.
 *
 * <p>Failures keep their origin: the body's own source (stream, writer, publisher) failing is thrown as
 * a {@link BodySourceFailure} carrying its exception; a socket write failing as its {@link IOException};
 * a body that breaks its declared length as an {@link IllegalStateException}. Either way the request is
 * never complete on the wire: a chunked body lacks its last chunk, and of a body with a declared length
 * the last byte is held back until the source has ended.
 */
final class BlockingRequestBody {
    private static final byte[] CRLF = {'\r', '\n'};

    private final OutputStream out;
    private final boolean chunked;
    private final long declared;
    private final io.aioduct.Request request;
    private long sent;
    /** The last byte of a body of declared length, held back until the source has ended ({@link #end()}). */
    private byte lastByte;
    /** Whether {@link #lastByte} is held back, not yet written. */
    private boolean holdingLastByte;
    /** What chunk() threw (socket or length failure), so a source that wrapped or swallowed it changes nothing. */
    private @Nullable Exception ownFailure;

    BlockingRequestBody(OutputStream out, boolean chunked, long declared, io.aioduct.Request request) {
        this.out = out;
        this.chunked = chunked;
        this.declared = declared;
        this.request = request;
    }

    /** Body bytes written so far, without chunk framing. */
    long sent() {
        return sent;
    }

    void write(RequestBody body) throws IOException {
        try {
            if (body instanceof RequestBody.Stream stream) {
                try (InputStream in = stream.open()) {
                    byte[] buf = new byte[16 * 1024];
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        if (n > 0) chunk(buf, 0, n);
                    }
                }
            } else if (body instanceof RequestBody.Publisher pub) {
                writePublisher(pub);
            } else if (body instanceof RequestBody.Writer w) {
                java.io.BufferedOutputStream buffered = new java.io.BufferedOutputStream(
                        new OutputStream() {
                            @Override
                            public void write(int b) throws IOException {
                                write(new byte[] {(byte) b}, 0, 1);
                            }

                            @Override
                            public void write(byte[] data, int off, int len) throws IOException {
                                if (len > 0) chunk(data, off, len);
                            }
                        },
                        8192);
                w.writer().writeTo(buffered);
                buffered.flush();
            }
        } catch (IOException | RuntimeException e) {
            rethrowOwnFailure();
            throw e instanceof BodySourceFailure f ? f : new BodySourceFailure(e);
        }
        // A writer may have caught and swallowed a failure of ours: it fails the exchange all the same.
        rethrowOwnFailure();
        end();
    }

    private void rethrowOwnFailure() throws IOException {
        Exception e = ownFailure;
        if (e instanceof IOException io) throw io;
        if (e instanceof RuntimeException re) throw re;
    }

    private void chunk(byte[] data, int off, int len) throws IOException {
        try {
            sent += len;
            if (!chunked && declared >= 0 && sent > declared) {
                throw new IllegalStateException(
                        "request body is longer than its declared length of " + declared + " bytes");
            }
            if (chunked) {
                out.write(Integer.toHexString(len).getBytes(StandardCharsets.US_ASCII));
                out.write(CRLF);
                out.write(data, off, len);
                out.write(CRLF);
            } else if (sent == declared) {
                // The declared length is reached, but the source has not ended: should it fail or go on
                // past its length, the server must not have a complete request already. end() sends it.
                out.write(data, off, len - 1);
                lastByte = data[off + len - 1];
                holdingLastByte = true;
            } else {
                out.write(data, off, len);
            }
        } catch (IOException | RuntimeException e) {
            ownFailure = e;
            throw e;
        }
    }

    private void end() throws IOException {
        if (chunked) {
            io.netty.buffer.ByteBuf last = io.netty.buffer.Unpooled.buffer(64);
            RequestWriter.writeLastChunk(last, request);
            out.write(last.array(), last.arrayOffset() + last.readerIndex(), last.readableBytes());
        } else if (sent != declared) {
            throw new IllegalStateException(
                    "request body ended after " + sent + " of its declared " + declared + " bytes");
        } else if (holdingLastByte) {
            holdingLastByte = false;
            out.write(lastByte);
        }
    }

    private void writePublisher(RequestBody.Publisher pub) throws IOException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        pub.publisher().subscribe(new Flow.Subscriber<>() {
            private Flow.Subscription subscription;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(1);
            }

            @Override
            public void onNext(ByteBuffer item) {
                if (done.isDone()) return;
                try {
                    if (item.hasArray()) {
                        chunk(item.array(), item.arrayOffset() + item.position(), item.remaining());
                    } else {
                        byte[] copy = new byte[item.remaining()];
                        item.get(copy);
                        chunk(copy, 0, copy.length);
                    }
                    subscription.request(1);
                } catch (IOException | RuntimeException e) {
                    // Ours (chunk() recorded it) or the subscription's: write() sorts them out.
                    subscription.cancel();
                    done.completeExceptionally(e);
                }
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(new BodySourceFailure(t));
            }

            @Override
            public void onComplete() {
                done.complete(null);
            }
        });
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            IOException interrupted = new IOException("interrupted while sending the request body", e);
            ownFailure = interrupted;
            throw interrupted;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) throw io;
            if (cause instanceof RuntimeException r) throw r;
            if (cause instanceof Error err) throw err;
            throw new BodySourceFailure(cause);
        }
    }
}
