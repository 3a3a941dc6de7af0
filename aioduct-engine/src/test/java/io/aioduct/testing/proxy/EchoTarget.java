package io.aioduct.testing.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The origin behind a test proxy: a TCP server on 127.0.0.1 that echoes every byte back, on a virtual
 * thread per connection, and counts the connections it accepted, so a test can tell that nothing reached
 * it when a tunnel failed. {@link #close()} stops it and closes every connection. Thread-safe.
 */
public final class EchoTarget implements AutoCloseable {
    private final ServerSocket server;
    private final AtomicInteger accepted = new AtomicInteger();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    private EchoTarget(ServerSocket server) {
        this.server = server;
        Thread.ofVirtual().name("echo-target-accept").start(this::acceptLoop);
    }

    public static EchoTarget start() {
        try {
            return new EchoTarget(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** How many connections reached this target. */
    public int accepted() {
        return accepted.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                accepted.incrementAndGet();
                open.add(socket);
                Thread.ofVirtual().name("echo-target").start(() -> echo(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void echo(Socket socket) {
        try (socket;
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream()) {
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException ended) {
            // The peer went away: the echo is over.
        } finally {
            open.remove(socket);
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // Closing a listening socket fails only if it is already closed.
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // Already closed.
            }
        }
    }
}
