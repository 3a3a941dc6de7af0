package io.aioduct.testing.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * An in-process HTTP proxy on 127.0.0.1 for the engine's proxy tests: it forwards absolute-form requests
 * ({@code GET http://host:port/p HTTP/1.1}) to the origin in origin-form and relays the answer, and opens
 * {@code CONNECT} tunnels (answering 200 and then copying bytes both ways). With {@link #requireCredentials}
 * it answers 407 (with a Basic challenge) to any request or CONNECT without the expected {@code
 * Proxy-Authorization}, or with {@link #requireDigest} with a Digest challenge, which it consumes (it never forwards the field). It records every request line and
 * the {@code Proxy-Authorization} each carried, and counts the connections it accepted. Origins are reached
 * on loopback only, whatever host name the request names.
 *
 * <p>Threading: one platform thread per accepted connection; the recordings are thread-safe. {@link #close}
 * closes every socket; {@link #failures} lists what went wrong inside it.
 */
public final class ForwardingProxy implements AutoCloseable {
    /** One request the proxy received: its request line and the Proxy-Authorization it carried. */
    public record Seen(
            String requestLine,
            @Nullable String proxyAuthorization,
            @Nullable String host,
            @Nullable String authorization) {}

    private final ServerSocket server;
    private final Thread acceptor;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile @Nullable String expectedAuthorization;
    /** user:password for Digest (RFC 7616, MD5, qop=auth), instead of Basic; null for Basic or none. */
    private volatile String @Nullable [] digest;

    private volatile boolean closed;

    private ForwardingProxy() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofPlatform()
                .daemon()
                .name("forwarding-proxy-" + server.getLocalPort())
                .start(this::accept);
    }

    public static ForwardingProxy start() {
        try {
            return new ForwardingProxy();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Answers 407 unless a request carries {@code Proxy-Authorization: Basic base64(user:password)}. */
    public ForwardingProxy requireCredentials(String user, String password) {
        expectedAuthorization =
                "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /**
     * Answers 407 with a Digest challenge (MD5, {@code qop="auth"}, realm {@code test-proxy}) unless a request
     * carries a Digest {@code Proxy-Authorization} for {@code user} and {@code password} computed over its
     * own method and request target (for a CONNECT: {@code CONNECT} and {@code host:port}).
     */
    public ForwardingProxy requireDigest(String user, String password) {
        digest = new String[] {user, password};
        return this;
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return server.getLocalPort();
    }

    /** TCP connections accepted since start. */
    public int connectionsAccepted() {
        return accepted.get();
    }

    /** Every request (or CONNECT) received, in order. */
    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    public List<Throwable> failures() {
        return List.copyOf(failures);
    }

    private void accept() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!closed) failures.add(e);
                return;
            }
            accepted.incrementAndGet();
            sockets.add(s);
            Thread.ofPlatform().daemon().name("forwarding-proxy-conn").start(() -> serve(s));
        }
    }

    /** Serves one client connection: requests until it closes, or a tunnel. */
    private void serve(Socket client) {
        Socket upstream = null;
        try (client) {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            while (true) {
                Head head = Head.read(in);
                if (head == null) return;
                String[] line = head.line.split(" ");
                String auth = head.header("Proxy-Authorization");
                seen.add(new Seen(head.line, auth, head.header("Host"), head.header("Authorization")));
                String expected = expectedAuthorization;
                String[] digestCredentials = digest;
                boolean allowed = digestCredentials != null
                        ? digestAllowed(digestCredentials, line[0], line[1], auth)
                        : expected == null || expected.equals(auth);
                if (line[0].equals("CONNECT")) {
                    if (!allowed) {
                        challenge(out, digestCredentials != null);
                        return; // a refused CONNECT ends the connection (as squid does without keep-alive)
                    }
                    tunnel(client, line[1]);
                    return;
                }
                byte[] body = head.readBody(in);
                if (!allowed) {
                    challenge(out, digestCredentials != null);
                    continue;
                }
                // Absolute form: http://host:port/path?q
                String target = line[1];
                if (!target.startsWith("http://")) {
                    out.write(("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    return;
                }
                int slash = target.indexOf('/', "http://".length());
                String authority = slash < 0 ? target.substring(7) : target.substring(7, slash);
                String path = slash < 0 ? "/" : target.substring(slash);
                if (upstream == null || upstream.isClosed()) {
                    upstream = connect(authority);
                    sockets.add(upstream);
                }
                StringBuilder forwarded = new StringBuilder(line[0] + " " + path + " " + line[2] + "\r\n");
                for (String[] h : head.headers) {
                    String lower = h[0].toLowerCase(Locale.ROOT);
                    if (lower.equals("proxy-authorization") || lower.equals("proxy-connection")) continue;
                    forwarded.append(h[0]).append(": ").append(h[1]).append("\r\n");
                }
                forwarded.append("\r\n");
                OutputStream up = upstream.getOutputStream();
                up.write(forwarded.toString().getBytes(StandardCharsets.ISO_8859_1));
                up.write(body);
                up.flush();
                relayResponse(upstream.getInputStream(), out, line[0].equals("HEAD"));
            }
        } catch (IOException e) {
            if (!closed && !(e instanceof SocketException)) failures.add(e);
        } catch (RuntimeException e) {
            failures.add(e);
        } finally {
            if (upstream != null) {
                try {
                    upstream.close();
                } catch (IOException ignored) {
                    // closing
                }
                sockets.remove(upstream);
            }
            sockets.remove(client);
        }
    }

    private static void challenge(OutputStream out, boolean digest) throws IOException {
        String challenge = digest
                ? "Digest realm=\"test-proxy\", nonce=\"" + NONCE + "\", qop=\"auth\", algorithm=MD5"
                : "Basic realm=\"test-proxy\"";
        out.write(("HTTP/1.1 407 Proxy Authentication Required\r\n" + "Proxy-Authenticate: " + challenge
                        + "\r\nContent-Length: 0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static final String NONCE = "dGVzdC1wcm94eS1ub25jZQ";

    /** Whether {@code auth} is a right Digest answer for {@code method} on {@code target} (RFC 7616 3.4.1). */
    private static boolean digestAllowed(String[] credentials, String method, String target, @Nullable String auth) {
        if (auth == null || !auth.regionMatches(true, 0, "Digest ", 0, 7)) return false;
        List<io.aioduct.policy.Challenge> parsed = io.aioduct.policy.Challenge.parse(auth);
        if (parsed.size() != 1) return false;
        io.aioduct.policy.Challenge c = parsed.get(0);
        String uri = c.parameter("uri");
        if (!credentials[0].equals(c.parameter("username"))
                || !"test-proxy".equals(c.realm())
                || !NONCE.equals(c.parameter("nonce"))
                || !target.equals(uri)
                || !"auth".equals(c.parameter("qop"))) {
            return false;
        }
        String ha1 = md5(credentials[0] + ":test-proxy:" + credentials[1]);
        String ha2 = md5(method + ":" + uri);
        String expected =
                md5(ha1 + ":" + NONCE + ":" + c.parameter("nc") + ":" + c.parameter("cnonce") + ":auth:" + ha2);
        return expected.equals(c.parameter("response"));
    }

    private static String md5(String s) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(
                            java.security.MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Socket connect(String authority) throws IOException {
        int colon = authority.lastIndexOf(':');
        int port = colon < 0 ? 80 : Integer.parseInt(authority.substring(colon + 1));
        // Loopback only: tests never reach anything else, whatever name the request carries.
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        return s;
    }

    /** CONNECT: 200, then bytes both ways until either side closes. */
    private void tunnel(Socket client, String authority) throws IOException {
        Socket upstream;
        try {
            upstream = connect(authority);
        } catch (IOException e) {
            client.getOutputStream()
                    .write("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            client.getOutputStream().flush();
            return;
        }
        sockets.add(upstream);
        try (upstream) {
            client.getOutputStream()
                    .write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            client.getOutputStream().flush();
            Thread back =
                    Thread.ofPlatform().daemon().name("forwarding-proxy-tunnel").start(() -> copy(upstream, client));
            copy(client, upstream);
            try {
                back.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } finally {
            sockets.remove(upstream);
        }
    }

    private static void copy(Socket from, Socket to) {
        byte[] buf = new byte[16384];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // either side went away: the tunnel ends
        } finally {
            try {
                to.shutdownOutput();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    /** Copies one response from the origin: its head, then a body by Content-Length or chunked framing. */
    private static void relayResponse(InputStream up, OutputStream out, boolean head) throws IOException {
        Head response = Head.read(up);
        if (response == null) throw new IOException("the origin closed without answering");
        StringBuilder sb = new StringBuilder(response.line).append("\r\n");
        for (String[] h : response.headers)
            sb.append(h[0]).append(": ").append(h[1]).append("\r\n");
        sb.append("\r\n");
        out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        int status = Integer.parseInt(response.line.split(" ")[1]);
        if (!head && status != 204 && status != 304 && status >= 200) {
            out.write(response.readRawBody(up));
        }
        out.flush();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A request or response head, read byte by byte (a test proxy: simple over fast). */
    private static final class Head {
        final String line;
        final List<String[]> headers = new ArrayList<>();

        private Head(String line) {
            this.line = line;
        }

        static @Nullable Head read(InputStream in) throws IOException {
            String line = readLine(in);
            if (line == null) return null;
            Head h = new Head(line);
            String field;
            while ((field = readLine(in)) != null && !field.isEmpty()) {
                int colon = field.indexOf(':');
                h.headers.add(new String[] {
                    field.substring(0, colon), field.substring(colon + 1).trim()
                });
            }
            return h;
        }

        @Nullable
        String header(String name) {
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) return h[1];
            }
            return null;
        }

        /** A request body: by Content-Length only (the tests send no chunked bodies through it). */
        byte[] readBody(InputStream in) throws IOException {
            String length = header("Content-Length");
            return length == null ? new byte[0] : in.readNBytes(Integer.parseInt(length));
        }

        /** A response body as it came, framing included. */
        byte[] readRawBody(InputStream in) throws IOException {
            String length = header("Content-Length");
            if (length != null) return in.readNBytes(Integer.parseInt(length));
            String te = header("Transfer-Encoding");
            if (te == null || !te.toLowerCase(Locale.ROOT).contains("chunked")) return in.readAllBytes();
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            while (true) {
                String size = readLine(in);
                if (size == null) throw new IOException("chunked body cut short");
                raw.writeBytes((size + "\r\n").getBytes(StandardCharsets.US_ASCII));
                int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (n == 0) {
                    String trailer;
                    while ((trailer = readLine(in)) != null && !trailer.isEmpty()) {
                        raw.writeBytes((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    }
                    raw.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
                    return raw.toByteArray();
                }
                raw.writeBytes(in.readNBytes(n + 2));
            }
        }

        private static @Nullable String readLine(InputStream in) throws IOException {
            StringBuilder sb = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    int len = sb.length();
                    if (len > 0 && sb.charAt(len - 1) == '\r') sb.setLength(len - 1);
                    return sb.toString();
                }
                sb.append((char) b);
            }
            return sb.isEmpty() ? null : sb.toString();
        }
    }
}
