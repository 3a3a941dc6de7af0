package io.aioduct.http1;

import static io.aioduct.http1.CodecFixtures.buf;
import static io.aioduct.http1.CodecFixtures.fields;
import static io.aioduct.http1.CodecFixtures.readable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.HttpProtocolException;
import io.aioduct.testing.LeakRecordingDetector;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Body framing: Content-Length, chunked (sizes, extensions, trailers), until-close, limits and errors. */
class BodyDecoderTest {

    @BeforeAll
    static void forgetEarlierLeaks() {
        LeakRecordingDetector.collectLeaks();
    }

    @AfterAll
    static void nothingLeaked() {
        CodecFixtures.assertNoLeaks();
    }

    private static BodyDecoder decoder(BodyDecoder.Framing framing, long contentLength) {
        BodyDecoder d = new BodyDecoder(1024);
        d.start(framing, contentLength);
        return d;
    }

    private static BodyDecoder chunked() {
        return decoder(BodyDecoder.Framing.CHUNKED, -1);
    }

    /** Decodes all of {@code wire} in one call; returns the payload and checks what was left unread. */
    private static String decodeAll(BodyDecoder d, String wire, String expectedLeftover) {
        CodecFixtures.CollectingSink sink = new CodecFixtures.CollectingSink();
        ByteBuf in = buf(wire);
        try {
            d.decode(in, sink, Integer.MAX_VALUE);
            assertThat(readable(in)).as("left unread").isEqualTo(expectedLeftover);
            return sink.text();
        } finally {
            in.release();
        }
    }

    /** Like {@link #assertChunkedRejected}, but fed one byte per call: the state carries across reads. */
    private static void assertChunkedRejectedByteByByte(String wire, String messagePart) {
        BodyDecoder d = chunked();
        ByteBuf in = CodecFixtures.tracked(64);
        try {
            assertThatThrownBy(() -> {
                        for (byte b : wire.getBytes(StandardCharsets.ISO_8859_1)) {
                            in.writeByte(b);
                            d.decode(in, new CodecFixtures.CollectingSink(), Integer.MAX_VALUE);
                        }
                    })
                    .isInstanceOf(HttpProtocolException.class)
                    .hasMessageStartingWith("malformed chunked body")
                    .hasMessageContaining(messagePart);
        } finally {
            in.release();
        }
    }

    private static void assertChunkedRejected(String wire, String messagePart) {
        BodyDecoder d = chunked();
        ByteBuf in = buf(wire);
        try {
            assertThatThrownBy(() -> d.decode(in, new CodecFixtures.CollectingSink(), Integer.MAX_VALUE))
                    .isInstanceOf(HttpProtocolException.class)
                    .hasMessageStartingWith("malformed chunked body")
                    .hasMessageContaining(messagePart);
        } finally {
            in.release();
        }
    }

    @Nested
    class ContentLength {

        @Test
        void deliversExactlyTheDeclaredBytesAndLeavesTheRest() {
            BodyDecoder d = decoder(BodyDecoder.Framing.LENGTH, 5);

            assertThat(decodeAll(d, "helloHTTP/1.1 200 OK\r\n", "HTTP/1.1 200 OK\r\n"))
                    .isEqualTo("hello");
            assertThat(d.complete()).isTrue();
            assertThat(d.received()).isEqualTo(5);
            assertThat(d.endOfInput()).isNull();
        }

        @Test
        void deliversWithoutCopyingAsARangeOfTheInput() {
            BodyDecoder d = decoder(BodyDecoder.Framing.LENGTH, 3);
            ByteBuf in = buf("xyzabcdef");
            try {
                in.skipBytes(3);
                int[] range = new int[2];
                boolean done = d.decode(
                        in,
                        (buf, index, length) -> {
                            assertThat(buf).isSameAs(in);
                            range[0] = index;
                            range[1] = length;
                        },
                        Integer.MAX_VALUE);

                assertThat(done).isTrue();
                assertThat(range).containsExactly(3, 3);
                assertThat(in.readerIndex()).isEqualTo(6);
            } finally {
                in.release();
            }
        }

        @Test
        void emptyBodyIsCompleteAtOnceAndConsumesNothing() {
            BodyDecoder d = decoder(BodyDecoder.Framing.LENGTH, 0);
            assertThat(d.complete()).isTrue();

            assertThat(decodeAll(d, "NEXT", "NEXT")).isEmpty();
            assertThat(d.complete()).isTrue();
        }

        @Test
        void partialBodyIsIncompleteAndEndOfInputSaysWhatIsMissing() {
            BodyDecoder d = decoder(BodyDecoder.Framing.LENGTH, 10);

            assertThat(decodeAll(d, "abc", "")).isEqualTo("abc");
            assertThat(d.complete()).isFalse();
            assertThat(d.endOfInput()).isEqualTo("connection closed after 3 of 10 body bytes");
        }

        @Test
        void respectsMaxDataPerCall() {
            BodyDecoder d = decoder(BodyDecoder.Framing.LENGTH, 7);
            ByteBuf in = buf("abcdefgNEXT");
            try {
                CodecFixtures.CollectingSink sink = new CodecFixtures.CollectingSink();
                assertThat(d.decode(in, sink, 3)).isFalse();
                assertThat(sink.text()).isEqualTo("abc");
                assertThat(d.decode(in, sink, 3)).isFalse();
                assertThat(d.decode(in, sink, 3)).isTrue();
                assertThat(sink.text()).isEqualTo("abcdefg");
                assertThat(readable(in)).isEqualTo("NEXT");
            } finally {
                in.release();
            }
        }

        @Test
        void zeroMaxDataMakesNoProgress() {
            BodyDecoder d = decoder(BodyDecoder.Framing.LENGTH, 3);
            ByteBuf in = buf("abc");
            try {
                CodecFixtures.CollectingSink sink = new CodecFixtures.CollectingSink();
                assertThat(d.decode(in, sink, 0)).isFalse();
                assertThat(sink.calls).isZero();
                assertThat(in.readerIndex()).isZero();
            } finally {
                in.release();
            }
        }

        @Test
        void handlesLengthsBeyondIntRange() {
            BodyDecoder d = decoder(BodyDecoder.Framing.LENGTH, 5_000_000_000L);

            assertThat(decodeAll(d, "abc", "")).isEqualTo("abc");
            assertThat(d.complete()).isFalse();
            assertThat(d.endOfInput()).contains("3 of 5000000000");
        }
    }

    @Nested
    class UntilCloseAndNone {

        @Test
        void untilCloseTakesEverythingAndCompletesAtEndOfInput() {
            BodyDecoder d = decoder(BodyDecoder.Framing.UNTIL_CLOSE, -1);

            assertThat(decodeAll(d, "all\r\n0\r\n\r\nof it", "")).isEqualTo("all\r\n0\r\n\r\nof it");
            assertThat(d.complete()).isFalse();
            assertThat(d.endOfInput()).isNull();
            assertThat(d.complete()).isTrue();
            assertThat(d.received()).isEqualTo(15);
        }

        @Test
        void untilCloseRespectsMaxData() {
            BodyDecoder d = decoder(BodyDecoder.Framing.UNTIL_CLOSE, -1);
            ByteBuf in = buf("abcdef");
            try {
                CodecFixtures.CollectingSink sink = new CodecFixtures.CollectingSink();
                d.decode(in, sink, 4);
                assertThat(sink.text()).isEqualTo("abcd");
                assertThat(readable(in)).isEqualTo("ef");
            } finally {
                in.release();
            }
        }

        @Test
        void noBodyIsCompleteAndLeavesEverything() {
            BodyDecoder d = decoder(BodyDecoder.Framing.NONE, 100);

            assertThat(d.complete()).isTrue();
            assertThat(decodeAll(d, "HTTP/1.1 200 OK\r\n", "HTTP/1.1 200 OK\r\n"))
                    .isEmpty();
            assertThat(d.endOfInput()).isNull();
            assertThat(d.framing()).isEqualTo(BodyDecoder.Framing.NONE);
        }

        @Test
        void trailersAreEmptyForOtherFramings() {
            BodyDecoder d = decoder(BodyDecoder.Framing.LENGTH, 2);
            decodeAll(d, "ab", "");

            assertThat(d.trailers().size()).isZero();
        }
    }

    @Nested
    class Chunked {

        @Test
        void decodesChunksAndStopsAfterTheLastChunk() {
            BodyDecoder d = chunked();

            assertThat(decodeAll(d, "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nHTTP/1.1", "HTTP/1.1"))
                    .isEqualTo("hello world");
            assertThat(d.complete()).isTrue();
            assertThat(d.received()).isEqualTo(11);
            assertThat(d.endOfInput()).isNull();
        }

        @Test
        void acceptsHexInEitherCaseAndLeadingZeros() {
            String data = "x".repeat(0xAB);
            assertThat(decodeAll(chunked(), "aB\r\n" + data + "\r\n0\r\n\r\n", ""))
                    .isEqualTo(data);
            assertThat(decodeAll(chunked(), "00Ab\r\n" + data + "\r\n0000\r\n\r\n", ""))
                    .isEqualTo(data);
        }

        @Test
        void ignoresChunkExtensionsAndWhitespaceBeforeThem() {
            String wire = "5;a=b\r\nhello\r\n1 ;x\r\n!\r\n2\t;q=\"a;b\\\"c\"\r\nok\r\n3 \r\nend\r\n0;z\r\n\r\n";

            assertThat(decodeAll(chunked(), wire, "")).isEqualTo("hello!okend");
        }

        @Test
        void quotedExtensionValuesMayHoldSemicolonsAndEscapedQuotes() {
            assertThat(decodeAll(chunked(), "3;a=\"x;\\\";y\";b\r\nabc\r\n0;q=\"\\\\\"\r\n\r\n", ""))
                    .isEqualTo("abc");
        }

        @Test
        void payloadMayContainCrlfAndDigits() {
            assertThat(decodeAll(chunked(), "7\r\n0\r\n\r\n\r\n\r\n0\r\n\r\n", ""))
                    .isEqualTo("0\r\n\r\n\r\n");
        }

        @Test
        void respectsMaxDataAcrossChunks() {
            BodyDecoder d = chunked();
            ByteBuf in = buf("4\r\nabcd\r\n4\r\nefgh\r\n0\r\n\r\nNEXT");
            try {
                CodecFixtures.CollectingSink sink = new CodecFixtures.CollectingSink();
                StringBuilder perCall = new StringBuilder();
                boolean done = false;
                for (int calls = 0; !done && calls < 10; calls++) {
                    int before = sink.data.size();
                    done = d.decode(in, sink, 3);
                    int got = sink.data.size() - before;
                    assertThat(got).as("bytes handed over in one call").isLessThanOrEqualTo(3);
                    perCall.append(got);
                }
                assertThat(done).isTrue();
                assertThat(sink.text()).isEqualTo("abcdefgh");
                assertThat(perCall.toString()).isEqualTo("332");
                assertThat(readable(in)).isEqualTo("NEXT");
            } finally {
                in.release();
            }
        }

        @Test
        void endOfInputInTheMiddleIsAnError() {
            BodyDecoder d = chunked();
            decodeAll(d, "5\r\nhel", "");

            assertThat(d.complete()).isFalse();
            assertThat(d.endOfInput()).isEqualTo("connection closed in the middle of a chunked body after 3 bytes");
        }

        @ParameterizedTest
        @ValueSource(
                strings = {"", "5", "5\r", "5\r\nhello", "5\r\nhello\r", "5\r\nhello\r\n", "0\r\n", "0\r\nX: y\r\n"})
        void endOfInputBeforeTheLastChunkEndsIsAnError(String wire) {
            BodyDecoder d = chunked();
            decodeAll(d, wire, "");

            assertThat(d.complete()).isFalse();
            assertThat(d.endOfInput()).contains("in the middle of a chunked body");
        }

        @Test
        void decoderCanBeRestartedForTheNextResponse() {
            BodyDecoder d = chunked();
            decodeAll(d, "2\r\nab\r\n0\r\nX-T: 1\r\n\r\n", "");
            assertThat(d.trailers().first("X-T")).isEqualTo("1");

            d.start(BodyDecoder.Framing.CHUNKED, -1);
            assertThat(d.complete()).isFalse();
            assertThat(d.trailers().size()).isZero();
            assertThat(d.received()).isZero();
            assertThat(decodeAll(d, "1\r\nz\r\n0\r\n\r\n", "")).isEqualTo("z");
            assertThat(d.trailers().size()).isZero();
        }

        @Test
        void restartAfterAnIncompleteSizeLineStartsClean() {
            BodyDecoder d = chunked();
            decodeAll(d, "ff", "");

            d.start(BodyDecoder.Framing.CHUNKED, -1);
            assertThat(decodeAll(d, "1\r\nq\r\n0\r\n\r\n", "")).isEqualTo("q");
            assertThat(d.complete()).isTrue();
        }
    }

    @Nested
    class ChunkedErrors {

        @ParameterizedTest
        @ValueSource(strings = {"g\r\n", "\r\n", " 5\r\n", "-5\r\n", "+5\r\n", ";a\r\n", "\u00e9\r\n", "0x5\r\n"})
        void rejectsSizeLineWithoutLeadingHexDigit(String wire) {
            assertChunkedRejected(wire, "");
        }

        @Test
        void namesTheInvalidSizeCharacter() {
            assertChunkedRejected("g\r\n", "invalid chunk size: expected a hex digit, found 'g'");
            assertChunkedRejected("5g\r\nhello\r\n", "invalid character 'g' in chunk size");
            assertChunkedRejected("5 5\r\nhello\r\n", "invalid character '5' in chunk size");
        }

        @Test
        void rejectsCrWithoutLfAfterSize() {
            assertChunkedRejected("5\rhello\r\n", "CR without LF");
        }

        /** Each place in the chunked framing where a CR must be followed by LF (RFC 9112 2.2 and 7.1). */
        static Stream<Arguments> bareCrs() {
            return Stream.of(
                    Arguments.of("in a chunk extension", "5;a\rb\r\nhello\r\n0\r\n\r\n", "CR without LF"),
                    Arguments.of("ending an extension", "5;a\r\r\nhello\r\n0\r\n\r\n", "CR without LF"),
                    Arguments.of(
                            "in a quoted extension value",
                            "5;a=\"b\rc\"\r\nhello\r\n0\r\n\r\n",
                            "CR (0x0d) inside a quoted string"),
                    Arguments.of("after the size", "5\r\r\nhello\r\n0\r\n\r\n", "CR without LF"),
                    Arguments.of("in whitespace after the size", "5 \r \r\nhello\r\n0\r\n\r\n", "CR without LF"),
                    Arguments.of("after chunk data", "5\r\nhello\r\r\n0\r\n\r\n", "CR without LF"),
                    Arguments.of("in the last chunk's extension", "0;x\ry\r\n\r\n", "CR without LF"),
                    Arguments.of(
                            "in a trailer value", "0\r\nX-A: 1\rX-B: 2\r\n\r\n", "trailer section has CR without LF"),
                    Arguments.of("before a trailer name", "0\r\n\rX-A: 1\r\n\r\n", "trailer section has CR without LF"),
                    Arguments.of(
                            "in the empty line ending the trailers",
                            "0\r\nX-A: 1\r\n\r\r\n",
                            "trailer section has CR without LF"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("bareCrs")
        void rejectsABareCr(String where, String wire, String messagePart) {
            assertChunkedRejected(wire, messagePart);
            assertChunkedRejectedByteByByte(wire, messagePart);
        }

        /**
         * A chunk-size line or the end of a chunk's data ended by LF alone: RFC 9112 7.1 requires CRLF there,
         * and parsers that disagree on it can be made to see different chunks (request and response smuggling,
         * the 2025 "funky chunks" CVEs in Go, Netty and Kestrel).
         */
        static Stream<Arguments> bareLfs() {
            return Stream.of(
                    Arguments.of("ending the size line", "3\nabc\r\n0\r\n\r\n", "bare LF"),
                    Arguments.of("ending whitespace after the size", "3 \nabc\r\n0\r\n\r\n", "bare LF"),
                    Arguments.of("ending an extension", "3;e=1\nabc\r\n0\r\n\r\n", "bare LF"),
                    Arguments.of(
                            "in a quoted extension value",
                            "3;e=\"a\nb\"\r\nabc\r\n0\r\n\r\n",
                            "LF (0x0a) inside a quoted string"),
                    Arguments.of("after chunk data", "3\r\nabc\n0\r\n\r\n", "not followed by CRLF (found LF (0x0a))"),
                    Arguments.of("ending the last chunk", "3\r\nabc\r\n0\n\r\n", "bare LF"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("bareLfs")
        void rejectsABareLfInChunkFraming(String where, String wire, String messagePart) {
            assertChunkedRejected(wire, messagePart);
            assertChunkedRejectedByteByByte(wire, messagePart);
        }

        @Test
        void rejectsAQuotedExtensionStillOpenAtTheEndOfTheLine() {
            // A parser that let the string run on would take "hello..." as part of the extension.
            assertChunkedRejected("5;a=\"x\r\nhello\r\n0\r\n\r\n", "must close before the line ends");
        }

        @Test
        void rejectsAnEscapedControlCharacterInAQuotedExtension() {
            assertChunkedRejected("5;a=\"\\\u0001\"\r\nhello\r\n", "escapes an illegal character control 0x01");
            assertChunkedRejected("5;a=\"\u007f\"\r\nhello\r\n", "illegal character control 0x7f in a quoted string");
        }

        @Test
        void rejectsControlCharacterInExtension() {
            assertChunkedRejected("5;a=\u0000\r\nhello\r\n", "NUL (0x00)");
            assertChunkedRejected("5;a=\u0001\r\nhello\r\n", "illegal character");
        }

        @Test
        void rejectsDataNotFollowedByCrlf() {
            assertChunkedRejected("3\r\nabcX\r\n0\r\n\r\n", "not followed by CRLF (found 'X')");
            assertChunkedRejected("3\r\nabcd\r\n0\r\n\r\n", "not followed by CRLF");
        }

        @Test
        void rejectsDataFollowedByCrWithoutLf() {
            assertChunkedRejected("3\r\nabc\rX0\r\n\r\n", "CR without LF");
        }

        @Test
        void rejectsChunkSizeThatOverflowsALong() {
            assertChunkedRejected("10000000000000000\r\n", "too large");
            assertChunkedRejected("ffffffffffffffff\r\n", "too large");
            assertChunkedRejected("8000000000000000\r\n", "too large");
        }

        @Test
        void acceptsTheLargestChunkSizeAndWaitsForItsData() {
            BodyDecoder d = chunked();
            assertThat(decodeAll(d, "7fffffffffffffff\r\nabc", "")).isEqualTo("abc");

            assertThat(d.complete()).isFalse();
            assertThat(d.received()).isEqualTo(3);
        }

        @Test
        void leadingZerosDoNotCountAsOverflow() {
            assertThat(decodeAll(chunked(), "0".repeat(100) + "1\r\nz\r\n0\r\n\r\n", ""))
                    .isEqualTo("z");
        }

        @Test
        void acceptsSizeLineOfExactlyTheLimit() {
            // 4096 bytes counting the CRLF: "1;" + extension + "\r\n".
            String line = "1;" + "e".repeat(4096 - 4) + "\r\n";
            assertThat(line).hasSize(4096);

            assertThat(decodeAll(chunked(), line + "z\r\n0\r\n\r\n", "")).isEqualTo("z");
        }

        @Test
        void rejectsOverlongSizeLine() {
            assertChunkedRejected("1;" + "e".repeat(4096 - 3) + "\r\nz\r\n0\r\n\r\n", "longer than 4096 bytes");
            assertChunkedRejected("0".repeat(5000) + "1\r\nz\r\n", "longer than 4096 bytes");
        }

        @Test
        void overlongSizeLineIsRejectedEvenWhenFedByteByByte() {
            BodyDecoder d = chunked();
            ByteBuf in = CodecFixtures.tracked(64);
            try {
                in.writeCharSequence("5;", StandardCharsets.ISO_8859_1);
                d.decode(in, new CodecFixtures.CollectingSink(), Integer.MAX_VALUE);
                assertThatThrownBy(() -> {
                            for (int i = 0; i < 5000; i++) {
                                in.writeByte('x');
                                d.decode(in, new CodecFixtures.CollectingSink(), Integer.MAX_VALUE);
                            }
                        })
                        .isInstanceOf(HttpProtocolException.class)
                        .hasMessageContaining("longer than 4096 bytes");
            } finally {
                in.release();
            }
        }
    }

    @Nested
    class Trailers {

        @Test
        void parsesTrailerFieldsIntoHeaders() {
            BodyDecoder d = chunked();

            decodeAll(d, "2\r\nab\r\n0\r\nX-Checksum: abc\r\nx-multi: 1\r\nX-MULTI:  2 \r\n\r\nNEXT", "NEXT");

            assertThat(d.complete()).isTrue();
            assertThat(fields(d.trailers())).containsExactly("X-Checksum: abc", "x-multi: 1", "X-MULTI: 2");
            assertThat(d.trailers().first("x-checksum")).isEqualTo("abc");
            assertThat(d.trailers().all("X-Multi")).containsExactly("1", "2");
        }

        @Test
        void trailerFieldLinesMayEndWithABareLfAsHeadFieldsMay() {
            BodyDecoder d = chunked();
            decodeAll(d, "0\r\nA: 1\nB: 2\n\n", "");

            assertThat(fields(d.trailers())).containsExactly("A: 1", "B: 2");
        }

        @Test
        void trailersAreEmptyUntilTheBodyCompletes() {
            BodyDecoder d = chunked();
            decodeAll(d, "0\r\nX-A: 1\r\n", "");

            assertThat(d.complete()).isFalse();
            assertThat(d.trailers().size()).isZero();
        }

        @Test
        void keepsObsTextInTrailerValues() {
            BodyDecoder d = chunked();
            decodeAll(d, "0\r\nX-L: caf\u00e9\r\n\r\n", "");

            assertThat(d.trailers().first("X-L")).isEqualTo("caf\u00e9");
        }

        @ParameterizedTest
        @ValueSource(strings = {" folded: x", "NoColon", "X : y", "X: a\u0000b", ": empty"})
        void rejectsMalformedTrailerFields(String line) {
            assertChunkedRejected("0\r\nX-A: 1\r\n" + line + "\r\n\r\n", "bad trailer");
        }

        @Test
        void acceptsTrailerSectionOfExactlyTheLimit() {
            BodyDecoder d = new BodyDecoder(256);
            d.start(BodyDecoder.Framing.CHUNKED, -1);
            String trailer = "X-Pad: " + "p".repeat(256 - 7 - 4) + "\r\n\r\n";
            assertThat(trailer).hasSize(256);

            decodeAll(d, "0\r\n" + trailer + "NEXT", "NEXT");

            assertThat(d.complete()).isTrue();
            assertThat(d.trailers().first("X-Pad")).hasSize(256 - 7 - 4);
        }

        @Test
        void rejectsTrailerSectionOverTheLimitNamingIt() {
            BodyDecoder d = new BodyDecoder(256);
            d.start(BodyDecoder.Framing.CHUNKED, -1);
            ByteBuf in = buf("0\r\nX-Pad: " + "p".repeat(256 - 7 - 4 + 1) + "\r\n\r\n");
            try {
                assertThatThrownBy(() -> d.decode(in, new CodecFixtures.CollectingSink(), Integer.MAX_VALUE))
                        .isInstanceOf(HttpProtocolException.class)
                        .hasMessageContaining("trailer section exceeds the limit of 256 bytes");
            } finally {
                in.release();
            }
        }

        @Test
        void rejectsEndlessTrailerWithoutItsEmptyLine() {
            BodyDecoder d = new BodyDecoder(256);
            d.start(BodyDecoder.Framing.CHUNKED, -1);
            ByteBuf in = buf("0\r\n" + "X: y\r\n".repeat(100));
            try {
                assertThatThrownBy(() -> d.decode(in, new CodecFixtures.CollectingSink(), Integer.MAX_VALUE))
                        .isInstanceOf(HttpProtocolException.class)
                        .hasMessageContaining("limit of 256 bytes");
            } finally {
                in.release();
            }
        }

        @Test
        void smallTrailerLimitIsEnforcedExactly() {
            BodyDecoder d = new BodyDecoder(16);
            d.start(BodyDecoder.Framing.CHUNKED, -1);
            String trailer = "X: 1234567890\r\n\r\n";
            assertThat(trailer).hasSize(17);
            ByteBuf in = buf("0\r\n" + trailer);
            try {
                assertThatThrownBy(() -> d.decode(in, new CodecFixtures.CollectingSink(), Integer.MAX_VALUE))
                        .isInstanceOf(HttpProtocolException.class)
                        .hasMessageContaining("limit of 16 bytes");
            } finally {
                in.release();
            }
        }
    }
}
