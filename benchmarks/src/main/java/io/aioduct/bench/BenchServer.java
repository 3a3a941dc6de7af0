package io.aioduct.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The server every benchmark measures against: Debian's nginx on loopback, one worker pinned to one
 * core ({@code taskset}), access log off, keep-alive effectively unlimited, serving a 13-byte body, 64
 * KiB and 1 MiB files, a POST echo and a response held back 2 s ({@code /slow}) over HTTP/1.1 ({@link #http1Port}), HTTP/1.1 over TLS ({@link
 * #http1TlsPort}), h2 over TLS ({@link #h2TlsPort}) and h2c ({@link #h2cPort}). Its throwaway
 * certificate (for {@code localhost} and 127.0.0.1) comes from the openssl command line.
 *
 * <p>Started by the benchmark harness itself; {@link #close()} stops it and deletes its directory.
 */
public final class BenchServer implements AutoCloseable {
    public static final Path NGINX = Path.of("/usr/sbin/nginx");
    public static final Path ECHO_MODULE = Path.of("/usr/lib/nginx/modules/ngx_http_echo_module.so");
    public static final String SMALL = "hello, world\n";

    private final Path dir;
    private final Process process;
    private final int http1Port;
    private final int http1TlsPort;
    private final int h2TlsPort;
    private final int h2cPort;

    private BenchServer(Path dir, Process process, int[] ports) {
        this.dir = dir;
        this.process = process;
        this.http1Port = ports[0];
        this.http1TlsPort = ports[1];
        this.h2TlsPort = ports[2];
        this.h2cPort = ports[3];
    }

    /** Starts nginx pinned to {@code cpu} (or unpinned when negative). */
    public static BenchServer start(int cpu) {
        if (!Files.isExecutable(NGINX) || !Files.exists(ECHO_MODULE)) {
            throw new IllegalStateException("nginx (Debian package nginx-light) is not installed; run "
                    + "scripts/ensure-test-packages (scripts/test and .ci/run do so)");
        }
        try {
            Path dir = Files.createTempDirectory("aioduct-bench-nginx");
            Path www = Files.createDirectories(dir.resolve("www"));
            Files.writeString(www.resolve("small"), SMALL, StandardCharsets.US_ASCII);
            Files.write(www.resolve("64k"), bytes(64 * 1024, 1));
            Files.write(www.resolve("1m"), bytes(1024 * 1024, 2));
            run(
                    dir,
                    "openssl",
                    "req",
                    "-x509",
                    "-newkey",
                    "ec",
                    "-pkeyopt",
                    "ec_paramgen_curve:P-256",
                    "-nodes",
                    "-keyout",
                    "key.pem",
                    "-out",
                    "cert.pem",
                    "-days",
                    "2",
                    "-subj",
                    "/CN=localhost",
                    "-addext",
                    "subjectAltName=DNS:localhost,IP:127.0.0.1");
            int[] ports = freePorts(4);
            Files.writeString(dir.resolve("nginx.conf"), config(dir, ports));
            List<String> cmd = new ArrayList<>();
            if (cpu >= 0) {
                cmd.addAll(List.of("taskset", "-c", Integer.toString(cpu)));
            }
            cmd.addAll(List.of(
                    NGINX.toString(),
                    "-p",
                    dir.toString(),
                    "-c",
                    dir.resolve("nginx.conf").toString()));
            Process p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile())
                    .start();
            BenchServer server = new BenchServer(dir, p, ports);
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
            server.awaitListening();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start nginx for the benchmarks", e);
        }
    }

    private static byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static void run(Path dir, String... cmd) throws IOException {
        try {
            Process p = new ProcessBuilder(cmd)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static int[] freePorts(int n) throws IOException {
        int[] ports = new int[n];
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
                ports[i] = s.getLocalPort();
            }
        } finally {
            for (ServerSocket s : held) s.close();
        }
        return ports;
    }

    private static String config(Path dir, int[] p) {
        return """
                load_module %s;
                daemon off;
                master_process off;
                worker_processes 1;
                pid %s/nginx.pid;
                error_log %s/error.log warn;
                worker_rlimit_nofile 65536;
                events { worker_connections 32768; multi_accept on; }
                http {
                    access_log off;
                    sendfile on;
                    tcp_nopush on;
                    tcp_nodelay on;
                    keepalive_timeout 300s;
                    keepalive_requests 100000000;
                    http2_max_concurrent_streams 256;
                    client_body_buffer_size 1m;
                    client_max_body_size 64m;
                    client_body_temp_path %s/tmp;
                    proxy_temp_path %s/tmp;
                    fastcgi_temp_path %s/tmp;
                    uwsgi_temp_path %s/tmp;
                    scgi_temp_path %s/tmp;
                    ssl_certificate %s/cert.pem;
                    ssl_certificate_key %s/key.pem;
                    ssl_protocols TLSv1.2 TLSv1.3;
                    default_type application/octet-stream;
                    server {
                        listen 127.0.0.1:%d;
                        listen 127.0.0.1:%d ssl;
                        listen 127.0.0.1:%d ssl http2;
                        listen 127.0.0.1:%d http2;
                        root %s/www;
                        location = /echo { echo_read_request_body; echo_request_body; }
                        location = /slow { echo_sleep 2; echo ok; }
                    }
                }
                """.formatted(ECHO_MODULE, dir, dir, dir, dir, dir, dir, dir, dir, dir, p[0], p[1], p[2], p[3], dir);
    }

    private void awaitListening() {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (int port : new int[] {http1Port, http1TlsPort, h2TlsPort, h2cPort}) {
            while (true) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    break;
                } catch (IOException e) {
                    if (!process.isAlive() || System.nanoTime() > deadline) {
                        close();
                        throw new IllegalStateException("nginx did not start: " + logs());
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(ie);
                    }
                }
            }
        }
    }

    private String logs() {
        try {
            Path err = dir.resolve("error.log");
            Path out = dir.resolve("stdout.log");
            return (Files.exists(out) ? Files.readString(out) : "") + (Files.exists(err) ? Files.readString(err) : "");
        } catch (IOException e) {
            return "(no logs: " + e + ")";
        }
    }

    public Path certificate() {
        return dir.resolve("cert.pem");
    }

    public int http1Port() {
        return http1Port;
    }

    public int http1TlsPort() {
        return http1TlsPort;
    }

    public int h2TlsPort() {
        return h2TlsPort;
    }

    public int h2cPort() {
        return h2cPort;
    }

    /** The process id, for CPU accounting. */
    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(f -> f.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // best effort: a temp directory
        }
    }
}
