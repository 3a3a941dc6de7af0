package io.aioduct.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tests of {@link TestServer} itself, with a plain {@link Socket} as the client. */
class TestServerTest {

    private static final String GET = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";

    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start();
    }

    @AfterEach
    void stop() {
        List<Throwable> failures = server.failures();
        server.close();
        assertThat(failures).isEmpty();
    }

    @Test
    void respondsWithContentLength() throws IOException {
        server.handle((request, exchange) -> exchange.respond(200, "hello"));
        try (RawClient client = new RawClient(server)) {
            client.send(GET);
            assertThat(client.readHead())
                    .startsWith("HTTP/1.1 200 OK\r\n")
                    .contains("Content-Length: 5\r\n")
                    .doesNotContain("Connection: close");
            assertThat(client.readString(5)).isEqualTo("hello");
        }
        assertThat(server.uri("/p")).isEqualTo("http://127.0.0.1:" + server.port() + "/p");
    }

    @Test
    void keepsConnectionAliveAcrossRequests() throws IOException {
        server.handle((request, exchange) -> exchange.respond(200, "ok"));
        try (RawClient client = new RawClient(server)) {
            for (int i = 0; i < 2; i++) {
                client.send(GET);
                assertThat(client.readHead()).startsWith("HTTP/1.1 200 OK");
                assertThat(client.readString(2)).isEqualTo("ok");
            }
        }
        RecordedRequest first = server.takeRequest();
        RecordedRequest second = server.takeRequest();
        assertThat(second.connectionId()).isEqualTo(first.connectionId()).isEqualTo(1);
        assertThat(first.requestIndexOnConnection()).isZero();
        assertThat(second.requestIndexOnConnection()).isEqualTo(1);
        assertThat(server.connectionsAccepted()).isEqualTo(1);
    }

    @Test
    void honoursConnectionCloseFromRequest() throws IOException {
        server.handle((request, exchange) -> exchange.respond(200, "bye"));
        try (RawClient client = new RawClient(server)) {
            client.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertThat(client.readHead()).contains("Connection: close\r\n");
            assertThat(client.readString(3)).isEqualTo("bye");
            assertThat(client.read()).isEqualTo(-1);
        }
        server.awaitOpenConnections(0, Duration.ofSeconds(5));
    }

    @Test
    void closeAfterResponseClosesConnection() throws IOException {
        server.handle((request, exchange) -> exchange.closeAfterResponse().respond(200, "x"));
        try (RawClient client = new RawClient(server)) {
            client.send(GET);
            assertThat(client.readHead()).contains("Connection: close\r\n");
            assertThat(client.readString(1)).isEqualTo("x");
            assertThat(client.read()).isEqualTo(-1);
        }
        assertThatThrownBy(() -> server.awaitOpenConnections(3, Duration.ofMillis(50)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("but 0 are open");
    }

    @Test
    void chunkedResponseHasExactFraming() throws IOException {
        server.handle((request, exchange) -> exchange.respondChunked(
                200,
                List.of(bytes("hello"), new byte[0], bytes(" chunked world!")),
                Map.of("X-Checksum", "abc"),
                "X-Test",
                "1"));
        try (RawClient client = new RawClient(server)) {
            client.send(GET);
            String expected = "HTTP/1.1 200 OK\r\nX-Test: 1\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\nf\r\n chunked world!\r\n0\r\nX-Checksum: abc\r\n\r\n";
            assertThat(client.readString(expected.length())).isEqualTo(expected);
        }
    }

    @Test
    void recordsHeadersAndChunkedRequestBody() throws IOException {
        server.handle((request, exchange) -> exchange.respond(204, new byte[0]));
        try (RawClient client = new RawClient(server)) {
            client.send("POST /upload?x=1&y=2 HTTP/1.1\r\nHost: x\r\nX-Dup: a\r\nTransfer-Encoding: chunked\r\n"
                    + "x-dup: b\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-Trail: t\r\n\r\n");
            assertThat(client.readHead()).startsWith("HTTP/1.1 204 No Content");
        }
        RecordedRequest request = server.takeRequest();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.uri()).isEqualTo("/upload?x=1&y=2");
        assertThat(request.path()).isEqualTo("/upload");
        assertThat(request.chunked()).isTrue();
        assertThat(request.bodyAsString()).isEqualTo("hello world");
        assertThat(request.headers())
                .containsExactly(
                        new RecordedRequest.Header("Host", "x"),
                        new RecordedRequest.Header("X-Dup", "a"),
                        new RecordedRequest.Header("Transfer-Encoding", "chunked"),
                        new RecordedRequest.Header("x-dup", "b"));
        assertThat(request.headers("X-DUP")).containsExactly("a", "b");
        assertThat(request.header("x-DUP")).isEqualTo("a");
        assertThat(request.header("absent")).isNull();
        assertThat(request.trailer("x-trail")).isEqualTo("t");
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(server.requests()).containsExactly(request);
    }

    @Test
    void recordsContentLengthBodyAsNotChunked() throws IOException {
        server.handle((request, exchange) -> exchange.respond(200, request.body()));
        try (RawClient client = new RawClient(server)) {
            client.send("PUT /p HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
            assertThat(client.readHead()).contains("Content-Length: 3");
            assertThat(client.readString(3)).isEqualTo("abc");
        }
        RecordedRequest request = server.takeRequest();
        assertThat(request.chunked()).isFalse();
        assertThat(request.bodyAsString()).isEqualTo("abc");
    }

    @Test
    void expectContinueGetsInterimResponse() throws IOException {
        server.handle((request, exchange) -> exchange.respond(201, request.body()));
        try (RawClient client = new RawClient(server)) {
            client.send("POST /p HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
            assertThat(client.readHead()).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
            client.send("hi");
            assertThat(client.readHead()).startsWith("HTTP/1.1 201 Created\r\n");
            assertThat(client.readString(2)).isEqualTo("hi");
        }
        assertThat(server.takeRequest().header("Expect")).isEqualTo("100-continue");
    }

    @Test
    void takeRequestFailsWhenNothingArrives() {
        assertThatThrownBy(() -> server.takeRequest(Duration.ofMillis(50)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("no request arrived");
    }

    @Test
    void writeRawDeliversExactBytes() throws IOException {
        String raw = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd\u00ff";
        server.handle((request, exchange) -> exchange.writeRaw(raw));
        try (RawClient client = new RawClient(server)) {
            client.send(GET);
            byte[] received = client.readBytes(raw.length());
            assertThat(received).isEqualTo(raw.getBytes(StandardCharsets.ISO_8859_1));
            assertThat(received[received.length - 1]).isEqualTo((byte) 0xff);
        }
    }

    @Test
    void writeRawInPartsWithScheduledPause() throws IOException {
        server.handle((request, exchange) -> {
            exchange.writeRaw("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab");
            exchange.schedule(Duration.ofMillis(100), () -> exchange.writeRaw("cd"));
        });
        try (RawClient client = new RawClient(server)) {
            client.send(GET);
            client.readHead();
            long start = System.nanoTime();
            assertThat(client.readString(4)).isEqualTo("abcd");
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    @Test
    void writeRawThenCloseClosesAfterTheBytes() throws IOException {
        String cut = "HTTP/1.1 200 OK\r\nContent-Le";
        server.handle((request, exchange) -> exchange.writeRawThenClose(cut));
        try (RawClient client = new RawClient(server)) {
            client.send(GET);
            assertThat(client.readString(cut.length())).isEqualTo(cut);
            assertThat(client.read()).isEqualTo(-1);
        }
        server.awaitOpenConnections(0, Duration.ofSeconds(5));
    }

    @Test
    void closeIdleConnectionsClosesOnlyIdleOnes() throws IOException {
        server.route("/stall", (request, exchange) -> exchange.stall());
        server.handle((request, exchange) -> exchange.respond(200, "ok"));
        try (RawClient idle = new RawClient(server);
                RawClient busy = new RawClient(server)) {
            idle.send(GET);
            idle.readHead();
            assertThat(idle.readString(2)).isEqualTo("ok");
            busy.send("GET /stall HTTP/1.1\r\nHost: x\r\n\r\n");
            server.takeRequest();
            server.takeRequest(); // both requests were handled: the stalled one is in flight
            server.awaitOpenConnections(2, Duration.ofSeconds(5));

            assertThat(server.closeIdleConnections()).isEqualTo(1);
            assertThat(idle.read()).isEqualTo(-1);
            assertThat(server.openConnections()).isEqualTo(1);

            assertThat(server.closeAllConnections()).isEqualTo(1);
            assertThat(busy.read()).isEqualTo(-1);
            assertThat(server.openConnections()).isZero();
        }
    }

    @Test
    void idleTimeoutClosesKeepAliveConnection() throws IOException {
        server.setIdleTimeout(Duration.ofMillis(100));
        server.handle((request, exchange) -> exchange.respond(200, "ok"));
        try (RawClient client = new RawClient(server)) {
            client.send(GET);
            client.readHead();
            assertThat(client.readString(2)).isEqualTo("ok");
            assertThat(client.read()).isEqualTo(-1);
        }
        server.awaitOpenConnections(0, Duration.ofSeconds(5));
    }

    @Test
    void headResponseHasNoBody() throws IOException {
        server.handle((request, exchange) -> exchange.respond(200, "twelve bytes"));
        try (RawClient client = new RawClient(server)) {
            client.send("HEAD /a HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(client.readHead()).contains("Content-Length: 12\r\n");
            client.send(GET); // had a body followed the HEAD response, it would come before this response
            assertThat(client.readHead()).startsWith("HTTP/1.1 200 OK\r\n");
            assertThat(client.readString(12)).isEqualTo("twelve bytes");
        }
    }

    @Test
    void longestPrefixRouteWins() throws IOException {
        server.route("/api", (request, exchange) -> exchange.respond(200, "api"));
        server.route("/api/v2", (request, exchange) -> exchange.respond(200, "v2"));
        try (RawClient client = new RawClient(server)) {
            client.send("GET /api/v2/x?q=/api HTTP/1.1\r\nHost: x\r\n\r\n");
            client.readHead();
            assertThat(client.readString(2)).isEqualTo("v2");
            client.send("GET /api/v1 HTTP/1.1\r\nHost: x\r\n\r\n");
            client.readHead();
            assertThat(client.readString(3)).isEqualTo("api");
            client.send("GET /other HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(client.readHead()).startsWith("HTTP/1.1 404 Not Found");
            assertThat(client.readString(8)).isEqualTo("no route");
        }
    }

    @Test
    void onConnectCloseImmediately() throws IOException {
        server.onConnect(ConnectionAction.CLOSE_IMMEDIATELY);
        try (RawClient client = new RawClient(server)) {
            assertThat(client.read()).isEqualTo(-1);
        }
        assertThat(server.connectionsAccepted()).isEqualTo(1);
        server.awaitOpenConnections(0, Duration.ofSeconds(5));
        assertThat(server.requestCount()).isZero();
    }

    @Test
    void onNextConnectResetThenNormal() throws IOException {
        server.onNextConnect(ConnectionAction.RESET);
        server.handle((request, exchange) -> exchange.respond(200, "ok"));
        try (Socket socket = new Socket()) {
            assertThatThrownBy(
                            () -> { // the RST may arrive before any of these calls returns, even connect
                                socket.connect(server.address(), 5000);
                                socket.setSoTimeout(5000);
                                socket.getInputStream().read();
                            })
                    .isInstanceOf(SocketException.class)
                    .hasMessageContaining("reset");
        }
        try (RawClient client = new RawClient(server)) {
            client.send(GET);
            assertThat(client.readHead()).startsWith("HTTP/1.1 200 OK");
        }
        assertThat(server.connectionsAccepted()).isEqualTo(2);
    }

    @Test
    void respondStreamingWritesFromAnotherThread() throws Exception {
        CompletableFuture<StreamingResponse> writer = new CompletableFuture<>();
        server.handle((request, exchange) -> writer.complete(exchange.respondStreaming(200, -1)));
        try (RawClient client = new RawClient(server)) {
            client.send(GET);
            StreamingResponse body = writer.get(5, TimeUnit.SECONDS);
            assertThat(client.readHead()).contains("Transfer-Encoding: chunked\r\n");
            body.write("part one").get(5, TimeUnit.SECONDS);
            assertThat(client.readString(13)).isEqualTo("8\r\npart one\r\n");
            body.write(bytes("part two!")).get(5, TimeUnit.SECONDS);
            body.end().get(5, TimeUnit.SECONDS);
            assertThat(client.readString(19)).isEqualTo("9\r\npart two!\r\n0\r\n\r\n");
            assertThat(body.write("late")).failsWithin(Duration.ofSeconds(5));
        }
    }

    @Test
    void respondStreamingLargeContentLengthBody() throws Exception {
        int size = 8 * 1024 * 1024;
        server.route("/small", (request, exchange) -> exchange.respond(200, "small"));
        server.route("/a", (request, exchange) -> {
            StreamingResponse body = exchange.respondStreaming(200, size);
            Thread producer = new Thread(() -> {
                byte[] block = new byte[64 * 1024];
                for (int sent = 0; sent < size; sent += block.length) {
                    body.write(block).join();
                }
                body.end();
            });
            producer.start();
        });
        try (RawClient client = new RawClient(server)) {
            client.send(GET);
            assertThat(client.readHead()).contains("Content-Length: " + size + "\r\n");
            assertThat(client.skip(size)).isEqualTo(size);
            client.send("GET /small HTTP/1.1\r\nHost: x\r\n\r\n"); // the body had exactly the announced length
            assertThat(client.readHead()).startsWith("HTTP/1.1 200 OK");
            assertThat(client.readString(5)).isEqualTo("small");
        }
    }

    @Test
    void handlerFailureAnswers500AndIsRecorded() throws IOException {
        server.handle((request, exchange) -> {
            throw new IllegalStateException("boom");
        });
        try (RawClient client = new RawClient(server)) {
            client.send(GET);
            assertThat(client.readHead()).startsWith("HTTP/1.1 500 ").contains("Connection: close");
        }
        assertThat(server.failures())
                .singleElement()
                .satisfies(t -> assertThat(t).hasMessage("boom"));
        server.close();
        TestServer fresh = TestServer.start();
        server = fresh; // the failure was expected; @AfterEach checks the fresh server
    }

    @Test
    void bindsIpv6Loopback() throws IOException {
        InetAddress v6 = InetAddress.getByName("::1");
        try (ServerSocket probe = new ServerSocket(0, 1, v6)) {
            assumeTrue(probe.isBound());
        } catch (IOException noIpv6) {
            assumeTrue(false, "no IPv6 loopback here: " + noIpv6);
        }
        try (TestServer six = TestServer.start(v6)) {
            six.handle((request, exchange) -> exchange.respond(200, "six"));
            assertThat(six.uri("/x")).isEqualTo("http://[::1]:" + six.port() + "/x");
            try (RawClient client = new RawClient(new InetSocketAddress(v6, six.port()))) {
                client.send(GET);
                client.readHead();
                assertThat(client.readString(3)).isEqualTo("six");
            }
        }
    }

    @Test
    void closeLeavesNoServerThreadBehind() throws IOException {
        server.handle((request, exchange) -> exchange.respond(200, "ok"));
        try (RawClient client = new RawClient(server)) {
            client.send(GET);
            client.readHead();
            assertThat(serverThreads()).isNotEmpty();
            server.close();
            assertThat(client.readString(2)).isEqualTo("ok");
            assertThat(client.read()).isEqualTo(-1);
        }
        assertThat(serverThreads()).isEmpty();
        server = TestServer.start();
    }

    private static List<Thread> serverThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("test-server-") && t.isAlive())
                .toList();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A blocking socket client with a read timeout, reading bytes exactly. */
    private static final class RawClient implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        RawClient(TestServer server) throws IOException {
            this(server.address());
        }

        RawClient(InetSocketAddress address) throws IOException {
            socket = new Socket();
            socket.connect(address, 5000);
            socket.setSoTimeout(5000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        void send(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        int read() throws IOException {
            return in.read();
        }

        /** Reads up to and including the empty line that ends a response head. */
        String readHead() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("EOF inside head: " + head.toString(StandardCharsets.ISO_8859_1));
                }
                head.write(b);
            }
            return head.toString(StandardCharsets.ISO_8859_1);
        }

        byte[] readBytes(int n) throws IOException {
            byte[] bytes = in.readNBytes(n);
            if (bytes.length != n) {
                throw new IOException("EOF after " + bytes.length + " of " + n + " bytes");
            }
            return bytes;
        }

        String readString(int n) throws IOException {
            return new String(readBytes(n), StandardCharsets.ISO_8859_1);
        }

        long skip(long n) throws IOException {
            in.skipNBytes(n);
            return n;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
