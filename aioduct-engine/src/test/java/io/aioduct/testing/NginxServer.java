package io.aioduct.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx (Debian's {@code nginx}, 1.22 on Debian 12) run as a child process on 127.0.0.1, for interop
 * tests against a server we did not write. One process, four listeners on free ports (see
 * {@link Listener}), all serving the same content:
 *
 * <ul>
 *   <li>{@code /small}: the 13 bytes of {@link #SMALL_BODY}, {@code "hello, world\n"};
 *   <li>{@code /1m}: {@link #LARGE_SIZE} bytes, {@link #largeBody()}, SHA-256 {@link #largeBodySha256()};
 *   <li>{@code /echo}: answers 200 with the request body as its body (the echo module that
 *       {@code libnginx-mod-http-echo} brings; nginx buffers the whole body first, up to 64 MiB);
 *   <li>anything else: 404.
 * </ul>
 *
 * <p>Every response carries {@value #CONNECTION_HEADER} (nginx's serial number of the TCP connection
 * that carried it, the same for every HTTP/2 stream of one connection) and
 * {@value #CONNECTION_REQUESTS_HEADER} (how many requests that connection has carried, this one
 * included), so a test can tell from the responses alone whether a client reused its connections.
 *
 * <p>The configuration, content, logs and pid file live in a temporary directory; nginx runs in the
 * foreground without worker processes ({@code daemon off; master_process off;}), so killing the one
 * child process stops it. {@link #close()} stops it and deletes the directory; a shutdown hook does the
 * same if a test forgets. Certificates come from {@link TlsMaterial} ({@code localhost}, signed by its CA).
 *
 * <p>If nginx or its echo module is missing this fails with a message saying to run
 * {@code scripts/ensure-test-packages}, which {@code scripts/test} (and so CI) runs before Maven.
 * Thread-safe; queries may be called from any thread.
 */
public final class NginxServer implements AutoCloseable {

    /** Where Debian installs the nginx binary. */
    public static final Path NGINX = Path.of("/usr/sbin/nginx");
    /** The echo module (Debian's {@code libnginx-mod-http-echo}). */
    public static final Path ECHO_MODULE = Path.of("/usr/lib/nginx/modules/ngx_http_echo_module.so");
    /** The body of {@code /small}. */
    public static final String SMALL_BODY = "hello, world\n";
    /** The size of {@code /1m}: 1 MiB. */
    public static final int LARGE_SIZE = 1 << 20;
    /** The response header naming the connection that carried a response (nginx's {@code $connection}). */
    public static final String CONNECTION_HEADER = "X-Connection";
    /** The response header counting the requests on that connection ({@code $connection_requests}). */
    public static final String CONNECTION_REQUESTS_HEADER = "X-Connection-Requests";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final int START_ATTEMPTS = 3;

    /** nginx's listeners, each on its own port. */
    public enum Listener {
        /** HTTP/1.1 in cleartext. */
        HTTP11(false),
        /** HTTP/1.1 over TLS; ALPN offers only {@code http/1.1}. */
        HTTP11_TLS(true),
        /** HTTP/2 over TLS; ALPN offers {@code h2} and {@code http/1.1}. */
        H2_TLS(true),
        /**
         * HTTP/2 in cleartext with prior knowledge only. nginx 1.22 speaks nothing else on such a port: an
         * HTTP/1.1 request (with or without {@code Upgrade: h2c}) gets SETTINGS, GOAWAY PROTOCOL_ERROR and
         * a close.
         */
        H2C(false);

        private final boolean tls;

        Listener(boolean tls) {
            this.tls = tls;
        }

        public boolean tls() {
            return tls;
        }
    }

    private final Path directory;
    private final Process process;
    private final Map<Listener, Integer> ports;
    private final Thread shutdownHook;
    private volatile boolean closed;

    private NginxServer(Path directory, Process process, Map<Listener, Integer> ports) {
        this.directory = directory;
        this.process = process;
        this.ports = ports;
        this.shutdownHook = new Thread(this::stopProcessAndClean, "nginx-server-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts nginx with {@link TlsMaterial#shared()} certificates and waits until all four ports accept. */
    public static NginxServer start() {
        return start(TlsMaterial.shared());
    }

    /** Starts nginx presenting {@code tls.localhost()} and waits until all four ports accept connections. */
    public static NginxServer start(TlsMaterial tls) {
        return start(tls, NGINX, ECHO_MODULE);
    }

    static NginxServer start(TlsMaterial tls, Path nginx, Path echoModule) {
        for (Path needed : List.of(nginx, echoModule)) {
            if (!Files.exists(needed)) {
                throw new IllegalStateException(needed + " is missing, so the nginx interop tests cannot run. Run"
                        + " scripts/ensure-test-packages (the project's set-up; scripts/test and CI run it) to"
                        + " install nginx and its echo module, or: apt-get install -y --no-install-recommends"
                        + " nginx libnginx-mod-http-echo");
            }
        }
        Path directory;
        try {
            directory = Files.createTempDirectory("aioduct-nginx-");
            writeContent(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare nginx's directory", e);
        }
        String lastFailure = "";
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            try {
                Map<Listener, Integer> ports = freePorts();
                Files.writeString(directory.resolve("nginx.conf"), config(directory, ports, tls, echoModule));
                Process process = new ProcessBuilder(
                                nginx.toString(),
                                "-p",
                                directory.toString(),
                                "-c",
                                directory.resolve("nginx.conf").toString(),
                                "-e",
                                directory.resolve("error.log").toString())
                        .redirectErrorStream(true)
                        .redirectOutput(directory.resolve("nginx.out").toFile())
                        .start();
                NginxServer server = new NginxServer(directory, process, ports);
                if (server.awaitListening()) {
                    return server;
                }
                // Most likely another process took one of the free ports between our probe and nginx's
                // bind: try again with new ports.
                lastFailure = server.logs();
                server.stopProcess();
                server.removeHook();
            } catch (IOException e) {
                lastFailure = e.toString();
            }
        }
        TlsMaterial.deleteTree(directory);
        throw new IllegalStateException(
                "nginx did not start in " + START_ATTEMPTS + " attempts; last output:\n" + lastFailure);
    }

    // ---- queries ----

    public int port(Listener listener) {
        return ports.get(listener);
    }

    /** {@code http://127.0.0.1:port/path}, or {@code https://localhost:port/path} for a TLS listener. */
    public String uri(Listener listener, String path) {
        String base = listener.tls() ? "https://localhost:" : "http://127.0.0.1:";
        return base + port(listener) + (path.startsWith("/") || path.isEmpty() ? "" : "/") + path;
    }

    public URI toUri(Listener listener, String path) {
        return URI.create(uri(listener, path));
    }

    public InetSocketAddress address(Listener listener) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port(listener));
    }

    /** The temporary directory with the configuration, content and logs. */
    public Path directory() {
        return directory;
    }

    /** nginx's error log (level info) and console output, for a failing test's message. */
    public String logs() {
        StringBuilder sb = new StringBuilder();
        for (String name : List.of("error.log", "nginx.out")) {
            Path file = directory.resolve(name);
            try {
                if (Files.exists(file)) {
                    sb.append("--- ").append(name).append(" ---\n").append(Files.readString(file));
                }
            } catch (IOException e) {
                sb.append("(could not read ")
                        .append(name)
                        .append(": ")
                        .append(e)
                        .append(")\n");
            }
        }
        return sb.toString();
    }

    /** The nginx process id. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The body of {@code /1m}: a fixed pattern that does not repeat at any power-of-two period up to 64 KiB. */
    public static byte[] largeBody() {
        byte[] data = new byte[LARGE_SIZE];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + (i >>> 8) * 7 + (i >>> 16) * 13);
        }
        return data;
    }

    /** The SHA-256 of {@link #largeBody()}, lower-case hex. */
    public static String largeBodySha256() {
        return sha256(largeBody());
    }

    /** The SHA-256 of {@code data}, lower-case hex. */
    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops nginx (SIGTERM, then SIGKILL after 5 s), waits for it, and deletes its directory. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        stopProcessAndClean();
        removeHook();
    }

    @Override
    public String toString() {
        return "NginxServer[pid " + process.pid() + ", " + ports + "]";
    }

    // ---- internals ----

    private synchronized void stopProcessAndClean() {
        if (closed) {
            return;
        }
        closed = true;
        stopProcess();
        TlsMaterial.deleteTree(directory);
    }

    private void stopProcess() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void removeHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is exiting: the hook runs (or ran) anyway.
        }
    }

    /** Waits until every port accepts a connection; {@code false} if nginx exited or time ran out. */
    private boolean awaitListening() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        List<Listener> waiting = new ArrayList<>(List.of(Listener.values()));
        while (!waiting.isEmpty()) {
            if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                return false;
            }
            waiting.removeIf(this::accepts);
            if (!waiting.isEmpty()) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    private boolean accepts(Listener listener) {
        try (Socket probe = new Socket()) {
            probe.connect(address(listener), 1000);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    /** Four distinct free ports: all probes stay bound until each has its port. */
    private static Map<Listener, Integer> freePorts() throws IOException {
        Map<Listener, Integer> ports = new EnumMap<>(Listener.class);
        List<ServerSocket> probes = new ArrayList<>();
        try {
            for (Listener listener : Listener.values()) {
                ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                probes.add(probe);
                ports.put(listener, probe.getLocalPort());
            }
        } finally {
            for (ServerSocket probe : probes) {
                probe.close();
            }
        }
        return ports;
    }

    private static void writeContent(Path directory) throws IOException {
        Path www = Files.createDirectories(directory.resolve("www"));
        Files.writeString(www.resolve("small"), SMALL_BODY, StandardCharsets.US_ASCII);
        Files.write(www.resolve("1m"), largeBody());
        for (String temp : List.of("body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            Files.createDirectories(directory.resolve("temp").resolve(temp));
        }
    }

    private static String config(Path dir, Map<Listener, Integer> ports, TlsMaterial tls, Path echoModule) {
        String temp = dir.resolve("temp").toString();
        return """
                # Written by io.aioduct.testing.NginxServer for one test run.
                load_module %s;
                daemon off;
                master_process off;
                worker_processes 1;
                pid %s;
                lock_file %s;
                error_log %s info;
                events {
                    worker_connections 512;
                }
                http {
                    access_log off;
                    default_type application/octet-stream;
                    client_body_temp_path %s/body;
                    proxy_temp_path %s/proxy;
                    fastcgi_temp_path %s/fastcgi;
                    uwsgi_temp_path %s/uwsgi;
                    scgi_temp_path %s/scgi;
                    client_max_body_size 64m;
                    server {
                        listen 127.0.0.1:%d;
                        listen 127.0.0.1:%d ssl;
                        listen 127.0.0.1:%d ssl http2;
                        listen 127.0.0.1:%d http2;
                        server_name localhost;
                        ssl_certificate %s;
                        ssl_certificate_key %s;
                        ssl_protocols TLSv1.2 TLSv1.3;
                        add_header X-Connection $connection always;
                        add_header X-Connection-Requests $connection_requests always;
                        root %s;
                        location = /echo {
                            echo_read_request_body;
                            echo_request_body;
                        }
                    }
                }
                """.formatted(
                        echoModule,
                        dir.resolve("nginx.pid"),
                        dir.resolve("nginx.lock"),
                        dir.resolve("error.log"),
                        temp,
                        temp,
                        temp,
                        temp,
                        temp,
                        ports.get(Listener.HTTP11),
                        ports.get(Listener.HTTP11_TLS),
                        ports.get(Listener.H2_TLS),
                        ports.get(Listener.H2C),
                        tls.localhost().certificatePem(),
                        tls.localhost().privateKeyPem(),
                        dir.resolve("www"));
    }
}
