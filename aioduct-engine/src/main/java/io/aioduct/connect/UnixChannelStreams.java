package io.aioduct.connect;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Blocking streams over a UNIX-family {@link SocketChannel}, which has no {@code java.net.Socket} adaptor and
 * so no {@code SO_TIMEOUT}. Reads and writes call the channel directly (its read and write locks are separate,
 * so an HTTP/2 reader and writer do not wait on each other, as they would on {@code Channels.newInputStream}).
 *
 * <p>A read with a timeout runs on a helper virtual thread that the caller waits for: on timeout the caller
 * gets a {@link SocketTimeoutException} and the stream stays usable (as a TCP socket's does), the helper's read
 * still pending; the next read takes its bytes first. Reads without a timeout, the common case, run on the
 * caller's thread.
 */
final class UnixChannelStreams {
    private UnixChannelStreams() {}

    /** The input side: timed reads as described above. One reader at a time. */
    static final class Input extends InputStream {
        private final SocketChannel channel;
        private volatile int timeoutMillis;
        /** A read running on the helper thread, into {@link #into}; null when none is. */
        private @Nullable CompletableFuture<Integer> pending;

        private byte @Nullable [] into;
        /** Bytes a helper read brought that the caller has not taken yet, from {@link #leftOffset}. */
        private byte @Nullable [] left;

        private int leftOffset;
        private int leftLength;

        Input(SocketChannel channel) {
            this.channel = channel;
        }

        /** How long the next reads may wait for a byte; 0 waits forever. */
        void timeoutMillis(int millis) {
            this.timeoutMillis = millis;
        }

        /** Whether a timed-out read is still waiting on the helper thread (the connection is mid-read). */
        boolean readPending() {
            return pending != null;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (left != null) {
                return takeLeft(b, off, len);
            }
            int timeout = timeoutMillis;
            if (pending == null && timeout == 0) {
                return channel.read(ByteBuffer.wrap(b, off, len));
            }
            CompletableFuture<Integer> read = pending;
            if (read == null) {
                byte[] into = new byte[len];
                CompletableFuture<Integer> started = new CompletableFuture<>();
                Thread.ofVirtual().name("aioduct-unix-read").start(() -> {
                    try {
                        started.complete(channel.read(ByteBuffer.wrap(into)));
                    } catch (Throwable e) {
                        started.completeExceptionally(e);
                    }
                });
                read = started;
                pending = started;
                this.into = into;
            }
            int n;
            try {
                n = timeout == 0 ? read.get() : read.get(timeout, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new SocketTimeoutException("Read timed out");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading");
            } catch (ExecutionException e) {
                pending = null;
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            }
            pending = null;
            if (n <= 0) {
                return n;
            }
            left = this.into;
            leftOffset = 0;
            leftLength = n;
            return takeLeft(b, off, len);
        }

        private int takeLeft(byte[] b, int off, int len) {
            byte[] from = java.util.Objects.requireNonNull(left);
            int n = Math.min(len, leftLength);
            System.arraycopy(from, leftOffset, b, off, n);
            leftOffset += n;
            leftLength -= n;
            if (leftLength == 0) {
                left = null;
                into = null;
            }
            return n;
        }
    }

    /** The output side: writes the whole array to the channel. */
    static final class Output extends OutputStream {
        private final SocketChannel channel;

        Output(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
    }
}
