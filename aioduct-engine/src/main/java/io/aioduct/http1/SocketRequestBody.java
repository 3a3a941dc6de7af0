package io.aioduct.http1;

import io.aioduct.RequestBody;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;

/**
 * Writes a streamed request body to a blocking socket on the calling thread, framed chunked or
 * checked against its declared length. A publisher is asked for one buffer at a time and each is
 * written before the next is requested.
 */
final class SocketRequestBody {
    private static final byte[] CRLF = {'\r', '\n'};

    private final OutputStream out;
    private final boolean chunked;
    private final long declared;
    private final io.aioduct.Request request;
    private long sent;

    SocketRequestBody(OutputStream out, boolean chunked, long declared, io.aioduct.Request request) {
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
        end();
    }

    private void chunk(byte[] data, int off, int len) throws IOException {
        sent += len;
        if (!chunked && declared >= 0 && sent > declared) {
            throw new IllegalStateException(
                    "request body is longer than its declared length of " + declared + " bytes");
        }
        if (chunked) {
            out.write(Integer.toHexString(len).getBytes(StandardCharsets.US_ASCII));
            out.write(CRLF);
        }
        out.write(data, off, len);
        if (chunked) out.write(CRLF);
    }

    private void end() throws IOException {
        if (chunked) {
            io.netty.buffer.ByteBuf last = io.netty.buffer.Unpooled.buffer(64);
            RequestWriter.writeLastChunk(last, request);
            out.write(last.array(), last.arrayOffset() + last.readerIndex(), last.readableBytes());
        } else if (sent != declared) {
            throw new IllegalStateException(
                    "request body ended after " + sent + " of its declared " + declared + " bytes");
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
                } catch (IOException e) {
                    subscription.cancel();
                    done.completeExceptionally(new UncheckedIOException(e));
                } catch (RuntimeException e) {
                    subscription.cancel();
                    done.completeExceptionally(e);
                }
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
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
            throw new IOException("interrupted while sending the request body", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UncheckedIOException u) throw u.getCause();
            if (cause instanceof RuntimeException r) throw r;
            if (cause instanceof Error err) throw err;
            throw new BodyPublisherException(cause);
        }
    }

    /** Carries a checked exception from a body publisher unchanged as the cause. */
    static final class BodyPublisherException extends RuntimeException {
        BodyPublisherException(Throwable cause) {
            super("the request body publisher failed: " + cause, cause);
        }
    }
}
