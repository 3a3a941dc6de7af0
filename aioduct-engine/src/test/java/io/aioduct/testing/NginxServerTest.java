package io.aioduct.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.testing.NginxServer.Listener;
import io.aioduct.testing.RawH2Client.Response;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameTypes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tests of {@link NginxServer}: a real nginx on all four listeners, reached with a plain socket, the
 * JDK's {@link HttpClient} and {@link RawH2Client}. One nginx serves the whole class.
 */
class NginxServerTest {

    private static TlsMaterial tls;
    private static NginxServer nginx;

    @BeforeAll
    static void startNginx() {
        tls = TlsMaterial.shared();
        nginx = NginxServer.start(tls);
    }

    @AfterAll
    static void stopNginx() {
        if (nginx != null) {
            nginx.close();
        }
    }

    @Test
    void servesSmallOverHttp11CleartextToAPlainSocket() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(nginx.address(Listener.HTTP11), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write("GET /small HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
            String response = new String(readAll(socket.getInputStream()), StandardCharsets.ISO_8859_1);
            assertThat(response).startsWith("HTTP/1.1 200 OK\r\n").contains("Content-Length: 13\r\n");
            assertThat(response.substring(response.indexOf("\r\n\r\n") + 4)).isEqualTo(NginxServer.SMALL_BODY);
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = Listener.class,
            names = {"HTTP11", "HTTP11_TLS", "H2_TLS"})
    void servesSmallAndLargeWithTheRightProtocol(Listener listener) throws Exception {
        HttpClient.Version expected =
                listener == Listener.H2_TLS ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1;
        // Ask for HTTP/2 everywhere: over TLS ALPN decides; in cleartext the JDK would try an h2c upgrade,
        // which nginx ignores on an HTTP/1.1 port, so ask for HTTP/1.1 there.
        HttpClient.Version asked = listener.tls() ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1;
        try (HttpClient client = H2TestServerTest.jdkClient(tls.clientSslContext(), asked)) {
            HttpResponse<String> small = client.send(
                    HttpRequest.newBuilder(nginx.toUri(listener, "/small")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(small.statusCode()).isEqualTo(200);
            assertThat(small.version()).isEqualTo(expected);
            assertThat(small.body()).isEqualTo(NginxServer.SMALL_BODY);

            HttpResponse<byte[]> large = client.send(
                    HttpRequest.newBuilder(nginx.toUri(listener, "/1m")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(large.version()).isEqualTo(expected);
            assertThat(large.body()).hasSize(NginxServer.LARGE_SIZE);
            assertThat(NginxServer.sha256(large.body())).isEqualTo(NginxServer.largeBodySha256());
            assertThat(large.body()).isEqualTo(NginxServer.largeBody());
        }
    }

    @Test
    void servesSmallAndLargeOverH2cWithPriorKnowledge() throws IOException {
        try (RawH2Client client = RawH2Client.connect(nginx.address(Listener.H2C))) {
            Response small = client.awaitResponse(client.get("/small"));
            assertThat(small.status()).isEqualTo(200);
            assertThat(small.bodyAsString()).isEqualTo(NginxServer.SMALL_BODY);
            Response large = client.awaitResponse(client.get("/1m"));
            assertThat(large.bodyBytes()).isEqualTo(NginxServer.largeBody());
            assertThat(client.flowControlViolations()).isZero();
        }
    }

    @Test
    void h2cListenerRefusesHttp11WithGoAway() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(nginx.address(Listener.H2C), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write("GET /small HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] reply = readAll(socket.getInputStream());
            // nginx's SETTINGS, a connection WINDOW_UPDATE, then GOAWAY PROTOCOL_ERROR as the last 17 bytes.
            assertThat(reply[3]).isEqualTo(Http2FrameTypes.SETTINGS);
            int goAway = reply.length - 17;
            assertThat(reply[goAway + 3]).isEqualTo(Http2FrameTypes.GO_AWAY);
            assertThat(reply[reply.length - 1]).isEqualTo((byte) Http2Error.PROTOCOL_ERROR.code());
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = Listener.class,
            names = {"HTTP11", "H2_TLS"})
    void echoesRequestBodies(Listener listener) throws Exception {
        byte[] body = H2TestServerTest.pattern(300_000);
        HttpClient.Version version = listener.tls() ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1;
        try (HttpClient client = H2TestServerTest.jdkClient(tls.clientSslContext(), version)) {
            HttpResponse<byte[]> response = client.send(
                    HttpRequest.newBuilder(nginx.toUri(listener, "/echo"))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.version()).isEqualTo(version);
            assertThat(response.body()).isEqualTo(body);
        }
    }

    @Test
    void echoesOverH2c() throws IOException {
        try (RawH2Client client = RawH2Client.connect(nginx.address(Listener.H2C))) {
            byte[] body = H2TestServerTest.pattern(40_000); // within nginx's 64 KiB initial stream window
            Response response = client.awaitResponse(client.request("POST", "/echo", body));
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyBytes()).isEqualTo(body);
        }
    }

    @Test
    void unknownPathIs404() throws Exception {
        try (HttpClient client = H2TestServerTest.jdkClient(tls.clientSslContext(), HttpClient.Version.HTTP_2)) {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(nginx.toUri(Listener.H2_TLS, "/nothing-here"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(404);
        }
    }

    @Test
    void closeStopsTheProcessAndFreesThePorts() throws Exception {
        NginxServer own = NginxServer.start(tls);
        assertThat(own.isAlive()).isTrue();
        own.close();
        assertThat(own.isAlive()).isFalse();
        assertThat(own.directory()).doesNotExist();
        for (Listener listener : Listener.values()) {
            assertThatThrownBy(() -> {
                        try (Socket socket = new Socket()) {
                            socket.connect(own.address(listener), 1000);
                        }
                    })
                    .isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void failsClearlyWhenNginxIsMissing() {
        Path missing = Path.of("/nonexistent/sbin/nginx");
        assertThatThrownBy(() -> NginxServer.start(tls, missing, NginxServer.ECHO_MODULE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("scripts/ensure-test-packages");
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }
}
