package io.aioduct.http1;

import static io.aioduct.http1.CodecFixtures.MAX_HEAD;
import static io.aioduct.http1.CodecFixtures.MAX_TRAILER;
import static io.aioduct.http1.CodecFixtures.bytes;
import static io.aioduct.http1.CodecFixtures.fields;
import static io.aioduct.http1.CodecFixtures.readAtOnce;
import static io.aioduct.http1.CodecFixtures.readByteByByte;
import static io.aioduct.http1.CodecFixtures.readSplit;
import static io.aioduct.http1.CodecFixtures.readable;
import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.testing.LeakRecordingDetector;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Responses arrive in arbitrary pieces: for every valid response, splitting the bytes at any single
 * boundary, or feeding them one byte at a time, must give exactly what one read of the whole gives.
 */
class IncrementalParsingTest {

    @BeforeAll
    static void forgetEarlierLeaks() {
        LeakRecordingDetector.collectLeaks();
    }

    @AfterAll
    static void nothingLeaked() {
        CodecFixtures.assertNoLeaks();
    }

    private static final String NEXT = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

    /** Complete responses (head and body), each followed by the start of a next response where framing allows. */
    static Stream<Arguments> responses() {
        StringBuilder many = new StringBuilder("HTTP/1.1 200 OK\r\n");
        for (int i = 0; i < 40; i++) {
            many.append("X-H").append(i).append(": v").append(i).append("\r\n");
        }
        many.append("Content-Length: 3\r\n\r\nabc").append(NEXT);
        return Stream.of(
                response("content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhello" + NEXT),
                response("empty content-length", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" + NEXT),
                response(
                        "chunked with extensions, upper-case hex and trailers",
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                + "5;a=b\r\nhello\r\n"
                                + "A\r\n0123456789\r\n"
                                + "1F;name=\"quoted;value\";x\r\n" + "t".repeat(31) + "\r\n"
                                + "b \t;ext\r\nhello world\r\n"
                                + "0;last=1\r\nX-Checksum: abc\r\nX-Multi: 1\r\nx-multi: 2\r\n\r\n"
                                + NEXT),
                response(
                        "chunked without trailers",
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" + NEXT),
                response(
                        "chunked with bare LF ending head and trailer lines (chunk lines need CRLF)",
                        "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\n\n" + NEXT),
                response(
                        "chunked with leading-zero sizes",
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n0004\r\nabcd\r\n000\r\n\r\n" + NEXT),
                response(
                        "until close, HTTP/1.0",
                        "HTTP/1.0 200 OK\r\nServer: old\r\n\r\nbody until the connection closes"),
                response("until close, empty body", "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"),
                response("no body: 204", "HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n" + NEXT),
                response("no body: 304", "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n" + NEXT),
                response(
                        "interim responses first",
                        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
                                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" + NEXT),
                response("no reason phrase, bare LF", "HTTP/1.1 200\nContent-Length: 1\n\nx" + NEXT),
                response("many header fields", many.toString()),
                response(
                        "obs-text in values and reason",
                        "HTTP/1.1 200 \u00c7a va\r\nX-L: caf\u00e9\u00ff\r\nContent-Length: 2\r\n\r\n\u00e9\u00e8"
                                + NEXT),
                response(
                        "binary chunk data that looks like framing",
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + "8\r\n\r\n0\r\n\r\n\n\r\n0\r\n\r\n"
                                + NEXT));
    }

    /** Heads whose one-shot parse is checked against every split; includes leading blank lines. */
    static Stream<Arguments> heads() {
        return Stream.of(
                response("simple", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"),
                response("bare LF", "HTTP/1.1 404 Not Found\nA: 1\nB:\n\n"),
                response("whitespace to trim", "HTTP/1.1 200 OK\r\nA: \t x \t\r\nB:y\r\n\r\n"),
                response(
                        "framing headers",
                        "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"),
                response("leading CRLF", "\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n"));
    }

    private static Arguments response(String name, String wire) {
        return Arguments.of(Named.of(name, wire));
    }

    @ParameterizedTest
    @MethodSource("responses")
    void everySplitPointGivesTheSameResultAsOneRead(String wire) {
        byte[] b = bytes(wire);
        CodecFixtures.Result whole = readAtOnce(b);
        assertThat(whole.endOfInput())
                .as("a valid response ends cleanly: %s", whole)
                .isNull();
        assertThat(whole.complete()).isTrue();

        for (int split = 0; split <= b.length; split++) {
            assertThat(readSplit(b, split)).as("split at %d", split).isEqualTo(whole);
        }
    }

    @ParameterizedTest
    @MethodSource("responses")
    void byteByByteGivesTheSameResultAsOneRead(String wire) {
        byte[] b = bytes(wire);

        assertThat(readByteByByte(b)).isEqualTo(readAtOnce(b));
    }

    @ParameterizedTest
    @MethodSource("heads")
    void headIsParsedExactlyWhenItsLastByteArrives(String wire) {
        CodecFixtures.Head expected = CodecFixtures.parseHead(wire);
        byte[] b = bytes(wire);
        ResponseParser parser = new ResponseParser(MAX_HEAD);
        ByteBuf in = CodecFixtures.tracked(64);
        try {
            for (int i = 0; i < b.length - 1; i++) {
                in.writeByte(b[i]);
                assertThat(parser.parse(in))
                        .as("after %d of %d bytes", i + 1, b.length)
                        .isFalse();
            }
            in.writeByte(b[b.length - 1]);
            assertThat(parser.parse(in)).isTrue();
            assertThat(CodecFixtures.Head.of(parser)).isEqualTo(expected);
            assertThat(in.isReadable()).isFalse();
        } finally {
            in.release();
        }
    }

    @ParameterizedTest
    @MethodSource("heads")
    void headSplitAnywhereParsesTheSame(String wire) {
        CodecFixtures.Head expected = CodecFixtures.parseHead(wire);
        byte[] b = bytes(wire);
        for (int split = 0; split <= b.length; split++) {
            ResponseParser parser = new ResponseParser(MAX_HEAD);
            ByteBuf in = CodecFixtures.tracked(64);
            try {
                in.writeBytes(b, 0, split);
                boolean early = parser.parse(in);
                if (!early) {
                    in.writeBytes(b, split, b.length - split);
                    assertThat(parser.parse(in)).as("split at %d", split).isTrue();
                }
                assertThat(CodecFixtures.Head.of(parser))
                        .as("split at %d", split)
                        .isEqualTo(expected);
            } finally {
                in.release();
            }
        }
    }

    /** Bodies decoded on their own, with the decoder started as the connection would. */
    static Stream<Arguments> bodies() {
        return Stream.of(
                Arguments.of(
                        Named.of("content-length", BodyDecoder.Framing.LENGTH),
                        11L,
                        "hello worldNEXT",
                        "hello world",
                        List.of(),
                        "NEXT"),
                Arguments.of(
                        Named.of("chunked: extensions, hex case, trailers", BodyDecoder.Framing.CHUNKED),
                        -1L,
                        "5;a=b\r\nhello\r\nA\r\n0123456789\r\na;x=\"y\"\r\nabcdefghij\r\n"
                                + "0\r\nX-Checksum: abc\r\nX-Multi: 1\r\nx-multi: 2\r\n\r\nNEXT",
                        "hello0123456789abcdefghij",
                        List.of("X-Checksum: abc", "X-Multi: 1", "x-multi: 2"),
                        "NEXT"),
                Arguments.of(
                        Named.of("chunked: bare LF ending trailer lines", BodyDecoder.Framing.CHUNKED),
                        -1L,
                        "2\r\nab\r\n0\r\nX-T: 1\n\nNEXT",
                        "ab",
                        List.of("X-T: 1"),
                        "NEXT"),
                Arguments.of(
                        Named.of("until close", BodyDecoder.Framing.UNTIL_CLOSE),
                        -1L,
                        "everything\r\n0\r\n\r\nuntil the end",
                        "everything\r\n0\r\n\r\nuntil the end",
                        List.of(),
                        ""));
    }

    @ParameterizedTest
    @MethodSource("bodies")
    void bodySplitAnywhereDecodesTheSame(
            BodyDecoder.Framing framing,
            long contentLength,
            String wire,
            String payload,
            List<String> trailers,
            String leftover) {
        byte[] b = bytes(wire);
        for (int split = 0; split <= b.length; split++) {
            BodyDecoder decoder = new BodyDecoder(MAX_TRAILER);
            decoder.start(framing, contentLength);
            CodecFixtures.CollectingSink sink = new CodecFixtures.CollectingSink();
            ByteBuf in = CodecFixtures.tracked(64);
            try {
                in.writeBytes(b, 0, split);
                decoder.decode(in, sink, Integer.MAX_VALUE);
                in.writeBytes(b, split, b.length - split);
                decoder.decode(in, sink, Integer.MAX_VALUE);
                assertThat(decoder.endOfInput()).as("split at %d", split).isNull();

                assertThat(decoder.complete()).isTrue();
                assertThat(sink.text()).as("split at %d", split).isEqualTo(payload);
                assertThat(fields(decoder.trailers())).as("split at %d", split).isEqualTo(trailers);
                assertThat(readable(in)).as("split at %d", split).isEqualTo(leftover);
                assertThat(decoder.received()).isEqualTo(payload.length());
            } finally {
                in.release();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("bodies")
    void bodyByteByByteDecodesTheSame(
            BodyDecoder.Framing framing,
            long contentLength,
            String wire,
            String payload,
            List<String> trailers,
            String leftover) {
        byte[] b = bytes(wire);
        BodyDecoder decoder = new BodyDecoder(MAX_TRAILER);
        decoder.start(framing, contentLength);
        CodecFixtures.CollectingSink sink = new CodecFixtures.CollectingSink();
        ByteBuf in = CodecFixtures.tracked(64);
        try {
            boolean done = false;
            for (byte x : b) {
                in.discardReadBytes();
                in.writeByte(x);
                if (!done) {
                    done = decoder.decode(in, sink, Integer.MAX_VALUE);
                }
            }
            assertThat(decoder.endOfInput()).isNull();
            assertThat(sink.text()).isEqualTo(payload);
            assertThat(fields(decoder.trailers())).isEqualTo(trailers);
            assertThat(readable(in)).isEqualTo(leftover);
        } finally {
            in.release();
        }
    }
}
