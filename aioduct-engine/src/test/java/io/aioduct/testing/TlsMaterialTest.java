package io.aioduct.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.ApplicationProtocolNames;
import java.io.IOException;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tests of {@link TlsMaterial}: each certificate does what its name says when the JDK's client meets it
 * on a {@link TestServer} over TLS.
 */
class TlsMaterialTest {

    private final TlsMaterial tls = TlsMaterial.shared();
    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
            assertThat(server.failures()).isEmpty();
        }
    }

    @Test
    void writesPemFilesThatMatchTheObjects() throws Exception {
        for (TlsMaterial.Identity identity : new TlsMaterial.Identity[] {
            tls.ca(), tls.localhost(), tls.wrongHost(), tls.expired(), tls.selfSigned(), tls.client()
        }) {
            assertThat(Files.readString(identity.certificatePem())).startsWith("-----BEGIN CERTIFICATE-----\n");
            assertThat(Files.readString(identity.privateKeyPem())).startsWith("-----BEGIN PRIVATE KEY-----\n");
            assertThat(identity.certificatePem().getParent()).isEqualTo(tls.directory());
        }
        X509Certificate localhost = tls.localhost().certificate();
        assertThat(localhost.getSubjectAlternativeNames().stream()
                        .map(name -> String.valueOf(name.get(1)))
                        .toList())
                .containsExactly("localhost", "127.0.0.1", "0:0:0:0:0:0:0:1");
        assertThat(localhost.getIssuerX500Principal())
                .isEqualTo(tls.ca().certificate().getSubjectX500Principal());
        assertThat(tls.expired().certificate().getNotAfter()).isBefore(Date.from(Instant.now()));
        assertThat(TlsMaterial.shared()).isSameAs(tls);
    }

    @Test
    void localhostCertificateIsTrustedForLocalhostAndLoopbackIps() throws Exception {
        server = TestServer.startTls(tls);
        server.handle((request, exchange) -> exchange.respond(200, "trusted"));
        assertThat(server.uri("/")).startsWith("https://localhost:");
        assertThat(get(tls.clientSslContext(), server.uri("/"))).isEqualTo("trusted");
        assertThat(get(tls.clientSslContext(), "https://127.0.0.1:" + server.port() + "/"))
                .isEqualTo("trusted");
    }

    @Test
    void wrongHostCertificateFailsHostnameVerification() {
        server = TestServer.startTls(
                InetAddress.getLoopbackAddress(), tls.serverContext(tls.wrongHost(), false, "http/1.1"));
        assertThatThrownBy(() -> get(tls.clientSslContext(), server.uri("/")))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("localhost");
    }

    @Test
    void expiredCertificateFailsValidation() {
        server = TestServer.startTls(
                InetAddress.getLoopbackAddress(), tls.serverContext(tls.expired(), false, "http/1.1"));
        assertThatThrownBy(() -> get(tls.clientSslContext(), server.uri("/")))
                .isInstanceOf(SSLHandshakeException.class)
                .hasStackTraceContaining("expired");
    }

    @Test
    void selfSignedCertificateIsNotTrusted() {
        server = TestServer.startTls(
                InetAddress.getLoopbackAddress(), tls.serverContext(tls.selfSigned(), false, "http/1.1"));
        assertThatThrownBy(() -> get(tls.clientSslContext(), server.uri("/")))
                .isInstanceOf(SSLHandshakeException.class)
                .hasStackTraceContaining("PKIX path");
    }

    @Test
    void mutualTlsNeedsTheClientCertificate() throws Exception {
        server = TestServer.startTls(
                InetAddress.getLoopbackAddress(),
                tls.serverContext(tls.localhost(), true, ApplicationProtocolNames.HTTP_1_1));
        server.handle((request, exchange) -> exchange.respond(200, "mutual"));
        assertThat(get(tls.clientSslContext(tls.client()), server.uri("/"))).isEqualTo("mutual");
        assertThatThrownBy(() -> get(tls.clientSslContext(), server.uri("/"))).isInstanceOf(IOException.class);
    }

    @Test
    void generateMakesAnIndependentCa() {
        TlsMaterial other = TlsMaterial.generate();
        assertThat(other.directory()).isNotEqualTo(tls.directory());
        assertThat(other.ca().certificate()).isNotEqualTo(tls.ca().certificate());
        assertThat(other.trustStore()).isNotNull();
        assertThat(other.keyStore(other.client())).isNotNull();
    }

    private static String get(SSLContext context, String uri) throws IOException, InterruptedException {
        try (HttpClient client = H2TestServerTest.jdkClient(context, HttpClient.Version.HTTP_1_1)) {
            return client.send(
                            HttpRequest.newBuilder(java.net.URI.create(uri)).build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        }
    }
}
