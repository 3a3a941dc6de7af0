package io.aioduct.testing.proxy;

import io.aioduct.proxy.Proxy;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * An in-process proxy on 127.0.0.1 speaking HTTP {@code CONNECT}, SOCKS5 (with optional username/password)
 * or SOCKS4a, that opens tunnels to loopback targets only and misbehaves on command ({@link Fault}). Each
 * connection runs on its own virtual thread with blocking sockets. After a refusal or a fault that leaves
 * the connection open it reads on until the client closes, so {@link #closedByClient()} tells a test that
 * the client closed its side. {@link #close()} stops it and closes every connection. Thread-safe.
 */
public final class FaultProxy implements AutoCloseable {

    /** What the proxy does instead of (or besides) its job. */
    public enum Fault {
        /** Opens the tunnel and pipes bytes both ways. */
        NONE,
        /** Opens the tunnel, sending the target's-side bytes {@code "early"} in the same write as its answer. */
        EARLY_BYTES,
        /** HTTP: answers {@code 403 Forbidden}; SOCKS5: reply 2 (not allowed by ruleset); SOCKS4: reply 91. */
        REFUSE_403,
        /** HTTP: answers {@code 502 Bad Gateway}; SOCKS5: reply 5 (connection refused); SOCKS4: reply 91. */
        REFUSE_502,
        /** Sends the start of an answer, then closes the connection. */
        CLOSE_MID_HANDSHAKE,
        /** Answers with bytes that are not its protocol (an SSH banner / an HTTP answer to SOCKS). */
        GARBAGE,
        /** Reads the request and never answers. */
        SILENT
    }

    private final Proxy.Type type;
    private final Fault fault;
    private final @Nullable String username;
    private final @Nullable String password;
    private final ServerSocket server;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger closedByClient = new AtomicInteger();
    private final AtomicInteger tunnels = new AtomicInteger();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    private FaultProxy(Proxy.Type type, Fault fault, @Nullable String username, @Nullable String password)
            throws IOException {
        this.type = type;
        this.fault = fault;
        this.username = username;
        this.password = password;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("fault-proxy-accept").start(this::acceptLoop);
    }

    /** A proxy of {@code type} behaving as {@code fault}, asking no credentials. */
    public static FaultProxy start(Proxy.Type type, Fault fault) {
        return start(type, fault, null, null);
    }

    /**
     * A proxy requiring credentials when {@code username} is not null: HTTP demands {@code Basic} (407
     * otherwise), SOCKS5 offers only username/password (0xFF to a client without), SOCKS4 requires the user id.
     */
    public static FaultProxy start(Proxy.Type type, Fault fault, @Nullable String username, @Nullable String password) {
        try {
            return new FaultProxy(type, fault, username, password);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** This proxy as the client's {@link Proxy}, without credentials. */
    public Proxy proxy() {
        return switch (type) {
            case HTTP -> Proxy.http("127.0.0.1", port());
            case SOCKS5 -> Proxy.socks5("127.0.0.1", port());
            case SOCKS4 -> Proxy.socks4("127.0.0.1", port());
        };
    }

    public int accepted() {
        return accepted.get();
    }

    /** Connections the client closed (end of stream or reset) while the proxy was reading. */
    public int closedByClient() {
        return closedByClient.get();
    }

    /** Tunnels opened to a target. */
    public int tunnels() {
        return tunnels.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                accepted.incrementAndGet();
                open.add(socket);
                Thread.ofVirtual().name("fault-proxy").start(() -> serve(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            DataInputStream in = new DataInputStream(client.getInputStream());
            OutputStream out = client.getOutputStream();
            int targetPort = switch (type) {
                case HTTP -> http(in, out);
                case SOCKS5 -> socks5(in, out);
                case SOCKS4 -> socks4(in, out);
            };
            if (targetPort > 0) {
                pipe(client, in, out, targetPort);
            } else if (targetPort == 0) {
                readUntilClosed(in);
            }
        } catch (IOException e) {
            // The client went away mid-handshake: it closed its side.
            closedByClient.incrementAndGet();
        } finally {
            open.remove(client);
        }
    }

    /** Returns the target port to pipe to, 0 to read on until the client closes, -1 to close now. */
    private int http(DataInputStream in, OutputStream out) throws IOException {
        String head = readHead(in);
        String[] lines = head.split("\r\n");
        String[] requestLine = lines[0].split(" ");
        if (requestLine.length != 3 || !requestLine[0].equals("CONNECT")) {
            write(out, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
            return 0;
        }
        if (username != null) {
            String expected = "Basic "
                    + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
            boolean authorized = false;
            for (String line : lines) {
                if (line.regionMatches(true, 0, "Proxy-Authorization:", 0, 20)
                        && line.substring(20).trim().equals(expected)) {
                    authorized = true;
                }
            }
            if (!authorized) {
                write(
                        out,
                        "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"fault-proxy\""
                                + "\r\nContent-Length: 0\r\n\r\n");
                return 0;
            }
        }
        switch (fault) {
            case REFUSE_403 -> write(out, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
            case REFUSE_502 -> write(out, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
            case CLOSE_MID_HANDSHAKE -> {
                write(out, "HTTP/1.1 200 Conn");
                return -1;
            }
            case GARBAGE -> write(out, "SSH-2.0-OpenSSH_9.2\r\n");
            case SILENT -> {}
            case NONE, EARLY_BYTES -> {
                return loopbackPort(requestLine[1].substring(0, requestLine[1].lastIndexOf(':')), out, () -> {
                    int port = Integer.parseInt(requestLine[1].substring(requestLine[1].lastIndexOf(':') + 1));
                    write(
                            out,
                            "HTTP/1.1 200 Connection established\r\n\r\n"
                                    + (fault == Fault.EARLY_BYTES ? "early" : ""));
                    return port;
                });
            }
        }
        return 0;
    }

    private int socks5(DataInputStream in, OutputStream out) throws IOException {
        int version = in.readUnsignedByte();
        int methods = in.readUnsignedByte();
        byte[] offered = in.readNBytes(methods);
        if (version != 5) return 0;
        int wanted = username == null ? 0 : 2;
        boolean ok = false;
        for (byte m : offered) ok |= m == wanted;
        if (!ok) {
            out.write(new byte[] {5, (byte) 0xff});
            return 0;
        }
        if (fault == Fault.CLOSE_MID_HANDSHAKE) {
            out.write(new byte[] {5});
            return -1;
        }
        if (fault == Fault.GARBAGE) {
            write(out, "HTTP/1.1 400 Bad Request\r\n\r\n");
            return 0;
        }
        out.write(new byte[] {5, (byte) wanted});
        if (wanted == 2) {
            in.readUnsignedByte();
            String user = new String(in.readNBytes(in.readUnsignedByte()), StandardCharsets.UTF_8);
            String pass = new String(in.readNBytes(in.readUnsignedByte()), StandardCharsets.UTF_8);
            if (!user.equals(username) || !pass.equals(password)) {
                out.write(new byte[] {1, 1});
                return 0;
            }
            out.write(new byte[] {1, 0});
        }
        in.readUnsignedByte(); // VER
        in.readUnsignedByte(); // CMD
        in.readUnsignedByte(); // RSV
        int atyp = in.readUnsignedByte();
        String host = switch (atyp) {
            case 1 -> InetAddress.getByAddress(in.readNBytes(4)).getHostAddress();
            case 4 -> InetAddress.getByAddress(in.readNBytes(16)).getHostAddress();
            default -> new String(in.readNBytes(in.readUnsignedByte()), StandardCharsets.US_ASCII);
        };
        int port = in.readUnsignedShort();
        int refusal = switch (fault) {
            case REFUSE_403 -> 2;
            case REFUSE_502 -> 5;
            default -> 0;
        };
        if (fault == Fault.SILENT) return 0;
        if (refusal != 0) {
            out.write(new byte[] {5, (byte) refusal, 0, 1, 0, 0, 0, 0, 0, 0});
            return 0;
        }
        return loopbackPort(host, out, () -> {
            // The bound address as a domain name, to exercise the variable-length form.
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            reply.writeBytes(new byte[] {5, 0, 0, 3, 9});
            reply.writeBytes("localhost".getBytes(StandardCharsets.US_ASCII));
            reply.writeBytes(new byte[] {(byte) (port >> 8), (byte) port});
            if (fault == Fault.EARLY_BYTES) reply.writeBytes("early".getBytes(StandardCharsets.US_ASCII));
            out.write(reply.toByteArray());
            return port;
        });
    }

    private int socks4(DataInputStream in, OutputStream out) throws IOException {
        in.readUnsignedByte(); // VN
        in.readUnsignedByte(); // CD
        int port = in.readUnsignedShort();
        byte[] ip = in.readNBytes(4);
        String user = readNulTerminated(in);
        String host = ip[0] == 0 && ip[1] == 0 && ip[2] == 0 && ip[3] != 0
                ? readNulTerminated(in)
                : InetAddress.getByAddress(ip).getHostAddress();
        if (username != null && !username.equals(user)) {
            out.write(new byte[] {0, 93, 0, 0, 0, 0, 0, 0});
            return 0;
        }
        switch (fault) {
            case REFUSE_403, REFUSE_502 -> {
                out.write(new byte[] {0, 91, 0, 0, 0, 0, 0, 0});
                return 0;
            }
            case CLOSE_MID_HANDSHAKE -> {
                out.write(new byte[] {0, 90, 0});
                return -1;
            }
            case GARBAGE -> {
                write(out, "HTTP/1.1 400 Bad Request\r\n\r\n");
                return 0;
            }
            case SILENT -> {
                return 0;
            }
            case NONE, EARLY_BYTES -> {}
        }
        return loopbackPort(host, out, () -> {
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            reply.writeBytes(new byte[] {0, 90, (byte) (port >> 8), (byte) port, 127, 0, 0, 1});
            if (fault == Fault.EARLY_BYTES) reply.writeBytes("early".getBytes(StandardCharsets.US_ASCII));
            out.write(reply.toByteArray());
            return port;
        });
    }

    private interface Answer {
        int send() throws IOException;
    }

    /** Tunnels go to loopback only: a test must never reach anything else. */
    private int loopbackPort(String host, OutputStream out, Answer success) throws IOException {
        if (!host.equals("localhost") && !host.startsWith("127.") && !host.equals("0:0:0:0:0:0:0:1")) {
            throw new IOException("the fault proxy tunnels to loopback only, not to " + host);
        }
        return success.send();
    }

    private void pipe(Socket client, InputStream in, OutputStream out, int port) throws IOException {
        try (Socket target = new Socket(InetAddress.getLoopbackAddress(), port)) {
            tunnels.incrementAndGet();
            open.add(target);
            Thread back = Thread.ofVirtual().name("fault-proxy-back").start(() -> {
                try {
                    target.getInputStream().transferTo(out);
                } catch (IOException ended) {
                    // Either side went away.
                }
                try {
                    client.shutdownOutput();
                } catch (IOException ignored) {
                    // Already closed.
                }
            });
            try {
                in.transferTo(target.getOutputStream());
                closedByClient.incrementAndGet();
            } finally {
                target.close();
                open.remove(target);
                back.interrupt();
            }
        }
    }

    private void readUntilClosed(InputStream in) throws IOException {
        byte[] sink = new byte[512];
        while (in.read(sink) >= 0) {
            // Discard: the proxy waits for the client to close.
        }
        closedByClient.incrementAndGet();
    }

    private static String readHead(DataInputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) throw new EOFException("closed in the request head");
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1
                    : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static String readNulTerminated(DataInputStream in) throws IOException {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        int b;
        while ((b = in.readUnsignedByte()) != 0) s.write(b);
        return s.toString(StandardCharsets.US_ASCII);
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // Already closed.
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
