package io.aioduct.http2;

import static io.aioduct.http2.H2Support.await;
import static io.aioduct.http2.H2Support.bodyFailure;
import static io.aioduct.http2.H2Support.failure;
import static io.aioduct.http2.H2Support.h2c;
import static io.aioduct.http2.H2Support.take;
import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.HttpHeaders;
import io.aioduct.HttpProtocolException;
import io.aioduct.Response;
import io.aioduct.engine.HttpEngine;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.H2ServerExchange;
import io.aioduct.testing.H2TestServer;
import io.aioduct.testing.RecordedRequest;
import io.aioduct.testing.RuntimeKind;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed responses (RFC 9113 sections 8.1, 8.2, 8.3) on every runtime. Each one is a stream error: the
 * caller gets {@link HttpProtocolException} naming the rule broken (from {@code send()} when the head is
 * at fault, from the body once the head was delivered), the client resets that stream with
 * PROTOCOL_ERROR, and another stream in flight on the same connection, and the connection itself, carry
 * on. Well-formed responses at the edges of the rules pass.
 *
 * <p>The bad responses are written as raw frames whose header blocks are HPACK literals without indexing
 * (so the server's and the client's HPACK tables stay in step), past the test server's own HTTP/2 state:
 * the server still holds the stream open, so it records the client's RST_STREAM.
 */
class Http2MalformedResponseTest extends EngineTest {

    private static final int DATA = 0x0;
    private static final int HEADERS = 0x1;
    private static final int END_STREAM = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final long PROTOCOL_ERROR = 0x1;

    /** Where the caller sees the failure: the head never reached it, or the body fails after it. */
    enum Phase {
        HEAD,
        BODY
    }

    /** One malformed response: how the server sends it, where it fails, and what the message must name. */
    record Malformed(String name, Phase phase, String rule, Consumer<H2ServerExchange> send) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Malformed> malformed() {
        List<Malformed> all = new ArrayList<>();
        // RFC 9113 8.3: pseudo-header fields.
        all.add(head("a pseudo-header after a regular field", "after a regular field", "x-a", "1", ":status", "200"));
        all.add(head("two :status fields", "more than one :status", ":status", "200", ":status", "204"));
        all.add(head("no :status", "no :status", "content-type", "text/plain"));
        all.add(head("an unknown pseudo-header", "unknown pseudo-header :colour", ":status", "200", ":colour", "red"));
        for (String[] pseudo : new String[][] {
            {":method", "GET"}, {":scheme", "http"}, {":authority", "example.com"}, {":path", "/"}, {":protocol", "ws"}
        }) {
            all.add(head(
                    "the request pseudo-header " + pseudo[0],
                    "request pseudo-header " + pseudo[0],
                    ":status",
                    "200",
                    pseudo[0],
                    pseudo[1]));
        }
        // RFC 9113 8.2.2: connection-specific fields.
        for (String[] field : new String[][] {
            {"connection", "close"},
            {"keep-alive", "timeout=5"},
            {"proxy-connection", "keep-alive"},
            {"transfer-encoding", "chunked"},
            {"upgrade", "h2c"}
        }) {
            all.add(head(
                    "the connection-specific field " + field[0],
                    "connection-specific field '" + field[0] + "'",
                    ":status",
                    "200",
                    field[0],
                    field[1]));
        }
        all.add(head("te other than trailers", "te other than 'trailers'", ":status", "200", "te", "gzip"));
        // RFC 9113 8.2, 8.2.1: field names.
        all.add(head("an upper-case field name", "upper-case", ":status", "200", "Content-Type", "text/plain"));
        all.add(head("a space in a field name", "illegal character space", ":status", "200", "x a", "1"));
        all.add(head("a colon inside a field name", "illegal character ':'", ":status", "200", "x:a", "1"));
        all.add(head("an empty field name", "empty field name", ":status", "200", "", "1"));
        // RFC 9113 8.2.1: field values.
        all.add(head("NUL in a field value", "NUL (0x00)", ":status", "200", "x-a", "a\0b"));
        all.add(head("CR in a field value", "CR (0x0d)", ":status", "200", "x-a", "a\rb"));
        all.add(head("LF in a field value", "LF (0x0a)", ":status", "200", "x-a", "a\nb"));
        all.add(head("another control character in a field value", "control 0x01", ":status", "200", "x-a", "a\1b"));
        all.add(head("a field value starting with a space", "whitespace", ":status", "200", "x-a", " a"));
        all.add(head("a field value ending with a space", "whitespace", ":status", "200", "x-a", "a "));
        all.add(head("a field value starting with a tab", "whitespace", ":status", "200", "x-a", "\ta"));
        all.add(head("a field value ending with a tab", "whitespace", ":status", "200", "x-a", "a\t"));
        // RFC 9113 8.3.2, RFC 9110 15: the status.
        all.add(head("a non-numeric :status", "'abc' is not a three-digit status code", ":status", "abc"));
        all.add(head("a two-digit :status", "'20' is not a three-digit status code", ":status", "20"));
        all.add(head("a four-digit :status", "'2000' is not a three-digit status code", ":status", "2000"));
        all.add(head("a :status below 100", "'099' is not a three-digit status code", ":status", "099"));
        // RFC 9113 8.1: interim responses.
        all.add(new Malformed(
                "an interim response ending the stream",
                Phase.HEAD,
                "interim response 103 ends the stream",
                ex -> headers(ex, true, ":status", "103", "link", "</a.css>")));
        all.add(new Malformed(
                "101 Switching Protocols",
                Phase.HEAD,
                "101",
                ex -> headers(ex, false, ":status", "101", "upgrade-insecure", "1")));
        // RFC 9113 8.1.1, RFC 9110 8.6: content-length.
        all.add(head(
                "two different content-length fields",
                "different content-length values: 5 and 6",
                ":status",
                "200",
                "content-length",
                "5",
                "content-length",
                "6"));
        all.add(head(
                "a content-length list of different values",
                "different content-length values: 5 and 6",
                ":status",
                "200",
                "content-length",
                "5, 6"));
        all.add(head(
                "a non-numeric content-length",
                "content-length 'five' is not a number",
                ":status",
                "200",
                "content-length",
                "five"));
        all.add(head(
                "a negative content-length",
                "content-length '-1' is not a number",
                ":status",
                "200",
                "content-length",
                "-1"));
        all.add(new Malformed(
                "content-length 5 and the head ending the stream",
                Phase.HEAD,
                "content-length announced 5 bytes but the response ended after 0",
                ex -> headers(ex, true, ":status", "200", "content-length", "5")));
        all.add(new Malformed(
                "content-length 5 and 11 bytes of DATA",
                Phase.BODY,
                "content-length announced 5 bytes but 11 arrived",
                ex -> {
                    headers(ex, false, ":status", "200", "content-length", "5");
                    data(ex, "hello world", true);
                }));
        all.add(new Malformed(
                "content-length 5 exceeded by a second DATA frame",
                Phase.BODY,
                "content-length announced 5 bytes but 7 arrived",
                ex -> {
                    headers(ex, false, ":status", "200", "content-length", "5");
                    data(ex, "hel", false);
                    data(ex, "lo w", false);
                }));
        all.add(new Malformed(
                "content-length 50 and 5 bytes of DATA ending the stream",
                Phase.BODY,
                "content-length announced 50 bytes but the response ended after 5",
                ex -> {
                    headers(ex, false, ":status", "200", "content-length", "50");
                    data(ex, "hello", true);
                }));
        all.add(new Malformed(
                "content-length 50 and 5 bytes of DATA before trailers",
                Phase.BODY,
                "content-length announced 50 bytes but the response ended after 5",
                ex -> {
                    headers(ex, false, ":status", "200", "content-length", "50");
                    data(ex, "hello", false);
                    headers(ex, true, "x-checksum", "1");
                }));
        // RFC 9113 8.1: trailers.
        all.add(afterHead(
                "a second :status after the final head",
                "pseudo-header :status in trailers",
                ex -> headers(ex, true, ":status", "200")));
        all.add(afterHead(
                "a request pseudo-header in trailers",
                "pseudo-header :path in trailers",
                ex -> headers(ex, true, ":path", "/")));
        all.add(afterHead(
                "trailers without END_STREAM",
                "trailers without END_STREAM",
                ex -> headers(ex, false, "x-checksum", "1")));
        all.add(afterHead("an upper-case name in trailers", "upper-case", ex -> headers(ex, true, "X-Checksum", "1")));
        all.add(afterHead(
                "a connection-specific field in trailers",
                "connection-specific field 'connection'",
                ex -> headers(ex, true, "connection", "close")));
        return all;
    }

    static Stream<Arguments> malformedOnEveryRuntime() {
        List<Malformed> cases = malformed();
        return Stream.of(RuntimeKind.values()).flatMap(kind -> cases.stream().map(c -> Arguments.of(kind, c)));
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("malformedOnEveryRuntime")
    void aMalformedResponseFailsOnlyItsStream(RuntimeKind kind, Malformed malformed) {
        try (H2TestServer h2 = H2TestServer.start()) {
            BlockingQueue<H2ServerExchange> held = new LinkedBlockingQueue<>();
            BlockingQueue<H2ServerExchange> bad = new LinkedBlockingQueue<>();
            h2.route("/held", (req, ex) -> held.add(ex));
            h2.route("/bad", (req, ex) -> {
                bad.add(ex);
                malformed.send().accept(ex);
            });
            h2.route("/ok", (req, ex) -> ex.respond(200, "ok on " + ex.connectionId()));
            HttpEngine engine = singlePoolEngine(kind, h2c());
            AioductClient client = H2Support.client(engine);

            CompletableFuture<Response> survivor = client.get(h2.uri("/held")).send();
            H2ServerExchange survivorExchange = take(held, 1).get(0);

            CompletableFuture<Response> sent = client.get(h2.uri("/bad")).send();
            Throwable failure;
            if (malformed.phase() == Phase.HEAD) {
                failure = failure(sent);
            } else {
                Response response = await(sent);
                assertThat(response.status()).isEqualTo(200);
                failure = bodyFailure(response);
            }
            assertThat(failure)
                    .isInstanceOf(HttpProtocolException.class)
                    .hasMessageContaining("PROTOCOL_ERROR")
                    .hasMessageContaining(malformed.rule())
                    .hasMessageContaining("RFC 91");

            int badStream = take(bad, 1).get(0).streamId();
            awaitTrue(
                    () -> h2.resetsReceived().stream()
                            .anyMatch(r -> r.streamId() == badStream && r.errorCode() == PROTOCOL_ERROR),
                    () -> "no RST_STREAM(PROTOCOL_ERROR) for stream " + badStream + "; resets: " + h2.resetsReceived());

            survivorExchange.respond(200, "survived");
            assertThat(await(survivor).body().string())
                    .as("the other stream in flight")
                    .isEqualTo("survived");
            assertThat(client.get(h2.uri("/ok")).execute().body().string())
                    .as("the next request, on the same connection")
                    .isEqualTo("ok on 1");
            assertThat(h2.connectionsAccepted()).isEqualTo(1);
            assertThat(h2.goAwaysReceived())
                    .as("a stream error, not a connection error")
                    .isEmpty();
            assertThat(h2.requests())
                    .filteredOn(r -> r.path().equals("/bad"))
                    .as("a malformed response is not retried")
                    .extracting(RecordedRequest::connectionId)
                    .containsExactly(1);
            awaitQuiet(engine);
            assertThat(h2.failures()).isEmpty();
        }
    }

    // ---- well-formed at the edges of the rules ----

    /** A well-formed response: how the server sends it, the request's method, and what the caller must see. */
    record WellFormed(String name, String method, Consumer<H2ServerExchange> send, Consumer<Response> check) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<WellFormed> wellFormed() {
        return List.of(
                new WellFormed(
                        "a HEAD response with content-length and no DATA",
                        "HEAD",
                        ex -> headers(ex, true, ":status", "200", "content-length", "5"),
                        r -> assertBody(r, 200, "")),
                new WellFormed(
                        "a 204 with content-length and no DATA",
                        "GET",
                        ex -> headers(ex, true, ":status", "204", "content-length", "5"),
                        r -> assertBody(r, 204, "")),
                new WellFormed(
                        "a 304 with content-length and an empty DATA frame ending the stream",
                        "GET",
                        ex -> {
                            headers(ex, false, ":status", "304", "content-length", "1234");
                            data(ex, "", true);
                        },
                        r -> assertBody(r, 304, "")),
                new WellFormed(
                        "content-length repeated with one value, in DATA frames and trailers",
                        "GET",
                        ex -> {
                            headers(ex, false, ":status", "200", "content-length", "5", "content-length", "5, 5");
                            data(ex, "hel", false);
                            data(ex, "lo", false);
                            headers(ex, true, "x-checksum", "1");
                        },
                        r -> {
                            assertBody(r, 200, "hello");
                            assertThat(await(r.trailers()).first("x-checksum")).isEqualTo("1");
                        }),
                new WellFormed(
                        "an interim response, then te: trailers and values with inner blanks and obs-text",
                        "GET",
                        ex -> {
                            headers(ex, false, ":status", "103", "link", "</a.css>");
                            headers(ex, false, ":status", "200", "te", "trailers", "x-a", "a \t b", "x-b", "caf\u00e9");
                            data(ex, "hi", true);
                        },
                        r -> {
                            assertBody(r, 200, "hi");
                            HttpHeaders headers = r.headers();
                            assertThat(headers.first("x-a")).isEqualTo("a \t b");
                            assertThat(headers.first("x-b")).isEqualTo("caf\u00e9");
                        }));
    }

    static Stream<Arguments> wellFormedOnEveryRuntime() {
        List<WellFormed> cases = wellFormed();
        return Stream.of(RuntimeKind.values()).flatMap(kind -> cases.stream().map(c -> Arguments.of(kind, c)));
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("wellFormedOnEveryRuntime")
    void aWellFormedResponseAtTheEdgeOfTheRulesIsAccepted(RuntimeKind kind, WellFormed wellFormed) {
        try (H2TestServer h2 = H2TestServer.start()) {
            h2.route("/edge", (req, ex) -> wellFormed.send().accept(ex));
            h2.route("/ok", (req, ex) -> ex.respond(200, "ok on " + ex.connectionId()));
            HttpEngine engine = singlePoolEngine(kind, h2c());
            AioductClient client = H2Support.client(engine);

            Response response =
                    client.method(wellFormed.method(), h2.uri("/edge")).execute();
            wellFormed.check().accept(response);

            assertThat(client.get(h2.uri("/ok")).execute().body().string()).isEqualTo("ok on 1");
            assertThat(h2.resetsReceived()).isEmpty();
            assertThat(h2.goAwaysReceived()).isEmpty();
            awaitQuiet(engine);
            assertThat(h2.failures()).isEmpty();
        }
    }

    private static void assertBody(Response response, int status, String body) {
        assertThat(response.status()).isEqualTo(status);
        assertThat(response.body().string()).isEqualTo(body);
    }

    // ---- raw frames ----

    /** A malformed response head: one HEADERS frame ending the stream. */
    private static Malformed head(String name, String rule, String... fields) {
        return new Malformed(name, Phase.HEAD, rule, ex -> headers(ex, true, fields));
    }

    /** A well-formed head and some DATA, then the malformed part. */
    private static Malformed afterHead(String name, String rule, Consumer<H2ServerExchange> then) {
        return new Malformed(name, Phase.BODY, rule, ex -> {
            headers(ex, false, ":status", "200");
            data(ex, "hello", false);
            then.accept(ex);
        });
    }

    private static void headers(H2ServerExchange ex, boolean endStream, String... fields) {
        ex.writeRawFrame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), ex.streamId(), literals(fields));
    }

    private static void data(H2ServerExchange ex, String text, boolean endStream) {
        ex.writeRawFrame(DATA, endStream ? END_STREAM : 0, ex.streamId(), text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * An HPACK header block of literal fields without indexing and without Huffman coding (RFC 7541
     * section 6.2.2): exactly the bytes given, whatever they are, and no change to either side's table.
     */
    static byte[] literals(String... nameValuePairs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            out.write(0x00); // literal field without indexing, new name
            string(out, nameValuePairs[i]);
            string(out, nameValuePairs[i + 1]);
        }
        return out.toByteArray();
    }

    private static void string(ByteArrayOutputStream out, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        // A 7-bit prefix integer (RFC 7541 section 5.1), Huffman bit clear.
        int length = bytes.length;
        if (length < 127) {
            out.write(length);
        } else {
            out.write(127);
            length -= 127;
            while (length >= 128) {
                out.write((length & 0x7f) | 0x80);
                length >>>= 7;
            }
            out.write(length);
        }
        out.writeBytes(bytes);
    }
}
