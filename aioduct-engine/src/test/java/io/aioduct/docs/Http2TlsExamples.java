package io.aioduct.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.Aioduct;
import io.aioduct.AioductClient;
import io.aioduct.HttpHeaders;
import io.aioduct.HttpVersion;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import io.aioduct.connect.Resolver;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.protocol.Http2Options;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.H2TestServer;
import io.aioduct.testing.TlsMaterial;
import io.aioduct.tls.TlsConfig;
import io.aioduct.tls.TlsHandshakeException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The code of docs/http2-and-tls.md, run. */
class Http2TlsExamples extends EngineTest {
    private static final TlsMaterial TLS = TlsMaterial.shared();

    private static EngineConfig.Builder resolvingLocalhost() {
        return EngineConfig.builder()
                .resolver(Resolver.of(Map.of("localhost", List.of(InetAddress.getLoopbackAddress()))));
    }

    @Test
    void httpsWithCustomTrustAndClientCertificate() {
        try (H2TestServer server = H2TestServer.startTls(TLS)) {
            server.route("/", (req, ex) -> ex.respond(200, "hi"));
            Path caPem = TLS.caCertificatePem();
            Path clientCertPem = TLS.client().certificatePem();
            Path clientKeyPem = TLS.client().privateKeyPem();
            String url = server.uri("/");
            // tag::tls-config[]
            TlsConfig tls = TlsConfig.builder()
                    .trustPem(caPem) // instead of the JDK's trust store
                    .clientCertificatePem(clientCertPem, clientKeyPem, null) // mutual TLS
                    .minVersion("TLSv1.2")
                    .handshakeTimeout(Duration.ofSeconds(5))
                    .build();
            EngineConfig config = resolvingLocalhost().tls(tls).build();
            try (HttpEngine engine = Aioduct.pooled(config)) {
                AioductClient client = AioductClient.builder(engine).build();
                try (Response response = client.get(url).execute()) {
                    // ALPN offered h2 and http/1.1; the server chose.
                    System.out.println(
                            response.version() + " " + response.body().string());
                }
            }
            // end::tls-config[]
        }
    }

    @Test
    void tlsPerClientOnOneEngine() {
        try (H2TestServer server = H2TestServer.startTls(TLS)) {
            server.route("/", (req, ex) -> ex.respond(200, "hi"));
            Path caPem = TLS.caCertificatePem();
            Path clientCertPem = TLS.client().certificatePem();
            Path clientKeyPem = TLS.client().privateKeyPem();
            String url = server.uri("/");
            HttpEngine engine = track(Aioduct.pooled(resolvingLocalhost().build()));
            // tag::tls-per-client[]
            TlsConfig partnerTls = TlsConfig.builder() // build once, share: compared by identity
                    .trustPem(caPem)
                    .clientCertificatePem(clientCertPem, clientKeyPem, null)
                    .build();
            AioductClient everyone = AioductClient.builder(engine).build(); // the engine's TLS settings
            AioductClient partner =
                    AioductClient.builder(engine).tls(partnerTls).build();
            AioductClient partnerToo = partner.newBuilder().build(); // same TlsConfig: same connections
            try (Response response = partner.get(url).execute()) {
                System.out.println(response.body().string());
            }
            // end::tls-per-client[]
            try (Response response = partnerToo.get(url).execute()) {
                assertThat(response.body().string()).isEqualTo("hi");
            }
            assertThat(server.connectionsAccepted()).isEqualTo(1);
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> everyone.get(url).execute())
                    .isInstanceOf(TlsHandshakeException.class);
        }
    }

    @Test
    void failuresSayWhatFailed() {
        try (H2TestServer server = H2TestServer.startTls(TLS)) {
            String url = server.uri("/");
            HttpEngine engine =
                    track(Aioduct.virtualThreads(resolvingLocalhost().build()));
            AioductClient client = AioductClient.builder(engine).build();
            String[] reason = new String[1];
            // tag::tls-failure[]
            try {
                client.get(url).execute();
            } catch (TlsHandshakeException e) {
                // UNTRUSTED_CERTIFICATE, HOSTNAME_MISMATCH, PROTOCOL_VERSION, CLIENT_CERTIFICATE_REJECTED or OTHER
                reason[0] = e.reason() + ": " + e.getMessage();
            }
            // end::tls-failure[]
            assertThat(reason[0]).startsWith("UNTRUSTED_CERTIFICATE: TLS handshake with localhost:");
        }
    }

    @Test
    void http2PriorKnowledgeAndTuning() {
        try (H2TestServer server = H2TestServer.start()) {
            server.route("/", (req, ex) -> ex.respond(200, "ok".getBytes(), Map.of("grpc-status", "0")));
            String url = server.uri("/");
            String[] seen = new String[2];
            // tag::http2-config[]
            Http2Options http2 = Http2Options.DEFAULT
                    .withPriorKnowledge(true) // http:// origins speak h2c directly
                    .withMaxConnectionsPerOrigin(2) // then requests wait for a free stream
                    .withWindows(4 * 1024 * 1024, 8 * 1024 * 1024) // per stream, per connection
                    .withPing(Duration.ofSeconds(20), Duration.ofSeconds(5));
            try (HttpEngine engine =
                    Aioduct.ioUring(EngineConfig.builder().http2(http2).build())) {
                AioductClient client = AioductClient.builder(engine).build();
                Response response = client.post(url)
                        .body(RequestBody.ofString("payload"))
                        .trailers(() -> HttpHeaders.of("x-checksum", "4d2"))
                        .execute();
                String body = response.body().string(); // read the body first: trailers follow it
                String status = response.trailers().toCompletableFuture().join().first("grpc-status");
                seen[0] = response.version() + " " + body;
                seen[1] = status;
            }
            // end::http2-config[]
            assertThat(seen[0]).isEqualTo(HttpVersion.HTTP_2 + " ok");
            assertThat(seen[1]).isEqualTo("0");
            assertThat(server.takeRequest().trailer("x-checksum")).isEqualTo("4d2");
        }
    }
}
