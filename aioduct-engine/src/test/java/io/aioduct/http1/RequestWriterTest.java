package io.aioduct.http1;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.testing.LeakRecordingDetector;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Request heads and chunk framing as they go on the wire. */
class RequestWriterTest {
    private static final String UA = "aioduct/test";

    @BeforeAll
    static void forgetEarlierLeaks() {
        LeakRecordingDetector.collectLeaks();
    }

    @AfterAll
    static void nothingLeaked() {
        CodecFixtures.assertNoLeaks();
    }

    private static String head(Request request, @Nullable String userAgent) {
        return head(request, userAgent, null);
    }

    private static String head(Request request, @Nullable String userAgent, @Nullable String acceptEncoding) {
        ByteBuf out = CodecFixtures.tracked(64);
        try {
            RequestWriter.writeHead(request, RequestWriter.framing(request), userAgent, acceptEncoding, out);
            return out.toString(StandardCharsets.ISO_8859_1);
        } finally {
            out.release();
        }
    }

    private static String head(Request request) {
        return head(request, UA);
    }

    private static String headOn(Http1Route route, Request request) {
        ByteBuf out = CodecFixtures.tracked(64);
        try {
            RequestWriter.writeHead(request, RequestWriter.framing(request), null, null, route, out);
            return out.toString(StandardCharsets.ISO_8859_1);
        } finally {
            out.release();
        }
    }

    @Nested
    class ThroughAForwardingProxy {

        @Test
        void theTargetIsAbsoluteAndHostStaysTheOrigins() {
            Request r =
                    Request.builder("GET", "http://example.com:8080/path?q=1").build();
            assertThat(headOn(Http1Route.forwardingProxy(null), r))
                    .isEqualTo("GET http://example.com:8080/path?q=1 HTTP/1.1\r\nHost: example.com:8080\r\n\r\n");
        }

        @Test
        void theProxysCredentialsGoUnlessTheRequestAnswersAChallengeWithItsOwn() {
            Request r = Request.builder("GET", "http://example.com/").build();
            assertThat(headOn(Http1Route.forwardingProxy("Basic cHJveHk6cHc="), r))
                    .isEqualTo("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n"
                            + "Proxy-Authorization: Basic cHJveHk6cHc=\r\n\r\n");
            Request answered =
                    r.toBuilder().header("Proxy-Authorization", "Basic YTpi").build();
            assertThat(headOn(Http1Route.forwardingProxy("Basic cHJveHk6cHc="), answered))
                    .isEqualTo("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n"
                            + "Proxy-Authorization: Basic YTpi\r\n\r\n");
        }

        @Test
        void proxyCredentialsNeverGoToAnOrigin() {
            Request r = Request.builder("GET", "http://example.com/")
                    .header("Proxy-Authorization", "Basic YTpi")
                    .header("X-Kept", "1")
                    .build();
            assertThat(headOn(Http1Route.ORIGIN, r))
                    .isEqualTo("GET / HTTP/1.1\r\nHost: example.com\r\nX-Kept: 1\r\n\r\n");
        }
    }

    @Nested
    class Heads {

        @Test
        void getWithoutBodyHasNoContentLength() {
            Request r = Request.builder("GET", "http://example.com:8080/path?q=1&r=%20")
                    .build();

            assertThat(head(r))
                    .isEqualTo(
                            "GET /path?q=1&r=%20 HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: aioduct/test\r\n\r\n");
        }

        @Test
        void theDefaultAcceptEncodingFollowsTheUserAgent() {
            Request r = Request.builder("GET", "http://example.com/").build();

            assertThat(head(r, UA, "gzip, deflate"))
                    .isEqualTo("GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: aioduct/test\r\n"
                            + "Accept-Encoding: gzip, deflate\r\n\r\n");
        }

        @Test
        void aRequestsOwnAcceptEncodingReplacesTheDefault() {
            Request r = Request.builder("GET", "http://example.com/")
                    .header("accept-encoding", "identity")
                    .build();

            assertThat(head(r, null, "gzip, deflate"))
                    .isEqualTo("GET / HTTP/1.1\r\nHost: example.com\r\naccept-encoding: identity\r\n\r\n");
        }

        @Test
        void urlWithoutPathGetsSlashTarget() {
            assertThat(head(Request.builder("GET", "http://example.com").build(), null))
                    .isEqualTo("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n");
        }

        @Test
        void postWithBytesHasContentLengthAfterRequestHeaders() {
            Request r = Request.builder("POST", "http://example.com/upload")
                    .header("X-Trace", "1")
                    .header("Accept", "*/*")
                    .body(RequestBody.ofBytes(new byte[] {1, 2, 3}))
                    .build();

            assertThat(head(r))
                    .isEqualTo("POST /upload HTTP/1.1\r\nHost: example.com\r\nUser-Agent: aioduct/test\r\n"
                            + "X-Trace: 1\r\nAccept: */*\r\nContent-Length: 3\r\n\r\n");
        }

        @Test
        void emptyBytesBodySendsContentLengthZero() {
            Request r = Request.builder("PUT", "http://example.com/x")
                    .body(RequestBody.ofBytes(new byte[0]))
                    .build();

            assertThat(head(r, null)).isEqualTo("PUT /x HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\n\r\n");
        }

        @ParameterizedTest
        @ValueSource(strings = {"POST", "PUT", "PATCH"})
        void methodsThatExpectABodySendContentLengthZeroWithoutOne(String method) {
            Request r = Request.builder(method, "http://example.com/x").build();

            assertThat(RequestWriter.framing(r)).isZero();
            assertThat(head(r, null))
                    .isEqualTo(method + " /x HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\n\r\n");
        }

        @ParameterizedTest
        @ValueSource(strings = {"GET", "HEAD", "DELETE", "OPTIONS", "TRACE", "post"})
        void otherMethodsWithoutBodySendNoFraming(String method) {
            Request r = Request.builder(method, "http://example.com/x").build();

            assertThat(RequestWriter.framing(r)).isEqualTo(RequestWriter.NO_BODY);
            assertThat(head(r, null)).isEqualTo(method + " /x HTTP/1.1\r\nHost: example.com\r\n\r\n");
        }

        @Test
        void bodyOfUnknownLengthIsSentChunked() {
            Request r = Request.builder("POST", "http://example.com/stream")
                    .body(RequestBody.ofInputStream(() -> new ByteArrayInputStream(new byte[10]), -1))
                    .build();

            assertThat(RequestWriter.framing(r)).isEqualTo(RequestWriter.CHUNKED_BODY);
            assertThat(head(r, null))
                    .isEqualTo("POST /stream HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n");
        }

        @Test
        void streamOfKnownLengthUsesContentLength() {
            Request r = Request.builder("POST", "http://example.com/stream")
                    .body(RequestBody.ofInputStream(() -> new ByteArrayInputStream(new byte[10]), 10))
                    .build();

            assertThat(RequestWriter.framing(r)).isEqualTo(10);
            assertThat(head(r, null)).endsWith("\r\nContent-Length: 10\r\n\r\n").doesNotContain("Transfer-Encoding");
        }

        @Test
        void writesLargeContentLengthsInDecimal() {
            Request r = Request.builder("PUT", "http://example.com/big")
                    .body(RequestBody.ofInputStream(() -> new ByteArrayInputStream(new byte[0]), 12_345_678_901L))
                    .build();

            assertThat(head(r, null)).contains("\r\nContent-Length: 12345678901\r\n");
        }

        @Test
        void keepsRequestHeaderOrderDuplicatesAndSpelling() {
            Request r = Request.builder("GET", "http://example.com/")
                    .header("accept", "a")
                    .header("X-Dup", "1")
                    .header("x-dup", "2")
                    .build();

            assertThat(head(r, null))
                    .isEqualTo("GET / HTTP/1.1\r\nHost: example.com\r\naccept: a\r\nX-Dup: 1\r\nx-dup: 2\r\n\r\n");
        }

        @Test
        void writesHeaderValuesWithoutTheWhitespaceAroundThem() {
            Request r = Request.builder("GET", "http://example.com/")
                    .header("X-A", "   v  ")
                    .header("X-B", "\t a b\t")
                    .header("X-C", " ")
                    .build();

            assertThat(head(r, null))
                    .isEqualTo("GET / HTTP/1.1\r\nHost: example.com\r\nX-A: v\r\nX-B: a b\r\nX-C: \r\n\r\n");
        }

        @Test
        void aRepeatedContentLengthGoesOutOnce() {
            Request r = Request.builder("POST", "http://example.com/")
                    .header("Content-Length", "3")
                    .header("content-length", "3")
                    .body(RequestBody.ofString("abc"))
                    .build();

            assertThat(head(r, null))
                    .isEqualTo("POST / HTTP/1.1\r\nHost: example.com\r\n"
                            + "Content-Type: text/plain; charset=UTF-8\r\nContent-Length: 3\r\n\r\n");
        }

        @Test
        void writesIso88591HeaderValuesAsSingleBytes() {
            Request r = Request.builder("GET", "http://example.com/")
                    .header("X-Latin", "caf\u00e9\u00ff")
                    .build();
            // Decoded as ISO-8859-1, a UTF-8 encoding would show up as "cafÃ©Ã¿".
            assertThat(head(r, null)).contains("\r\nX-Latin: caf\u00e9\u00ff\r\n");
        }

        @Test
        void headParsesBackWithNettysRequestDecoder() {
            Request r = Request.builder("POST", "http://[::1]:8443/a/b?c=d")
                    .header("X-A", "1")
                    .body(RequestBody.ofString("hello"))
                    .build();
            EmbeddedChannel ch = new EmbeddedChannel(new HttpRequestDecoder());
            try {
                ch.writeInbound(CodecFixtures.buf(head(r)));
                HttpRequest decoded = ch.readInbound();

                assertThat(decoded.decoderResult().isSuccess()).isTrue();
                assertThat(decoded.method().name()).isEqualTo("POST");
                assertThat(decoded.uri()).isEqualTo("/a/b?c=d");
                assertThat(decoded.headers().get("Host")).isEqualTo("[::1]:8443");
                assertThat(decoded.headers().get("Content-Length")).isEqualTo("5");
                assertThat(decoded.headers().get("Content-Type")).isEqualTo("text/plain; charset=UTF-8");
            } finally {
                ch.finishAndReleaseAll();
            }
        }
    }

    @Nested
    class Host {

        @ParameterizedTest
        @CsvSource({
            "http://example.com/, example.com",
            "http://example.com:80/, example.com",
            "https://example.com:443/, example.com",
            "https://example.com/, example.com",
            "http://example.com:443/, example.com:443",
            "https://example.com:80/, example.com:80",
            "http://example.com:8080/, example.com:8080",
            "http://EXAMPLE.com/, example.com",
            "http://127.0.0.1:9000/, 127.0.0.1:9000",
            "http://[::1]:8080/, [::1]:8080",
            "http://[::1]/, [::1]",
            "https://[2001:db8::1]:443/, [2001:db8::1]",
            "https://[2001:db8::1]:8443/, [2001:db8::1]:8443",
        })
        void hostHeaderOmitsOnlyTheSchemesDefaultPort(String url, String host) {
            assertThat(head(Request.builder("GET", url).build(), null))
                    .isEqualTo("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
        }

        @Test
        void aPaddedRequestSuppliedHostGoesOutTrimmedAndOnce() {
            Request r = Request.builder("GET", "http://10.0.0.1:8080/")
                    .header("Host", "  virtual.example\t")
                    .build();

            assertThat(head(r, null)).isEqualTo("GET / HTTP/1.1\r\nHost: virtual.example\r\n\r\n");
        }

        @Test
        void requestSuppliedHostWinsInItsPlace() {
            Request r = Request.builder("GET", "http://10.0.0.1:8080/")
                    .header("X-First", "1")
                    .header("host", "virtual.example")
                    .build();

            assertThat(head(r))
                    .isEqualTo(
                            "GET / HTTP/1.1\r\nUser-Agent: aioduct/test\r\nX-First: 1\r\nhost: virtual.example\r\n\r\n");
        }
    }

    @Nested
    class UserAgentAndContentType {

        @Test
        void defaultUserAgentIsSentWhenGiven() {
            assertThat(head(Request.builder("GET", "http://h/").build(), "agent/1.0"))
                    .isEqualTo("GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: agent/1.0\r\n\r\n");
        }

        @Test
        void requestSuppliedUserAgentReplacesTheDefault() {
            Request r = Request.builder("GET", "http://h/")
                    .header("user-agent", "mine")
                    .build();

            assertThat(head(r, "agent/1.0")).isEqualTo("GET / HTTP/1.1\r\nHost: h\r\nuser-agent: mine\r\n\r\n");
        }

        @Test
        void nullDefaultSendsNoUserAgent() {
            assertThat(head(Request.builder("GET", "http://h/").build(), null))
                    .doesNotContainIgnoringCase("user-agent");
        }

        @Test
        void contentTypeComesFromTheBody() {
            Request r = Request.builder("POST", "http://h/")
                    .body(RequestBody.ofString("h\u00e9"))
                    .build();

            assertThat(head(r, null))
                    .isEqualTo("POST / HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                            + "Content-Length: 3\r\n\r\n");
        }

        @Test
        void requestSuppliedContentTypeWins() {
            Request r = Request.builder("POST", "http://h/")
                    .header("content-type", "application/json")
                    .body(RequestBody.ofString("{}"))
                    .build();

            String head = head(r, null);
            assertThat(head)
                    .isEqualTo(
                            "POST / HTTP/1.1\r\nHost: h\r\ncontent-type: application/json\r\nContent-Length: 2\r\n\r\n");
        }

        @Test
        void bodyWithoutContentTypeSendsNone() {
            Request r = Request.builder("POST", "http://h/")
                    .body(RequestBody.ofBytes(new byte[] {1}))
                    .build();

            assertThat(head(r, null)).doesNotContainIgnoringCase("content-type");
        }
    }

    @Nested
    class Chunks {

        @ParameterizedTest
        @CsvSource({"0, 0", "1, 1", "15, f", "16, 10", "255, ff", "4096, 1000", "2147483647, 7fffffff"})
        void chunkHeaderIsLowerCaseHexAndCrlf(int length, String hex) {
            ByteBuf out = CodecFixtures.tracked(64);
            try {
                RequestWriter.writeChunkHeader(out, length);
                assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo(hex + "\r\n");
            } finally {
                out.release();
            }
        }

        @Test
        void lastChunkAndCrlf() {
            ByteBuf out = CodecFixtures.tracked(64);
            try {
                RequestWriter.writeCrlf(out);
                out.writeBytes(RequestWriter.LAST_CHUNK);
                assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("\r\n0\r\n\r\n");
            } finally {
                out.release();
            }
        }

        @Test
        void writtenChunksDecodeBackToThePayload() {
            ByteBuf out = CodecFixtures.tracked(64);
            try {
                String[] pieces = {"hello", "", "x".repeat(300), "\r\n0\r\n\r\n"};
                StringBuilder payload = new StringBuilder();
                for (String p : pieces) {
                    if (p.isEmpty()) {
                        continue; // a zero-length chunk would end the body
                    }
                    RequestWriter.writeChunkHeader(out, p.length());
                    out.writeCharSequence(p, StandardCharsets.ISO_8859_1);
                    RequestWriter.writeCrlf(out);
                    payload.append(p);
                }
                out.writeBytes(RequestWriter.LAST_CHUNK);

                BodyDecoder decoder = new BodyDecoder(256);
                decoder.start(BodyDecoder.Framing.CHUNKED, -1);
                CodecFixtures.CollectingSink sink = new CodecFixtures.CollectingSink();
                assertThat(decoder.decode(out, sink, Integer.MAX_VALUE)).isTrue();
                assertThat(sink.text()).isEqualTo(payload.toString());
                assertThat(out.isReadable()).isFalse();
            } finally {
                out.release();
            }
        }
    }
}
