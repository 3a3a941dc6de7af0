package io.aioduct.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Listens on a Unix domain socket in a fresh temporary directory and pipes every connection to a TCP test
 * server on loopback, byte for byte (TLS and HTTP/2 pass through untouched): lets the engine's Unix socket
 * connections be tested against the ordinary test servers. Counts the connections it accepted.
 */
public final class UnixSocketRelay implements AutoCloseable {
    private final Path dir;
    private final Path path;
    private final ServerSocketChannel server;
    private final InetSocketAddress target;
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    private UnixSocketRelay(InetSocketAddress target) throws IOException {
        this.target = target;
        this.dir = Files.createTempDirectory("aioduct-uds");
        this.path = dir.resolve("relay.sock");
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        this.acceptor = Thread.ofVirtual().name("uds-relay-accept").start(this::acceptLoop);
    }

    /** A relay from a new socket file to {@code target}. */
    public static UnixSocketRelay to(InetSocketAddress target) {
        try {
            return new UnixSocketRelay(target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The socket file clients connect to. */
    public Path path() {
        return path;
    }

    /** How many connections came in over the socket. */
    public int accepted() {
        return accepted.get();
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            SocketChannel in;
            try {
                in = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            try {
                SocketChannel out = SocketChannel.open(target);
                open.add(in);
                open.add(out);
                Thread.ofVirtual().name("uds-relay-up").start(() -> pump(in, out));
                Thread.ofVirtual().name("uds-relay-down").start(() -> pump(out, in));
            } catch (IOException e) {
                closeQuietly(in);
            }
        }
    }

    private static void pump(SocketChannel from, SocketChannel to) {
        ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
        try {
            while (from.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    to.write(buffer);
                }
                buffer.clear();
            }
        } catch (IOException e) {
            // One side went away: close both below.
        }
        closeQuietly(from);
        closeQuietly(to);
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closing a relay leg can only fail if it is already gone.
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
        open.forEach(UnixSocketRelay::closeQuietly);
        Files.deleteIfExists(path);
        Files.deleteIfExists(dir);
    }
}
