package io.aioduct.connect;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A loopback address where a connect neither succeeds nor is refused: a listener with backlog 1 that never
 * accepts, its accept queue filled by the constructor, so Linux drops further SYNs and a connect just
 * waits. Needs no root. The constructor proves the queue is full (a filler's connect timed out) or fails
 * the test. Close it to free the port.
 */
final class BlackHole implements AutoCloseable {
    private final ServerSocket listener;
    private final List<Socket> fillers = new ArrayList<>();

    /** A black hole on {@code address}:{@code port} (the port another listener uses on another address). */
    BlackHole(InetAddress address, int port) throws IOException {
        listener = new ServerSocket();
        listener.bind(new InetSocketAddress(address, port), 1);
        try {
            fill();
        } catch (IOException | RuntimeException | AssertionError e) {
            close();
            throw e;
        }
    }

    private void fill() throws IOException {
        InetSocketAddress address = address();
        for (int i = 0; i < 16; i++) {
            Socket s = new Socket();
            try {
                s.connect(address, 200);
                fillers.add(s);
            } catch (SocketTimeoutException full) {
                s.close();
                return;
            }
        }
        fail("the accept queue of a backlog-1 listener never filled: connects are not dropped here");
    }

    InetSocketAddress address() {
        return new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
    }

    @Override
    public void close() throws IOException {
        for (Socket s : fillers) s.close();
        listener.close();
    }

    /**
     * How many sockets of this network namespace are still trying to connect (SYN_SENT) to {@code to}, from
     * /proc/net/tcp and tcp6: a connect attempt the client abandoned without closing its socket shows here.
     */
    static int connectingTo(InetSocketAddress to) {
        String remote = procAddress(to.getAddress()) + ":" + String.format("%04X", to.getPort());
        int count = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    // sl local_address rem_address st ...; state 02 is SYN_SENT
                    if (f.length > 3 && f[2].equals(remote) && f[3].equals("02")) count++;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return count;
    }

    /** The kernel prints each 32-bit word of the address in host (little-endian) byte order. */
    private static String procAddress(InetAddress address) {
        byte[] b = address.getAddress();
        byte[] out = new byte[b.length];
        for (int word = 0; word < b.length; word += 4) {
            for (int i = 0; i < 4; i++) out[word + i] = b[word + 3 - i];
        }
        return HexFormat.of().withUpperCase().formatHex(out);
    }
}
