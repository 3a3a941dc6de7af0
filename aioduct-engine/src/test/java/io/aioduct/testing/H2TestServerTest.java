package io.aioduct.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.testing.RawH2Client.Frame;
import io.aioduct.testing.RawH2Client.Response;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2Settings;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tests of {@link H2TestServer} itself: prior-knowledge h2c through {@link RawH2Client}, which sees every
 * frame, and h2 over TLS through the JDK's {@link HttpClient}.
 */
class H2TestServerTest {

    private static final Duration QUIET = Duration.ofMillis(300);

    private H2TestServer server;

    @BeforeEach
    void start() {
        LeakRecordingDetector.collectLeaks();
        server = H2TestServer.start();
    }

    @AfterEach
    void stop() {
        server.close(); // first: once its thread has ended, every failure is recorded
        assertThat(server.failures()).as("server-side failures").isEmpty();
        assertThat(LeakRecordingDetector.collectLeaks())
                .as("Netty buffer leaks")
                .isEmpty();
    }

    // ---- well-formed exchanges ----

    @Test
    void answersPriorKnowledgeRequestAndRecordsIt() throws IOException {
        server.route("/hello", (request, exchange) -> exchange.respond(200, "hi there"));
        try (RawH2Client client = RawH2Client.connect(server.address())) {
            int stream = client.request("GET", "/hello?x=1", null, "x-test", "a", "x-test", "b");
            Response response = client.awaitResponse(stream);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("content-length")).isEqualTo("8");
            assertThat(response.header("content-type")).isEqualTo("text/plain; charset=utf-8");
            assertThat(response.bodyAsString()).isEqualTo("hi there");
        }
        RecordedRequest request = server.takeRequest();
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.uri()).isEqualTo("/hello?x=1");
        assertThat(request.path()).isEqualTo("/hello");
        assertThat(request.version()).isEqualTo("HTTP/2.0");
        assertThat(request.header(":scheme")).isEqualTo("http");
        assertThat(request.header(":authority")).isEqualTo("127.0.0.1:" + server.port());
        assertThat(request.headers("x-test")).containsExactly("a", "b");
        assertThat(request.headers().get(0).name()).startsWith(":");
        assertThat(request.streamId()).isEqualTo(1);
        assertThat(request.connectionId()).isEqualTo(1);
        assertThat(server.uri("/p")).isEqualTo("http://127.0.0.1:" + server.port() + "/p");
    }

    @Test
    void recordsRequestBodyAndTrailers() throws IOException {
        server.handle((request, exchange) -> exchange.respond(204, new byte[0]));
        try (RawH2Client client = RawH2Client.connect(server.address())) {
            int stream = client.nextStreamId();
            client.sendHeaders(stream, client.requestHeaders("POST", "/upload"), false);
            client.sendData(stream, bytes("hello "), false);
            client.sendData(stream, bytes("world"), false);
            client.sendHeaders(stream, client.requestHeaders("POST", "/upload").set("x-checksum", "abc"), true);
            assertThat(client.awaitResponse(stream).status()).isEqualTo(204);
        }
        RecordedRequest request = server.takeRequest();
        assertThat(request.bodyAsString()).isEqualTo("hello world");
        assertThat(request.trailer("x-checksum")).isEqualTo("abc");
        assertThat(request.requestIndexOnConnection()).isZero();
    }

    @Test
    void respondsWithTrailers() throws IOException {
        server.handle((request, exchange) ->
                exchange.respond(200, bytes("body"), Map.of("grpc-status", "0"), "content-type", "a/b"));
        try (RawH2Client client = RawH2Client.connect(server.address())) {
            Response response = client.awaitResponse(client.get("/"));
            assertThat(response.bodyAsString()).isEqualTo("body");
            assertThat(response.trailers).containsExactly(new RecordedRequest.Header("grpc-status", "0"));
            assertThat(response.ended).isTrue();
        }
    }

    @Test
    void streamsResponseWrittenFromAnotherThread() throws Exception {
        CompletableFuture<H2StreamingResponse> streaming = new CompletableFuture<>();
        server.handle((request, exchange) -> streaming.complete(exchange.respondStreaming(200, "x-mode", "stream")));
        try (RawH2Client client = RawH2Client.connect(server.address())) {
            int stream = client.get("/s");
            H2StreamingResponse body = streaming.get(5, TimeUnit.SECONDS);
            body.write("one ").get(5, TimeUnit.SECONDS);
            body.write("two").get(5, TimeUnit.SECONDS);
            body.end(Map.of("x-done", "yes")).get(5, TimeUnit.SECONDS);
            Response response = client.awaitResponse(stream);
            assertThat(response.header("x-mode")).isEqualTo("stream");
            assertThat(response.bodyAsString()).isEqualTo("one two");
            assertThat(response.trailers).containsExactly(new RecordedRequest.Header("x-done", "yes"));
            assertThat(body.write("late")).failsWithin(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void sendsLargeBodyWithinTheClientsFlowControlWindows() throws IOException {
        byte[] big = pattern(3 << 19); // 1.5 MiB: many times the 64 KiB default windows
        server.handle((request, exchange) -> exchange.respond(200, big));
        try (RawH2Client client = RawH2Client.connect(server.address())) {
            Response response = client.awaitResponse(client.get("/big"));
            assertThat(response.bodyBytes()).isEqualTo(big);
            assertThat(client.flowControlViolations()).isZero();
            assertThat(client.frames())
                    .filteredOn(f -> f.type() == Http2FrameTypes.DATA)
                    .allSatisfy(f -> assertThat(f.payload().length).isLessThanOrEqualTo(16_384));
        }
    }

    @Test
    void largeBodyWaitsForWindowUpdates() throws IOException {
        byte[] big = pattern(1 << 20);
        server.handle((request, exchange) -> exchange.respond(200, big));
        try (RawH2Client client = RawH2Client.connect(server.address()).autoWindowUpdate(false)) {
            int stream = client.get("/big");
            Response response = client.response(stream);
            while (response.body.size() < 65_535) { // both 64 KiB windows...
                client.readFrame();
            }
            assertThat(client.readFor(QUIET)).noneMatch(f -> f.type() == Http2FrameTypes.DATA); // ...used up
            assertThat(response.body.size()).isEqualTo(65_535);
            client.sendWindowUpdate(0, 1 << 20);
            client.sendWindowUpdate(stream, 1 << 20);
            assertThat(client.awaitResponse(stream).bodyBytes()).isEqualTo(big);
            assertThat(client.flowControlViolations()).isZero();
        }
    }

    @Test
    void advertisesConfiguredSettingsAndRecordsTheClients() throws IOException {
        server.close();
        server = H2TestServer.builder()
                .maxConcurrentStreams(7)
                .initialWindowSize(1 << 20)
                .maxFrameSize(32_768)
                .maxHeaderListSize(4096)
                .start();
        server.handle((request, exchange) -> exchange.respond(200, "ok"));
        try (RawH2Client client = RawH2Client.connect(
                server.address(), 12_345, Map.of(RawH2Client.SETTINGS_MAX_HEADER_LIST_SIZE, 999L))) {
            assertThat(client.awaitResponse(client.get("/")).status()).isEqualTo(200);
            assertThat(client.serverSettings())
                    .containsEntry(RawH2Client.SETTINGS_MAX_CONCURRENT_STREAMS, 7L)
                    .containsEntry(RawH2Client.SETTINGS_INITIAL_WINDOW_SIZE, 1L << 20)
                    .containsEntry(RawH2Client.SETTINGS_MAX_FRAME_SIZE, 32_768L)
                    .containsEntry(RawH2Client.SETTINGS_MAX_HEADER_LIST_SIZE, 4096L);
        }
        Http2Settings received = server.settingsReceived().get(0).settings();
        assertThat(received.initialWindowSize()).isEqualTo(12_345);
        assertThat(received.maxHeaderListSize()).isEqualTo(999L);
        assertThat(server.settings().maxConcurrentStreams()).isEqualTo(7L);
    }

    // ---- connections and streams ----

    @Test
    void multiplexesUpToMaxConcurrentStreamsThenRefuses() throws IOException {
        server.close();
        server = H2TestServer.builder().maxConcurrentStreams(3).start();
        BlockingQueue<H2ServerExchange> held = new LinkedBlockingQueue<>();
        server.handle((request, exchange) -> held.add(exchange));
        try (RawH2Client first = RawH2Client.connect(server.address());
                RawH2Client second = RawH2Client.connect(server.address())) {
            List<Integer> streams = List.of(first.get("/a"), first.get("/b"), first.get("/c"));
            int refused = first.get("/d");
            assertThat(first.awaitResponse(refused).resetCode).isEqualTo(Http2Error.REFUSED_STREAM.code());
            int other = second.get("/e");
            awaitSize(held, 4);
            held.forEach(exchange -> exchange.respond(200, "stream " + exchange.streamId()));
            for (int stream : streams) {
                assertThat(first.awaitResponse(stream).bodyAsString()).isEqualTo("stream " + stream);
            }
            assertThat(second.awaitResponse(other).status()).isEqualTo(200);
        }
        assertThat(server.connectionsAccepted()).isEqualTo(2);
        assertThat(server.peakConcurrentStreams()).isEqualTo(3);
        assertThat(server.streamsRefused()).isEqualTo(1);
        assertThat(server.streamsOpened()).isEqualTo(4);
        Map<Integer, Set<Integer>> streamsByConnection = server.requests().stream()
                .collect(Collectors.groupingBy(
                        RecordedRequest::connectionId,
                        Collectors.mapping(RecordedRequest::streamId, Collectors.toSet())));
        assertThat(streamsByConnection).isEqualTo(Map.of(1, Set.of(1, 3, 5), 2, Set.of(1)));
    }

    @Test
    void countsConnectionsAndClosesThemWithGoAway() throws IOException {
        server.handle((request, exchange) -> exchange.respond(200, "ok"));
        try (RawH2Client a = RawH2Client.connect(server.address());
                RawH2Client b = RawH2Client.connect(server.address())) {
            a.awaitResponse(a.get("/"));
            b.awaitResponse(b.get("/"));
            assertThat(server.connectionsAccepted()).isEqualTo(2);
            assertThat(server.openConnections()).isEqualTo(2);
            assertThat(server.closeAllConnections()).isEqualTo(2);
            for (RawH2Client client : List.of(a, b)) {
                client.readUntilEof();
                assertThat(client.goAways()).singleElement().satisfies(g -> {
                    assertThat(g.errorCode()).isZero();
                    assertThat(g.lastStreamId()).isEqualTo(1);
                });
            }
        }
        server.awaitOpenConnections(0, Duration.ofSeconds(5));
    }

    @Test
    void goAwayBelowInFlightStreamsLetsLowerOnesComplete() throws IOException {
        BlockingQueue<H2ServerExchange> held = new LinkedBlockingQueue<>();
        server.handle((request, exchange) -> held.add(exchange));
        try (RawH2Client client = RawH2Client.connect(server.address())) {
            int s1 = client.get("/1");
            int s3 = client.get("/3");
            int s5 = client.get("/5");
            List<H2ServerExchange> exchanges = awaitSize(held, 3);
            H2ServerExchange highest = exchanges.get(2);
            assertThat(highest.streamId()).isEqualTo(s5);
            highest.goAway(s3, Http2Error.NO_ERROR.code(), "draining");
            RawH2Client.GoAway goAway = client.awaitGoAway();
            assertThat(goAway).isEqualTo(new RawH2Client.GoAway(s3, 0, "draining"));
            exchanges.get(0).respond(200, "one");
            exchanges.get(1).respond(200, "three");
            highest.respond(200, "five"); // too late: the stream is forgotten, nothing is sent
            assertThat(client.awaitResponse(s1).bodyAsString()).isEqualTo("one");
            assertThat(client.awaitResponse(s3).bodyAsString()).isEqualTo("three");
            client.readUntilEof(); // the server closes once the lower streams are done
            assertThat(client.response(s5).done()).isFalse();
            assertThat(client.frames()).noneMatch(f -> f.streamId() == s5);
        }
    }

    @Test
    void goAwayWithErrorClosesTheConnectionAtOnce() throws IOException {
        server.handle((request, exchange) -> exchange.goAway(0, Http2Error.ENHANCE_YOUR_CALM.code()));
        try (RawH2Client client = RawH2Client.connect(server.address())) {
            int stream = client.get("/");
            assertThat(client.awaitResponse(stream).done()).isFalse();
            assertThat(client.goAways())
                    .singleElement()
                    .satisfies(g -> assertThat(g.errorCode()).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code()));
            client.readUntilEof();
            assertThat(client.eof()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = Http2Error.class,
            names = {"REFUSED_STREAM", "CANCEL", "INTERNAL_ERROR"})
    void resetsTheStreamAndKeepsTheConnection(Http2Error error) throws IOException {
        server.route("/reset", (request, exchange) -> exchange.reset(error));
        server.route("/ok", (request, exchange) -> exchange.respond(200, "fine"));
        try (RawH2Client client = RawH2Client.connect(server.address())) {
            assertThat(client.awaitResponse(client.get("/reset")).resetCode).isEqualTo(error.code());
            assertThat(client.awaitResponse(client.get("/ok")).bodyAsString()).isEqualTo("fine");
        }
        assertThat(server.connectionsAccepted()).isEqualTo(1);
    }

    @Test
    void recordsResetsAndGoAwaysFromTheClient() throws IOException {
        BlockingQueue<H2ServerExchange> held = new LinkedBlockingQueue<>();
        server.handle((request, exchange) -> held.add(exchange));
        try (RawH2Client client = RawH2Client.connect(server.address())) {
            int stream = client.get("/");
            awaitSize(held, 1);
            client.sendRstStream(stream, Http2Error.CANCEL.code());
            client.sendFrame(Http2FrameTypes.GO_AWAY, 0, 0, new byte[] {0, 0, 0, 1, 0, 0, 0, 0, 'b', 'y', 'e'});
            awaitTrue(() -> server.goAwaysReceived().size() == 1);
        }
        assertThat(server.resetsReceived()).containsExactly(new H2TestServer.ReceivedReset(1, 1, 8));
        assertThat(server.goAwaysReceived()).containsExactly(new H2TestServer.ReceivedGoAway(1, 1, 0, "bye"));
    }

    // ---- flow control and oversized headers ----

    @Test
    void stallWindowHoldsTheRequestBodyUntilReleased() throws Exception {
        server.close();
        server = H2TestServer.builder().initialWindowSize(1024).start();
        CompletableFuture<H2ServerExchange> stalled = new CompletableFuture<>();
        server.route("/warm-up", (request, exchange) -> exchange.respond(200, "ok"));
        server.routeOnHeaders("/upload", (request, exchange) -> {
            exchange.stallWindow();
            exchange.requestComplete().thenAccept(full -> exchange.respond(200, "got " + full.bodySize()));
            stalled.complete(exchange);
        });
        try (RawH2Client client = RawH2Client.connect(server.address())) {
            // Let both sides apply the 1 KiB window (SETTINGS and its ACK) before uploading.
            client.awaitResponse(client.get("/warm-up"));
            int stream = client.nextStreamId();
            client.sendHeaders(stream, client.requestHeaders("POST", "/upload"), false);
            client.sendData(stream, pattern(1024), false);
            H2ServerExchange exchange = stalled.get(5, TimeUnit.SECONDS);
            awaitTrue(() -> exchange.bodyBytesReceived() == 1024);
            assertThat(client.readFor(QUIET)).noneMatch(f -> f.type() == Http2FrameTypes.WINDOW_UPDATE);

            exchange.releaseWindow();
            Frame update = awaitFrame(client, f -> f.type() == Http2FrameTypes.WINDOW_UPDATE && f.streamId() == stream);
            assertThat(update.payload()).containsExactly(0, 0, 4, 0); // 1024 bytes back
            client.sendData(stream, pattern(100), true);
            assertThat(client.awaitResponse(stream).bodyAsString()).isEqualTo("got 1124");
        }
    }

    @Test
    void sendsHeaderListFarAboveTheClientsLimit() throws IOException {
        server.handle((request, exchange) -> exchange.respondOversizedHeaders(64 * 1024));
        try (RawH2Client client = RawH2Client.connect(
                server.address(), 65_535, Map.of(RawH2Client.SETTINGS_MAX_HEADER_LIST_SIZE, 8192L))) {
            Response response = client.awaitResponse(client.get("/"));
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.headerListSize).isGreaterThan(64 * 1024);
            assertThat(client.frames()).anyMatch(f -> f.type() == Http2FrameTypes.CONTINUATION);
        }
    }

    // ---- raw frames and abrupt closes ----

    @Test
    void writesRawFramesExactlyAsGiven() throws IOException {
        server.handle((request, exchange) -> {
            exchange.writeRawFrame(0xFA, 0x5, exchange.streamId(), bytes("unknown type"));
            exchange.writeRawFrame(Http2FrameTypes.DATA, 0, 0, bytes("data on stream 0"));
            exchange.writeRawFrame(Http2FrameTypes.PING, 0, 0, new byte[7]); // PING must be 8 bytes
            exchange.writeRaw(new byte[] {0, 0, 0, Http2FrameTypes.WINDOW_UPDATE, 0, 0, 0, 0, 0});
            exchange.respond(200, "after");
        });
        try (RawH2Client client = RawH2Client.connect(server.address())) {
            int stream = client.get("/");
            assertThat(client.awaitResponse(stream).bodyAsString()).isEqualTo("after");
            List<Frame> odd = client.frames().stream()
                    .filter(f -> f.type() == 0xFA
                            || (f.type() == Http2FrameTypes.DATA && f.streamId() == 0)
                            || (f.type() == Http2FrameTypes.PING && f.payload().length == 7)
                            || (f.type() == Http2FrameTypes.WINDOW_UPDATE && f.payload().length == 0))
                    .toList();
            assertThat(odd).extracting(Frame::type).containsExactly(0xFA, 0, 6, 8);
            assertThat(odd.get(0).flags()).isEqualTo(0x5);
            assertThat(odd.get(0).streamId()).isEqualTo(stream);
        }
    }

    @Test
    void writesHeaderBlockThatIsNotHpack() throws IOException {
        server.handle((request, exchange) -> exchange.writeRawFrame(
                Http2FrameTypes.HEADERS,
                RawH2Client.FLAG_END_HEADERS | RawH2Client.FLAG_END_STREAM,
                exchange.streamId(),
                new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}));
        try (RawH2Client client = RawH2Client.connect(server.address())) {
            int stream = client.get("/");
            assertThatThrownBy(() -> client.awaitResponse(stream))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("undecodable header block");
        }
    }

    @Test
    void closeConnectionDropsStreamsWithoutGoAway() throws IOException {
        server.handle((request, exchange) -> exchange.closeConnection());
        try (RawH2Client client = RawH2Client.connect(server.address())) {
            client.get("/");
            client.readUntilEof();
            assertThat(client.goAways()).isEmpty();
        }
        server.awaitOpenConnections(0, Duration.ofSeconds(5));
    }

    @Test
    void resetConnectionSendsTcpReset() throws IOException {
        server.handle((request, exchange) -> exchange.resetConnection());
        try (RawH2Client client = RawH2Client.connect(server.address())) {
            client.get("/");
            assertThatThrownBy(() -> {
                        while (true) {
                            client.readFrame();
                        }
                    })
                    .isInstanceOf(java.net.SocketException.class)
                    .hasMessageContaining("reset");
        }
    }

    @Test
    void handlerFailureAnswers500AndIsRecorded() throws IOException {
        server.handle((request, exchange) -> {
            throw new IllegalStateException("boom");
        });
        try (RawH2Client client = RawH2Client.connect(server.address())) {
            Response response = client.awaitResponse(client.get("/"));
            assertThat(response.status()).isEqualTo(500);
            assertThat(response.bodyAsString()).contains("boom");
        }
        assertThat(server.failures())
                .singleElement()
                .satisfies(t -> assertThat(t).hasMessage("boom"));
        server.close();
        server = H2TestServer.start(); // the failure was expected; @AfterEach checks the fresh server
    }

    @Test
    void closeStopsItsThread() throws IOException {
        Set<Thread> before = serverThreads();
        H2TestServer other = H2TestServer.start();
        other.handle((request, exchange) -> exchange.respond(200, "ok"));
        try (RawH2Client client = RawH2Client.connect(other.address())) {
            client.awaitResponse(client.get("/"));
        }
        assertThat(serverThreads()).hasSize(before.size() + 1);
        other.close();
        assertThat(serverThreads()).isEqualTo(before);
    }

    // ---- TLS ----

    @Test
    void servesH2OverTlsByAlpn() throws Exception {
        server.close();
        TlsMaterial tls = TlsMaterial.shared();
        server = H2TestServer.startTls(tls);
        server.handle((request, exchange) -> exchange.respond(200, "secure " + request.header(":scheme")));
        try (HttpClient client = jdkClient(tls.clientSslContext(), HttpClient.Version.HTTP_2)) {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(server.toUri("/tls")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(response.body()).isEqualTo("secure https");
        }
        assertThat(server.uri("/x")).isEqualTo("https://localhost:" + server.port() + "/x");
        assertThat(server.takeRequest().header(":authority")).isEqualTo("localhost:" + server.port());
    }

    @Test
    void multiplexesJdkClientRequestsOnOneTlsConnection() throws Exception {
        server.close();
        TlsMaterial tls = TlsMaterial.shared();
        server = H2TestServer.startTls(tls);
        BlockingQueue<H2ServerExchange> held = new LinkedBlockingQueue<>();
        server.route("/warm-up", (request, exchange) -> exchange.respond(200, "ok"));
        server.route("/held", (request, exchange) -> held.add(exchange));
        try (HttpClient client = jdkClient(tls.clientSslContext(), HttpClient.Version.HTTP_2)) {
            client.send(HttpRequest.newBuilder(server.toUri("/warm-up")).build(), HttpResponse.BodyHandlers.ofString());
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                responses.add(client.sendAsync(
                        HttpRequest.newBuilder(server.toUri("/held/" + i)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            awaitSize(held, 3).forEach(exchange -> exchange.respond(200, Integer.toString(exchange.streamId())));
            for (CompletableFuture<HttpResponse<String>> response : responses) {
                assertThat(response.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            }
        }
        assertThat(server.connectionsAccepted()).isEqualTo(1);
        assertThat(server.peakConcurrentStreams()).isEqualTo(3);
    }

    @Test
    void jdkClientIgnoresUnknownFrameType() throws Exception {
        server.close();
        TlsMaterial tls = TlsMaterial.shared();
        server = H2TestServer.startTls(tls);
        server.handle((request, exchange) -> {
            exchange.writeRawFrame(0xBB, 0, exchange.streamId(), bytes("ignore me"));
            exchange.respond(200, "still fine");
        });
        try (HttpClient client = jdkClient(tls.clientSslContext(), HttpClient.Version.HTTP_2)) {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(server.toUri("/")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.body()).isEqualTo("still fine");
        }
    }

    @Test
    void servesHttp11OverTheSameTlsPortWhenTheClientAsksForIt() throws Exception {
        server.close();
        TlsMaterial tls = TlsMaterial.shared();
        server = H2TestServer.startTls(tls);
        server.http1().handle((request, exchange) -> exchange.respond(200, "h1 " + request.version()));
        try (HttpClient client = jdkClient(tls.clientSslContext(), HttpClient.Version.HTTP_1_1)) {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(server.toUri("/old")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
            assertThat(response.body()).isEqualTo("h1 HTTP/1.1");
        }
        assertThat(server.http1().takeRequest().path()).isEqualTo("/old");
        assertThat(server.requestCount()).isZero();
        assertThat(server.connectionsAccepted()).isEqualTo(1);
    }

    // ---- helpers ----

    static HttpClient jdkClient(SSLContext context, HttpClient.Version version) {
        return HttpClient.newBuilder()
                .version(version)
                .sslContext(context)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    private static Set<Thread> serverThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("test-server-"))
                .collect(Collectors.toSet());
    }

    private static Frame awaitFrame(RawH2Client client, java.util.function.Predicate<Frame> match) throws IOException {
        while (true) {
            Frame frame = client.readFrame();
            if (match.test(frame)) {
                return frame;
            }
        }
    }

    private static <T> List<T> awaitSize(BlockingQueue<T> queue, int size) {
        awaitTrue(() -> queue.size() >= size);
        return List.copyOf(queue);
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline)
                    .as("condition not met in time")
                    .isNegative();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code size} bytes of a pattern that does not repeat every 256 bytes. */
    static byte[] pattern(int size) {
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) {
            data[i] = (byte) (i * 31 + (i >>> 8) * 7);
        }
        return data;
    }
}
