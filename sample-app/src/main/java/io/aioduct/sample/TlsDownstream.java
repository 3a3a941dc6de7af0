package io.aioduct.sample;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;

/**
 * A small HTTPS downstream ({@code GET /downstream/small}) on loopback, so the aioduct clients also make TLS
 * connections (and the {@code aioduct.tls.handshake} meter has something to time). It uses the JDK's own
 * HTTPS server with the sample's self-signed certificate ({@code tls/downstream.p12}); the clients trust that
 * certificate through the SSL bundle {@code downstream} ({@code aioduct.tls.bundle}). Port {@code
 * sample.tls-port}, 0 (default) for any free one.
 */
@Component
class TlsDownstream implements SmartLifecycle {

    private static final byte[] BODY = "{\"service\":\"downstream\",\"tls\":true}".getBytes(StandardCharsets.UTF_8);
    private static final char[] PASSWORD = "sample-only".toCharArray();

    private final int configuredPort;
    private final String address;
    private @Nullable HttpsServer server;
    private @Nullable ExecutorService executor;

    TlsDownstream(
            @Value("${sample.tls-port:0}") int configuredPort, @Value("${server.address:127.0.0.1}") String address) {
        this.configuredPort = configuredPort;
        this.address = address;
    }

    @Override
    public synchronized void start() {
        try {
            HttpsServer https =
                    HttpsServer.create(new InetSocketAddress(InetAddress.getByName(address), configuredPort), 0);
            https.setHttpsConfigurator(new HttpsConfigurator(sslContext()));
            https.createContext("/downstream/small", exchange -> {
                try (exchange) {
                    exchange.getRequestBody().readAllBytes();
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                    exchange.sendResponseHeaders(200, BODY.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(BODY);
                    }
                }
            });
            executor = Executors.newVirtualThreadPerTaskExecutor();
            https.setExecutor(executor);
            https.start();
            server = https;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the TLS downstream on " + address + ":" + configuredPort, e);
        }
    }

    private static SSLContext sslContext() throws IOException {
        try (InputStream in = new ClassPathResource("tls/downstream.p12").getInputStream()) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(in, PASSWORD);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot load tls/downstream.p12", e);
        }
    }

    /** The port it listens on; only while running. */
    synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("the TLS downstream is not running");
        }
        return server.getAddress().getPort();
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return server != null;
    }
}
