package io.aioduct.http2;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bare h2c (prior knowledge) server speaking frames over a blocking socket, for what {@link
 * io.aioduct.testing.H2TestServer} (Netty) hides: it records every frame the client sends, including
 * PING and WINDOW_UPDATE, and can leave PINGs unanswered. It sends an empty SETTINGS, acknowledges the
 * client's SETTINGS, answers each request HEADERS with {@code :status 200} and END_STREAM (unless told
 * not to), and acknowledges PINGs (unless told not to). Threads are daemons named {@code raw-h2-peer}.
 */
final class RawH2Peer implements AutoCloseable {
    static final int DATA = 0x0;
    static final int HEADERS = 0x1;
    static final int RST_STREAM = 0x3;
    static final int SETTINGS = 0x4;
    static final int PING = 0x6;
    static final int GOAWAY = 0x7;
    static final int WINDOW_UPDATE = 0x8;

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** One frame the client sent, with the id of the connection (1, 2, ...) it came on. */
    record Frame(int connection, int type, int flags, int streamId, byte[] payload) {
        boolean ack() {
            return (flags & 0x1) != 0 && (type == SETTINGS || type == PING);
        }

        /** The value of a SETTINGS parameter, or -1 if the frame does not carry it. */
        long setting(int id) {
            ByteBuffer b = ByteBuffer.wrap(payload);
            while (b.remaining() >= 6) {
                int key = b.getShort() & 0xffff;
                long value = b.getInt() & 0xffffffffL;
                if (key == id) return value;
            }
            return -1;
        }

        /** The increment of a WINDOW_UPDATE, the error code of RST_STREAM or GOAWAY. */
        long word(int index) {
            return ByteBuffer.wrap(payload).getInt(index * 4) & 0xffffffffL;
        }

        @Override
        public String toString() {
            return "Frame[conn=" + connection + ", type=" + type + ", flags=" + flags + ", stream=" + streamId + ", "
                    + payload.length + " bytes]";
        }
    }

    private final ServerSocket listener;
    private final List<Frame> frames = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger endedByClient = new AtomicInteger();
    private volatile boolean ackPings = true;
    private volatile boolean answerRequests = true;
    private volatile int bodyBytes;
    private volatile boolean closed;

    private RawH2Peer() throws IOException {
        listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        start(this::acceptLoop);
    }

    static RawH2Peer start() {
        try {
            return new RawH2Peer();
        } catch (IOException e) {
            throw new AssertionError("cannot listen", e);
        }
    }

    String uri(String path) {
        return "http://127.0.0.1:" + listener.getLocalPort() + path;
    }

    RawH2Peer ackPings(boolean on) {
        ackPings = on;
        return this;
    }

    /** Answers each request with a body of {@code bytes} zero bytes, in DATA frames of 16 KiB (the default limit). */
    RawH2Peer bodyBytes(int bytes) {
        bodyBytes = bytes;
        return this;
    }

    RawH2Peer answerRequests(boolean on) {
        answerRequests = on;
        return this;
    }

    List<Frame> frames() {
        return List.copyOf(frames);
    }

    /** Frames of {@code type} the client sent, acknowledgements excluded. */
    List<Frame> frames(int type) {
        return frames.stream().filter(f -> f.type() == type && !f.ack()).toList();
    }

    int connectionsAccepted() {
        return accepted.get();
    }

    /** Connections the client closed (EOF or reset seen). */
    int connectionsEndedByClient() {
        return endedByClient.get();
    }

    List<Throwable> failures() {
        return List.copyOf(failures);
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
            for (Socket s : sockets) s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Thread t : threads) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void start(Runnable r) {
        Thread t = Thread.ofPlatform().daemon().name("raw-h2-peer").unstarted(r);
        threads.add(t);
        t.start();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = listener.accept();
                s.setTcpNoDelay(true);
                sockets.add(s);
                int id = accepted.incrementAndGet();
                start(() -> serve(s, id));
            } catch (IOException e) {
                if (!closed) failures.add(e);
                return;
            }
        }
    }

    private void serve(Socket socket, int id) {
        try (socket) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            byte[] preface = new byte[PREFACE.length];
            in.readFully(preface);
            if (!Arrays.equals(preface, PREFACE)) {
                throw new IOException("bad preface: " + new String(preface, StandardCharsets.ISO_8859_1));
            }
            write(out, SETTINGS, 0, 0, new byte[0]);
            while (true) {
                int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                int stream = in.readInt() & Integer.MAX_VALUE;
                byte[] payload = new byte[length];
                in.readFully(payload);
                Frame f = new Frame(id, type, flags, stream, payload);
                frames.add(f);
                if (type == SETTINGS && !f.ack()) {
                    write(out, SETTINGS, 0x1, 0, new byte[0]);
                } else if (type == PING && !f.ack() && ackPings) {
                    write(out, PING, 0x1, 0, payload);
                } else if (type == HEADERS && answerRequests) {
                    // HPACK static table index 8 is ":status: 200".
                    int body = bodyBytes;
                    write(out, HEADERS, (body == 0 ? 0x1 : 0) | 0x4, stream, new byte[] {(byte) 0x88});
                    for (int sent = 0; sent < body; sent += 16 * 1024) {
                        int n = Math.min(16 * 1024, body - sent);
                        write(out, DATA, sent + n == body ? 0x1 : 0, stream, new byte[n]);
                    }
                }
            }
        } catch (EOFException | java.net.SocketException e) {
            if (!closed) endedByClient.incrementAndGet();
        } catch (IOException e) {
            if (!closed) failures.add(e);
        }
    }

    private static void write(OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException {
        byte[] frame = new byte[9 + payload.length];
        frame[0] = (byte) (payload.length >>> 16);
        frame[1] = (byte) (payload.length >>> 8);
        frame[2] = (byte) payload.length;
        frame[3] = (byte) type;
        frame[4] = (byte) flags;
        ByteBuffer.wrap(frame, 5, 4).putInt(stream);
        System.arraycopy(payload, 0, frame, 9, payload.length);
        synchronized (out) {
            out.write(frame);
            out.flush();
        }
    }
}
