package io.aioduct.http1;

import static io.aioduct.http1.CodecFixtures.MAX_HEAD;
import static io.aioduct.http1.CodecFixtures.buf;
import static io.aioduct.http1.CodecFixtures.readable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.HttpProtocolException;
import io.aioduct.HttpVersion;
import io.aioduct.Request;
import io.aioduct.Response;
import io.aioduct.body.BodySource;
import io.aioduct.exchange.ExchangeSpec;
import io.aioduct.exchange.Retry;
import io.aioduct.testing.LeakRecordingDetector;
import io.netty.buffer.ByteBuf;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The rules both HTTP/1.1 drivers apply to a response head: final head, framing, reuse, a peer's close. */
class ResponseCodecTest {
    private static final Request GET =
            Request.builder("GET", "http://localhost/t").build();

    @BeforeAll
    static void forgetEarlierLeaks() {
        LeakRecordingDetector.collectLeaks();
    }

    @AfterAll
    static void nothingLeaked() {
        CodecFixtures.assertNoLeaks();
    }

    /** Reads the one final head in {@code wire} into a fresh codec. */
    private static ResponseCodec headOf(String wire) {
        ResponseCodec codec = new ResponseCodec(MAX_HEAD);
        ByteBuf in = buf(wire);
        try {
            assertThat(codec.readHead(in)).as("readHead(%s)", wire).isTrue();
            return codec;
        } finally {
            in.release();
        }
    }

    @Test
    void anAwaitedContinueStopsTheHeadReadingAndOtherInterimResponsesDoNot() {
        ResponseCodec codec = new ResponseCodec(MAX_HEAD);
        codec.awaitingContinue = true;
        ByteBuf in = buf("HTTP/1.1 103 Early Hints\r\nLink: </s>\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        try {
            assertThat(codec.readHead(in)).as("stops at the 100, past the 103").isFalse();
            assertThat(codec.takeContinue()).isTrue();
            assertThat(codec.takeContinue()).as("cleared once taken").isFalse();
            assertThat(codec.readHead(in))
                    .as("a second 100 is skipped like any interim")
                    .isTrue();
            assertThat(codec.takeContinue()).isFalse();
            assertThat(codec.parser.status).isEqualTo(200);
        } finally {
            in.release();
        }
    }

    @Test
    void aFinalHeadWhileAwaitingContinueIsTheFinalHead() {
        ResponseCodec codec = new ResponseCodec(MAX_HEAD);
        codec.awaitingContinue = true;
        ByteBuf in = buf("HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n");
        try {
            assertThat(codec.readHead(in)).isTrue();
            assertThat(codec.takeContinue()).isFalse();
            assertThat(codec.parser.status).isEqualTo(417);
        } finally {
            in.release();
        }
    }

    @Test
    void interimResponsesAreSkippedAndTheBodyBytesLeftUnread() {
        ResponseCodec codec = new ResponseCodec(MAX_HEAD);
        ByteBuf in = buf("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s>\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
        try {
            assertThat(codec.readHead(in)).isTrue();
            assertThat(codec.parser.status).isEqualTo(200);
            assertThat(readable(in)).isEqualTo("hi");
        } finally {
            in.release();
        }
    }

    @Test
    void aHeadSplitOverReadsAsksForMoreBytes() {
        ResponseCodec codec = new ResponseCodec(MAX_HEAD);
        ByteBuf first = buf("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-");
        ByteBuf second = buf("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        try {
            assertThat(codec.readHead(first)).isFalse();
            codec.reset();
            assertThat(codec.readHead(second)).isTrue();
            assertThat(codec.parser.status).isEqualTo(200);
        } finally {
            first.release();
            second.release();
        }
    }

    @Test
    void anUnaskedForSwitchingProtocolsIsRefused() {
        ResponseCodec codec = new ResponseCodec(MAX_HEAD);
        ByteBuf in = buf("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n");
        try {
            assertThatThrownBy(() -> codec.readHead(in))
                    .isInstanceOf(HttpProtocolException.class)
                    .hasMessageContaining("unexpected 101 Switching Protocols");
        } finally {
            in.release();
        }
    }

    @ParameterizedTest
    @CsvSource({
        "GET,  HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\n,             LENGTH",
        "GET,  HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n,    CHUNKED",
        "GET,  HTTP/1.1 200 OK\\r\\n\\r\\n,                                  UNTIL_CLOSE",
        "GET,  HTTP/1.1 204 No Content\\r\\n\\r\\n,                          NONE",
        "GET,  HTTP/1.1 304 Not Modified\\r\\nContent-Length: 5\\r\\n\\r\\n,   NONE",
        "HEAD, HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\n,             NONE",
    })
    void theBodyIsFramedByTheHeadAndTheMethod(String method, String wire, BodyDecoder.Framing expected) {
        ResponseCodec codec = headOf(wire.replace("\\r\\n", "\r\n"));
        Request request = Request.builder(method, "http://localhost/t").build();

        assertThat(codec.startBody(request)).isEqualTo(expected);
        assertThat(codec.decoder.framing()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
        "HTTP/1.1 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\n,                               ,      true",
        "HTTP/1.1 200 OK\\r\\nContent-Length: 0\\r\\nConnection: close\\r\\n\\r\\n,          ,      false",
        "HTTP/1.0 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\n,                               ,      false",
        "HTTP/1.0 200 OK\\r\\nContent-Length: 0\\r\\nConnection: keep-alive\\r\\n\\r\\n,     ,      true",
        "HTTP/1.1 200 OK\\r\\n\\r\\n,                                                    ,      false",
        "HTTP/1.1 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\n,                               Close, false",
        "HTTP/1.1 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\n,                               keep-alive, true",
    })
    void theConnectionOutlivesTheResponseOnlyIfBothSidesAndTheFramingAllowIt(
            String wire, String requestConnection, boolean expected) {
        ResponseCodec codec = headOf(wire.replace("\\r\\n", "\r\n"));
        Request.Builder builder = Request.builder("GET", "http://localhost/t");
        if (requestConnection != null) builder.header("Connection", requestConnection);
        Request request = builder.build();

        BodyDecoder.Framing framing = codec.startBody(request);

        assertThat(codec.keepsConnection(request, framing)).isEqualTo(expected);
    }

    @Test
    void theResponseCarriesTheFinalHead() {
        ResponseCodec codec = headOf("HTTP/1.0 404 Gone Fishing\r\nContent-Length: 0\r\nX-A: 1\r\n\r\n");

        Response response = codec.response(new Spec(GET), GET, BodySource.EMPTY);

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.reason()).isEqualTo("Gone Fishing");
        assertThat(response.version()).isEqualTo(HttpVersion.HTTP_1_0);
        assertThat(response.headers().first("X-A")).isEqualTo("1");
        assertThat(response.request()).isSameAs(GET);
    }

    @Test
    void onlyAReusedConnectionThatBrokeBeforeAnyResponseByteMayBeRetried() {
        assertThat(ResponseCodec.staleRetry(true, false)).isEqualTo(Retry.IF_IDEMPOTENT);
        assertThat(ResponseCodec.staleRetry(true, true)).isEqualTo(Retry.NEVER);
        assertThat(ResponseCodec.staleRetry(false, false)).isEqualTo(Retry.NEVER);
        assertThat(ResponseCodec.staleRetry(false, true)).isEqualTo(Retry.NEVER);
    }

    @Test
    void aPeersCloseSaysWhereTheResponseWas() {
        Throwable cause = new IllegalStateException("reset");

        assertThat(ResponseCodec.closedDuringHead("peer:80", false, cause))
                .hasMessage("connection to peer:80 closed by the server before any response")
                .hasCause(cause);
        assertThat(ResponseCodec.closedDuringHead("peer:80", true, null))
                .hasMessage("connection to peer:80 closed by the server in the middle of the response head");
        assertThat(ResponseCodec.closedDuringBody("body ended after 3 of 5 bytes", "peer:80", null))
                .hasMessage("body ended after 3 of 5 bytes (peer:80)");
    }

    /** What the codec reads of an exchange: its buffered-body limit (and decompression off). */
    private record Spec(Request request) implements ExchangeSpec {
        @Override
        public @Nullable String userAgent() {
            return null;
        }

        @Override
        public long responseTimeoutNanos() {
            return 0;
        }

        @Override
        public long readTimeoutNanos() {
            return 0;
        }

        @Override
        public long totalDeadlineNanos() {
            return 0;
        }

        @Override
        public long totalTimeoutNanos() {
            return 0;
        }

        @Override
        public long maxBufferedBody() {
            return 1024;
        }
    }
}
