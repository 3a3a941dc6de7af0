package io.aioduct.tunnel;

import io.aioduct.ConnectFailedException;
import io.aioduct.connect.BlockingTransport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * Drives a {@link Handshake} over a {@link BlockingTransport} on the calling thread (on the virtual runtime,
 * the request's virtual thread, parked while the socket waits). The whole handshake is bounded by the
 * timeout through the socket's read timeout, set to what is left before each read and cleared at the end;
 * the handshake's few writes fit in any socket buffer, so they do not wait. Bytes read past the handshake's
 * end are {@linkplain BlockingTransport#unread put back} for whoever reads next.
 */
final class BlockingTunnel {
    private BlockingTunnel() {}

    /**
     * Opens the tunnel; on any failure closes the transport and throws: a {@link
     * io.aioduct.proxy.ProxyConnectException}, a {@link io.aioduct.TimedOutException} of kind CONNECT, or a
     * {@link ConnectFailedException} when interrupted.
     */
    static BlockingTransport open(BlockingTransport transport, Handshake handshake, Duration timeout) {
        long timeoutNanos = timeout.toNanos();
        long deadline = System.nanoTime() + timeoutNanos;
        try {
            InputStream in = transport.input();
            OutputStream out = transport.output();
            out.write(handshake.start());
            out.flush();
            ByteBuffer input = Handshake.emptyInput();
            byte[] chunk = new byte[512];
            while (true) {
                byte[] send = handshake.receive(input);
                if (send != null) {
                    if (send.length > 0) {
                        out.write(send);
                        out.flush();
                    }
                    if (handshake.done()) {
                        break;
                    }
                    continue;
                }
                if (timeoutNanos > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new SocketTimeoutException();
                    }
                    transport.readTimeoutMillis(
                            (int) Math.max(1, Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000)));
                }
                int n = in.read(chunk);
                if (n < 0) {
                    throw handshake.closedEarly(null);
                }
                input = handshake.append(input, chunk, 0, n);
            }
            if (timeoutNanos > 0) {
                transport.readTimeoutMillis(0);
            }
            if (input.hasRemaining()) {
                byte[] rest = new byte[input.remaining()];
                input.get(rest);
                transport.unread(rest);
            }
            return transport;
        } catch (SocketTimeoutException e) {
            transport.close();
            throw handshake.timedOut(timeout);
        } catch (IOException e) {
            transport.close();
            if (Thread.currentThread().isInterrupted()) {
                throw new ConnectFailedException(
                        "interrupted while opening a tunnel to " + handshake.target() + " through " + handshake.proxy,
                        e);
            }
            throw handshake.closedEarly(e);
        } catch (RuntimeException e) {
            transport.close();
            throw e;
        }
    }
}
