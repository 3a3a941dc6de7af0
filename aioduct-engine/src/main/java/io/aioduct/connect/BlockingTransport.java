package io.aioduct.connect;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * A connected socket driven by blocking calls: the thread that sends a request writes and reads it
 * directly (on the virtual runtime, the request's own virtual thread, which the JDK parks while the
 * socket waits). The streams may be layered (TLS); the raw channel stays available for closing and for
 * the cheap liveness probe the pool runs before reusing an idle connection.
 */
public final class BlockingTransport implements Transport {
    private final SocketChannel channel;
    private InputStream in; // replaced only by unread(), before the transport is handed on
    /** The timed input of a UNIX-family channel (see {@link #ofUnix}), or null for a TCP socket. */
    private final UnixChannelStreams.@Nullable Input unix;

    private final OutputStream out;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ByteBuffer probe = ByteBuffer.allocate(1);
    private final @Nullable String applicationProtocol;

    /**
     * @param channel the connected channel, in blocking mode
     * @param in what to read (the channel's own stream, or a TLS layer over it)
     * @param out what to write
     */
    public BlockingTransport(SocketChannel channel, InputStream in, OutputStream out) {
        this(channel, in, out, null);
    }

    /** A socket over which TLS negotiated {@code applicationProtocol} by ALPN (null if none). */
    public BlockingTransport(
            SocketChannel channel, InputStream in, OutputStream out, @Nullable String applicationProtocol) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.in = Objects.requireNonNull(in, "in");
        this.unix = in instanceof UnixChannelStreams.Input u ? u : null;
        this.out = Objects.requireNonNull(out, "out");
        this.applicationProtocol = applicationProtocol;
    }

    @Override
    public @Nullable String applicationProtocol() {
        return applicationProtocol;
    }

    /** A transport reading and writing {@code channel} directly. */
    public static BlockingTransport of(SocketChannel channel) throws IOException {
        return new BlockingTransport(
                channel, channel.socket().getInputStream(), channel.socket().getOutputStream());
    }

    public SocketChannel channel() {
        return channel;
    }

    public InputStream input() {
        return in;
    }

    public OutputStream output() {
        return out;
    }

    /**
     * A transport over a connected UNIX-family channel (no {@code java.net.Socket} adaptor): see {@link
     * UnixChannelStreams} for how its read timeouts work.
     */
    static BlockingTransport ofUnix(SocketChannel channel) {
        return new BlockingTransport(
                channel, new UnixChannelStreams.Input(channel), new UnixChannelStreams.Output(channel));
    }

    /**
     * Puts {@code bytes} back in front of the input: {@link #input()} returns them before anything else. For
     * a handshake that read past its own end (a proxy tunnel's, whose last read may carry the origin's first
     * bytes). Call it before handing the transport on, on the thread that owns it; a transport never unread
     * reads its stream directly. A TLS layer later built over {@link #channel()} does not see these bytes (a
     * TLS server cannot speak first, so over TLS there are none to keep).
     */
    public void unread(byte[] bytes) {
        if (bytes.length > 0) {
            in = new SequenceInputStream(new ByteArrayInputStream(bytes), in);
        }
    }

    /** Sets how long a read may wait for a byte; 0 waits forever. */
    public void readTimeoutMillis(int millis) {
        if (unix != null) {
            unix.timeoutMillis(millis);
            return;
        }
        try {
            channel.socket().setSoTimeout(millis);
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether the peer has closed (or sent anything on) this idle connection: one non-blocking read.
     * An idle HTTP/1.1 connection must be silent, so any byte or end-of-stream makes it unusable.
     */
    public boolean probeUnusable() {
        if (closed.get() || !channel.isOpen()) {
            return true;
        }
        if (unix != null && unix.readPending()) {
            return true; // a read is still waiting on the socket: the connection is mid-exchange
        }
        try {
            channel.configureBlocking(false);
            try {
                probe.clear();
                return channel.read(probe) != 0;
            } finally {
                channel.configureBlocking(true);
            }
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public boolean isOpen() {
        return !closed.get() && channel.isOpen();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Closing a socket can only fail if it is already gone; there is nothing left to release.
            }
        }
    }

    @Override
    public @Nullable SocketAddress remoteAddress() {
        try {
            return channel.getRemoteAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "BlockingTransport[" + remoteAddress() + "]";
    }
}
