package io.aioduct.http1;

import static io.aioduct.http1.CodecFixtures.MAX_HEAD;
import static io.aioduct.http1.CodecFixtures.assertHeadRejected;
import static io.aioduct.http1.CodecFixtures.buf;
import static io.aioduct.http1.CodecFixtures.fields;
import static io.aioduct.http1.CodecFixtures.parseHead;
import static io.aioduct.http1.CodecFixtures.parsed;
import static io.aioduct.http1.CodecFixtures.readable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.HttpProtocolException;
import io.aioduct.HttpVersion;
import io.aioduct.testing.LeakRecordingDetector;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The response head parser: status line, header fields, framing headers, limits, partial input. */
class ResponseParserTest {

    @BeforeAll
    static void forgetEarlierLeaks() {
        LeakRecordingDetector.collectLeaks();
    }

    @AfterAll
    static void nothingLeaked() {
        CodecFixtures.assertNoLeaks();
    }

    @Nested
    class StatusLine {

        @Test
        void parsesHttp11StatusLineWithReasonPhrase() {
            CodecFixtures.Head head = parseHead("HTTP/1.1 200 OK\r\n\r\n");

            assertThat(head.status()).isEqualTo(200);
            assertThat(head.reason()).isEqualTo("OK");
            assertThat(head.version()).isEqualTo(HttpVersion.HTTP_1_1);
            assertThat(head.fields()).isEmpty();
        }

        @Test
        void keepsTheReasonPhraseTheServerSentNotTheStandardOne() {
            CodecFixtures.Head head = parseHead("HTTP/1.1 500 Server Error\r\nX-A: 1\r\n\r\n");

            assertThat(head.status()).isEqualTo(500);
            assertThat(head.reason()).isEqualTo("Server Error");
            assertThat(head.fields()).containsExactly("X-A: 1");
        }

        @Test
        void parsesHttp10StatusLine() {
            CodecFixtures.Head head = parseHead("HTTP/1.0 404 Not Found\r\n\r\n");

            assertThat(head.status()).isEqualTo(404);
            assertThat(head.reason()).isEqualTo("Not Found");
            assertThat(head.version()).isEqualTo(HttpVersion.HTTP_1_0);
        }

        @Test
        void acceptsReasonPhraseWithSpacesTabsAndObsText() {
            CodecFixtures.Head head = parseHead("HTTP/1.1 503 Service \tUnavailable caf\u00e9 \u00ff\r\n\r\n");

            assertThat(head.status()).isEqualTo(503);
            assertThat(head.reason()).isEqualTo("Service \tUnavailable caf\u00e9 \u00ff");
        }

        @Test
        void acceptsEmptyReasonPhrase() {
            CodecFixtures.Head head = parseHead("HTTP/1.1 204 \r\n\r\n");

            assertThat(head.status()).isEqualTo(204);
            assertThat(head.reason()).isEmpty();
        }

        @Test
        void acceptsAbsentReasonPhrase() {
            CodecFixtures.Head head = parseHead("HTTP/1.1 200\r\nX-A: 1\r\n\r\n");

            assertThat(head.status()).isEqualTo(200);
            assertThat(head.reason()).isEmpty();
            assertThat(head.fields()).containsExactly("X-A: 1");
        }

        @ParameterizedTest
        @ValueSource(ints = {100, 101, 103, 199, 200, 299, 301, 418, 499, 555, 599, 600, 929, 999})
        void acceptsAnyThreeDigitStatusFrom100(int code) {
            assertThat(parseHead("HTTP/1.1 " + code + " Whatever\r\n\r\n").status())
                    .isEqualTo(code);
        }

        @ParameterizedTest
        @ValueSource(strings = {"000", "001", "042", "099"})
        void rejectsStatusCodeBelow100(String code) {
            assertHeadRejected("HTTP/1.1 " + code + " Low\r\n\r\n").hasMessageContaining("below 100");
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "HTTP/1.1 2x0 OK",
                    "HTTP/1.1 -20 OK",
                    "HTTP/1.1 20 OK",
                    "HTTP/1.1 +20 OK",
                    "HTTP/1.1 OK 200",
                    "HTTP/1.1 2O0 OK",
                })
        void rejectsNonDigitStatusCode(String statusLine) {
            assertHeadRejected(statusLine + "\r\n\r\n").hasMessageContaining("status");
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "HTTP/1.1 2000 OK",
                    "HTTP/1.1  200 OK",
                    "HTTP/1.1\t200 OK",
                    "HTTP/1.1 200\tOK",
                    "HTTP/1.1 200x",
                    "HTTP/1.1 20",
                    "HTTP/1.1",
                    "HTTP/1.1 ",
                })
        void rejectsMalformedStatusLineLayout(String statusLine) {
            assertHeadRejected(statusLine + "\r\n\r\n").hasMessageContaining("status");
        }

        @ParameterizedTest
        @ValueSource(
                strings = {"HTTP/2 200 OK", "HTTP/2.0 200 OK", "HTTP/1.2 200 OK", "HTTP/0.9 200 OK", "HTTP/3.0 200"})
        void rejectsUnsupportedHttpVersion(String statusLine) {
            assertHeadRejected(statusLine + "\r\n\r\n").hasMessageContaining("unsupported HTTP version");
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "http/1.1 200 OK",
                    "Http/1.1 200 OK",
                    "HTTPS/1.1 200 OK",
                    "ICY 200 OK",
                    "garbage",
                    "<html><body>hello</body></html>",
                    "200 OK",
                    " HTTP/1.1 200 OK",
                })
        void rejectsGarbageAndLowercaseProtocolName(String statusLine) {
            assertHeadRejected(statusLine + "\r\n\r\n").hasMessageContaining("malformed status line");
        }

        @Test
        void rejectsBinaryGarbage() {
            assertHeadRejected("\u0000\u0001\u0002\u00ff\u00fe\r\n\r\n").hasMessageContaining("malformed status line");
        }

        @Test
        void errorMessageShowsTheStatusLineWithControlsEscaped() {
            assertHeadRejected("HTTP/1.1 2\u00010 OK\r\n\r\n").hasMessageContaining("HTTP/1.1 2\\x010 OK");
        }

        @ParameterizedTest
        @ValueSource(strings = {"\u0000", "\u0001", "\u001f", "\u007f", "\r", "\n\u0000"})
        void rejectsControlCharacterInReasonPhrase(String control) {
            // "\n\u0000" ends the status line early: the NUL then starts a malformed header line.
            assertHeadRejected("HTTP/1.1 200 O" + control + "K\r\n\r\n").isInstanceOf(HttpProtocolException.class);
        }

        @Test
        void namesTheIllegalReasonPhraseCharacter() {
            assertHeadRejected("HTTP/1.1 200 O\u0000K\r\n\r\n").hasMessageContaining("NUL (0x00)");
        }

        @ParameterizedTest
        @ValueSource(strings = {"\r\n", "\n", "\r\n\r\n", "\n\r\n\n", "\r\n\r\n\r\n\r\n"})
        void skipsLeadingBlankLines(String blankLines) {
            ResponseParser parser = new ResponseParser(MAX_HEAD);
            ByteBuf in = buf(blankLines + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
            try {
                assertThat(parser.parse(in)).isTrue();
                assertThat(parser.status).isEqualTo(200);
                assertThat(parser.contentLength).isEqualTo(2);
                assertThat(readable(in)).isEqualTo("hi");
            } finally {
                in.release();
            }
        }

        @Test
        void leadingCrlfSplitBetweenCrAndLfIsStillSkipped() {
            ResponseParser parser = new ResponseParser(MAX_HEAD);
            ByteBuf in = CodecFixtures.tracked(64);
            try {
                in.writeCharSequence("\r", StandardCharsets.ISO_8859_1);
                assertThat(parser.parse(in)).isFalse();
                in.writeCharSequence("\nHTTP/1.1 200 OK\r\n\r\n", StandardCharsets.ISO_8859_1);

                assertThat(parser.parse(in)).isTrue();
                assertThat(parser.status).isEqualTo(200);
            } finally {
                in.release();
            }
        }

        @Test
        void leadingBlankLineLimitDoesNotDependOnPacketization() {
            String wire = "\n\n\n\n\n\nHTTP/1.1 200 OK\r\n\r\n";
            Boolean atOnce = acceptedAtOnce(wire);
            Boolean byteByByte = acceptedByteByByte(wire);

            assertThat(byteByByte)
                    .as("accepted when fed byte by byte, compared with all at once")
                    .isEqualTo(atOnce);
        }

        private static boolean acceptedAtOnce(String wire) {
            ResponseParser parser = new ResponseParser(MAX_HEAD);
            ByteBuf in = buf(wire);
            try {
                return parser.parse(in);
            } catch (HttpProtocolException e) {
                return false;
            } finally {
                in.release();
            }
        }

        private static boolean acceptedByteByByte(String wire) {
            ResponseParser parser = new ResponseParser(MAX_HEAD);
            ByteBuf in = CodecFixtures.tracked(64);
            try {
                for (int i = 0; i < wire.length(); i++) {
                    in.writeByte(wire.charAt(i));
                    if (parser.parse(in)) {
                        return true;
                    }
                }
                return false;
            } catch (HttpProtocolException e) {
                return false;
            } finally {
                in.release();
            }
        }
    }

    @Nested
    class Fields {

        @Test
        void parsesFieldsInOrder() {
            CodecFixtures.Head head =
                    parseHead("HTTP/1.1 200 OK\r\nDate: Tue, 01 Jan 2030 00:00:00 GMT\r\nContent-Type: text/plain\r\n"
                            + "X-Request-Id: abc-123\r\n\r\n");

            assertThat(head.fields())
                    .containsExactly(
                            "Date: Tue, 01 Jan 2030 00:00:00 GMT", "Content-Type: text/plain", "X-Request-Id: abc-123");
        }

        @Test
        void keepsDuplicateNamesInOrder() {
            ResponseParser p = parsed(
                    "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nX-Other: z\r\nset-cookie: b=2\r\nSET-COOKIE: c=3\r\n\r\n");

            assertThat(p.headers.size()).isEqualTo(4);
            assertThat(p.headers.all("Set-Cookie")).containsExactly("a=1", "b=2", "c=3");
            assertThat(p.headers.name(2)).isEqualTo("set-cookie");
            assertThat(p.headers.first("set-COOKIE")).isEqualTo("a=1");
        }

        @Test
        void looksUpNamesCaseInsensitively() {
            ResponseParser p = parsed("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-MiXeD-CaSe: v\r\n\r\n");

            assertThat(p.headers.first("content-type")).isEqualTo("text/html");
            assertThat(p.headers.first("CONTENT-TYPE")).isEqualTo("text/html");
            assertThat(p.headers.all("x-mixed-case")).containsExactly("v");
            assertThat(p.headers.contains("X-MIXED-CASE")).isTrue();
            assertThat(p.headers.name(1)).as("spelling as received").isEqualTo("X-MiXeD-CaSe");
        }

        @Test
        void absentNamesAreNullEmptyAndNotContained() {
            ResponseParser p = parsed("HTTP/1.1 200 OK\r\nX-A: 1\r\n\r\n");

            assertThat(p.headers.first("X-B")).isNull();
            assertThat(p.headers.all("X-B")).isEmpty();
            assertThat(p.headers.contains("X-B")).isFalse();
            assertThat(p.headers.contains("X-")).as("a prefix is not a match").isFalse();
            assertThat(p.headers.contains("X-AA")).isFalse();
        }

        @Test
        void trimsLeadingAndTrailingWhitespaceFromValues() {
            CodecFixtures.Head head = parseHead(
                    "HTTP/1.1 200 OK\r\nA:   spaced  \r\nB:\t\ttabbed\t \r\nC:tight\r\nD:  in  side  \r\n\r\n");

            assertThat(head.fields()).containsExactly("A: spaced", "B: tabbed", "C: tight", "D: in  side");
        }

        @Test
        void acceptsEmptyValues() {
            ResponseParser p = parsed("HTTP/1.1 200 OK\r\nX-Empty:\r\nX-Blank:   \t \r\n\r\n");

            assertThat(p.headers.first("X-Empty")).isEmpty();
            assertThat(p.headers.first("X-Blank")).isEmpty();
            assertThat(p.headers.contains("X-Empty")).isTrue();
        }

        @Test
        void keepsObsTextAsIso88591() {
            ResponseParser p =
                    parsed("HTTP/1.1 200 OK\r\nX-Latin: caf\u00e9 \u00ff\u0080\u00a0end\r\nX-Next: ok\r\n\r\n");

            assertThat(p.headers.first("X-Latin")).isEqualTo("caf\u00e9 \u00ff\u0080\u00a0end");
            assertThat(p.headers.first("X-Next")).isEqualTo("ok");
        }

        @Test
        void keepsColonsAndTabsInsideValues() {
            ResponseParser p = parsed("HTTP/1.1 302 Found\r\nLocation: http://h:8080/a?b=c:d\r\nX-T: a\tb\r\n\r\n");

            assertThat(p.headers.first("Location")).isEqualTo("http://h:8080/a?b=c:d");
            assertThat(p.headers.first("X-T")).isEqualTo("a\tb");
        }

        @Test
        void acceptsEveryTokenCharacterInNames() {
            String name = "!#$%&'*+-.^_`|~09azAZ";
            ResponseParser p = parsed("HTTP/1.1 200 OK\r\n" + name + ": v\r\n\r\n");

            assertThat(p.headers.name(0)).isEqualTo(name);
            assertThat(p.headers.first(name)).isEqualTo("v");
        }

        @Test
        void acceptsBareLfLineEndings() {
            CodecFixtures.Head head = parseHead("HTTP/1.1 200 OK\nA: 1\nContent-Length: 3\n\n");

            assertThat(head.status()).isEqualTo(200);
            assertThat(head.fields()).containsExactly("A: 1", "Content-Length: 3");
            assertThat(head.contentLength()).isEqualTo(3);
        }

        @Test
        void acceptsMixedLineEndings() {
            CodecFixtures.Head head = parseHead("HTTP/1.1 200 OK\nA: 1\r\nB: 2\n\r\n");

            assertThat(head.fields()).containsExactly("A: 1", "B: 2");
        }

        @Test
        void handlesManyFields() {
            StringBuilder sb = new StringBuilder("HTTP/1.1 200 OK\r\n");
            for (int i = 0; i < 200; i++) {
                sb.append("X-Field-").append(i).append(": value-").append(i).append("\r\n");
            }
            ResponseParser p = parsed(sb.append("\r\n").toString());

            assertThat(p.headers.size()).isEqualTo(200);
            for (int i = 0; i < 200; i++) {
                assertThat(p.headers.name(i)).isEqualTo("X-Field-" + i);
                assertThat(p.headers.value(i)).isEqualTo("value-" + i);
            }
            assertThat(p.headers.first("x-field-199")).isEqualTo("value-199");
        }

        @ParameterizedTest
        @ValueSource(strings = {"X-A : b", "X-A\t: b", "X A: b", "Content-Length : 5"})
        void rejectsWhitespaceInOrBeforeColon(String line) {
            assertHeadRejected("HTTP/1.1 200 OK\r\n" + line + "\r\n\r\n").hasMessageContaining("whitespace");
        }

        @ParameterizedTest
        @ValueSource(strings = {"NoColonHere", "X-A", "X-A=b"})
        void rejectsLineWithoutColon(String line) {
            assertHeadRejected("HTTP/1.1 200 OK\r\n" + line + "\r\n\r\n").isInstanceOf(HttpProtocolException.class);
        }

        @Test
        void namesMissingColon() {
            assertHeadRejected("HTTP/1.1 200 OK\r\nNoColonHere\r\n\r\n").hasMessageContaining("no colon");
        }

        @ParameterizedTest
        @ValueSource(strings = {": value", ":"})
        void rejectsEmptyName(String line) {
            assertHeadRejected("HTTP/1.1 200 OK\r\n" + line + "\r\n\r\n").hasMessageContaining("empty name");
        }

        @ParameterizedTest
        @ValueSource(strings = {" folded", "\tfolded", " ", "  X-B: c"})
        void rejectsObsoleteLineFolding(String continuation) {
            assertHeadRejected("HTTP/1.1 200 OK\r\nX-A: b\r\n" + continuation + "\r\n\r\n")
                    .hasMessageContaining("obsolete line folding");
        }

        @Test
        void rejectsWhitespaceBeforeTheFirstField() {
            assertHeadRejected("HTTP/1.1 200 OK\r\n X-A: b\r\n\r\n").hasMessageContaining("obsolete line folding");
        }

        @ParameterizedTest
        @ValueSource(strings = {"\u0000", "\u0001", "\u0008", "\u000b", "\u000c", "\u001b", "\u001f", "\u007f", "\r"})
        void rejectsControlCharactersInValues(String control) {
            assertHeadRejected("HTTP/1.1 200 OK\r\nX-A: a" + control + "b\r\n\r\n")
                    .hasMessageContaining("X-A")
                    .hasMessageContaining("in its value");
        }

        @Test
        void rejectsCrBeforeCrlf() {
            assertHeadRejected("HTTP/1.1 200 OK\r\nX-A: ab\r\r\n\r\n").hasMessageContaining("CR (0x0d)");
        }

        @Test
        void namesNulInValue() {
            assertHeadRejected("HTTP/1.1 200 OK\r\nX-A: a\u0000b\r\n\r\n").hasMessageContaining("NUL (0x00)");
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "X(A)",
                    "X@A",
                    "X/A",
                    "X\"A\"",
                    "X[A]",
                    "{X}",
                    "X,A",
                    "X;A",
                    "X=A",
                    "X?A",
                    "X\\A",
                    "X<A>",
                    "\u00e9-Header",
                    "X\u0080",
                    "X\u0000A",
                    "X\u007fA"
                })
        void rejectsIllegalCharactersInNames(String name) {
            assertHeadRejected("HTTP/1.1 200 OK\r\n" + name + ": v\r\n\r\n").hasMessageContaining("header name");
        }

        @Test
        void rejectsBareCrInsideHeaderName() {
            assertHeadRejected("HTTP/1.1 200 OK\r\nX-A\rB: v\r\n\r\n").hasMessageContaining("CR (0x0d)");
        }
    }

    @Nested
    class Limits {

        private String headOfLength(int length) {
            String start = "HTTP/1.1 200 OK\r\nX-Pad: ";
            String end = "\r\n\r\n";
            return start + "p".repeat(length - start.length() - end.length()) + end;
        }

        @Test
        void acceptsHeadOfExactlyTheLimit() {
            String head = headOfLength(256);
            assertThat(head).hasSize(256);
            ResponseParser parser = new ResponseParser(256);
            ByteBuf in = buf(head);
            try {
                assertThat(parser.parse(in)).isTrue();
                assertThat(in.isReadable()).isFalse();
            } finally {
                in.release();
            }
        }

        @Test
        void rejectsCompleteHeadOverTheLimitNamingIt() {
            assertHeadRejected(headOfLength(257), 256)
                    .hasMessageContaining("257 bytes")
                    .hasMessageContaining("limit of 256 bytes");
        }

        @Test
        void rejectsIncompleteHeadOnceItPassesTheLimit() {
            ResponseParser parser = new ResponseParser(256);
            ByteBuf in = CodecFixtures.tracked(64);
            try {
                in.writeCharSequence("HTTP/1.1 200 OK\r\nX-Pad: ", StandardCharsets.ISO_8859_1);
                while (in.readableBytes() < 256) {
                    assertThat(parser.parse(in)).isFalse();
                    in.writeByte('p');
                }
                assertThat(parser.parse(in)).as("exactly 256 bytes, no end yet").isFalse();
                in.writeByte('p');

                assertThatThrownBy(() -> parser.parse(in))
                        .isInstanceOf(HttpProtocolException.class)
                        .hasMessageContaining("limit of 256 bytes");
            } finally {
                in.release();
            }
        }

        @Test
        void rejectsIncompleteHeadArrivingInOneLargeRead() {
            assertHeadRejected("HTTP/1.1 200 OK\r\nX-Pad: " + "p".repeat(1000), 256)
                    .hasMessageContaining("limit of 256 bytes");
        }

        @Test
        void incompleteHeadWithinTheLimitAsksForMore() {
            ResponseParser parser = new ResponseParser(256);
            ByteBuf in = buf("HTTP/1.1 200 OK\r\nX-Pad: " + "p".repeat(200));
            try {
                assertThat(parser.parse(in)).isFalse();
                assertThat(in.readerIndex()).isZero();
            } finally {
                in.release();
            }
        }

        @Test
        void bodyBytesAfterTheHeadDoNotCountTowardsTheLimit() {
            ResponseParser parser = new ResponseParser(256);
            ByteBuf in = buf("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + "b".repeat(1000));
            try {
                assertThat(parser.parse(in)).isTrue();
                assertThat(in.readableBytes()).isEqualTo(1000);
            } finally {
                in.release();
            }
        }
    }

    @Nested
    class Framing {

        @Test
        void noFramingHeadersMeansUnknownLength() {
            CodecFixtures.Head head = parseHead("HTTP/1.1 200 OK\r\n\r\n");

            assertThat(head.contentLength()).isEqualTo(-1);
            assertThat(head.chunked()).isFalse();
            assertThat(head.connectionClose()).isFalse();
            assertThat(head.keepAlive()).isFalse();
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "Content-Length: 42",
                    "content-length: 42",
                    "CONTENT-LENGTH:42",
                    "Content-Length:   42  ",
                    "Content-Length: 42, 42",
                    "Content-Length: 42,42,42",
                    "Content-Length: 042",
                })
        void parsesContentLength(String line) {
            assertThat(parseHead("HTTP/1.1 200 OK\r\n" + line + "\r\n\r\n").contentLength())
                    .isEqualTo(42);
        }

        @Test
        void parsesZeroAndLargeContentLengths() {
            assertThat(parseHead("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").contentLength())
                    .isZero();
            assertThat(parseHead("HTTP/1.1 200 OK\r\nContent-Length: 1099511627776\r\n\r\n")
                            .contentLength())
                    .isEqualTo(1L << 40);
            assertThat(parseHead("HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775799\r\n\r\n")
                            .contentLength())
                    .isEqualTo(9223372036854775799L);
        }

        @Test
        void acceptsListOfIdenticalContentLengths() {
            assertThat(parseHead("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n")
                            .contentLength())
                    .isEqualTo(5);
        }

        @Test
        void rejectsListOfDifferentContentLengths() {
            assertHeadRejected("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n")
                    .hasMessageContaining("two different Content-Length values: 5 and 6");
        }

        @Test
        void rejectsTwoDifferentContentLengthHeaders() {
            assertHeadRejected("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n")
                    .hasMessageContaining("two different Content-Length values: 5 and 6");
        }

        @Test
        void acceptsIdenticalDuplicateContentLengthHeaders() {
            ResponseParser p = parsed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\n");

            assertThat(p.contentLength).isEqualTo(5);
            assertThat(p.headers.all("Content-Length")).containsExactly("5", "5");
        }

        @Test
        void rejectsZeroThenNonZeroContentLength() {
            assertHeadRejected("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nContent-Length: 7\r\n\r\n")
                    .hasMessageContaining("two different Content-Length values");
        }

        @ParameterizedTest
        @ValueSource(strings = {"abc", "5a", "-1", "+5", "0x10", "5.0", "5 5", "\u00b9", "five"})
        void rejectsNonNumericContentLength(String value) {
            assertHeadRejected("HTTP/1.1 200 OK\r\nContent-Length: " + value + "\r\n\r\n")
                    .hasMessageContaining("is not a number");
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "   ", "5,", ",5", "5,,5"})
        void rejectsEmptyContentLength(String value) {
            assertHeadRejected("HTTP/1.1 200 OK\r\nContent-Length: " + value + "\r\n\r\n")
                    .hasMessageContaining("empty Content-Length");
        }

        @ParameterizedTest
        @ValueSource(strings = {"9223372036854775808", "99999999999999999999", "18446744073709551621"})
        void rejectsContentLengthThatOverflows(String value) {
            assertHeadRejected("HTTP/1.1 200 OK\r\nContent-Length: " + value + "\r\n\r\n")
                    .hasMessageContaining("too large");
        }

        @ParameterizedTest
        @ValueSource(strings = {"chunked", "Chunked", "CHUNKED", " chunked ", "chunked,", ", chunked"})
        void recognisesChunkedCaseInsensitively(String value) {
            CodecFixtures.Head head = parseHead("HTTP/1.1 200 OK\r\nTransfer-Encoding: " + value + "\r\n\r\n");

            assertThat(head.chunked()).isTrue();
            assertThat(head.contentLength()).isEqualTo(-1);
        }

        @Test
        void rejectsGzipBeforeChunkedAsUnsupportedCoding() {
            assertHeadRejected("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")
                    .hasMessageContaining("unsupported transfer coding 'gzip'");
        }

        @Test
        void rejectsCodingAfterChunked() {
            assertHeadRejected("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n")
                    .hasMessageContaining("after chunked");
        }

        @ParameterizedTest
        @ValueSource(strings = {"identity", "gzip", "deflate", "chunkedx", "x-chunked", "chunk"})
        void rejectsUnsupportedTransferCodings(String value) {
            assertHeadRejected("HTTP/1.1 200 OK\r\nTransfer-Encoding: " + value + "\r\n\r\n")
                    .hasMessageContaining("unsupported transfer coding");
        }

        @Test
        void rejectsEmptyTransferEncoding() {
            assertHeadRejected("HTTP/1.1 200 OK\r\nTransfer-Encoding: \r\n\r\n")
                    .hasMessageContaining("does not end with chunked");
        }

        @Test
        void rejectsChunkedAppliedTwice() {
            assertHeadRejected("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n")
                    .hasMessageContaining("after chunked");
            assertHeadRejected("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .hasMessageContaining("more than once");
        }

        @Test
        void rejectsContentLengthWithTransferEncodingInEitherOrder() {
            assertHeadRejected("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .hasMessageContaining("both Content-Length and Transfer-Encoding");
            assertHeadRejected("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n")
                    .hasMessageContaining("both Content-Length and Transfer-Encoding");
        }

        @ParameterizedTest
        @ValueSource(strings = {"close", "Close", "CLOSE", "keep-alive, close", "upgrade,close", " close "})
        void recognisesConnectionClose(String value) {
            CodecFixtures.Head head = parseHead("HTTP/1.1 200 OK\r\nConnection: " + value + "\r\n\r\n");

            assertThat(head.connectionClose()).isTrue();
        }

        @ParameterizedTest
        @ValueSource(strings = {"keep-alive", "Keep-Alive", "KEEP-ALIVE", "Keep-Alive, Upgrade", "upgrade,keep-alive"})
        void recognisesConnectionKeepAlive(String value) {
            CodecFixtures.Head head = parseHead("HTTP/1.0 200 OK\r\nConnection: " + value + "\r\n\r\n");

            assertThat(head.keepAlive()).isTrue();
            assertThat(head.connectionClose()).isFalse();
        }

        @ParameterizedTest
        @ValueSource(strings = {"closed", "x-close", "keep-alive-ish", "upgrade", "", "close-keep-alive"})
        void ignoresOtherConnectionTokens(String value) {
            CodecFixtures.Head head = parseHead("HTTP/1.1 200 OK\r\nConnection: " + value + "\r\n\r\n");

            assertThat(head.connectionClose()).isFalse();
            assertThat(head.keepAlive()).isFalse();
        }

        @Test
        void combinesSeveralConnectionHeaders() {
            CodecFixtures.Head head =
                    parseHead("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n");

            assertThat(head.keepAlive()).isTrue();
            assertThat(head.connectionClose()).isTrue();
        }

        @Test
        void framingIsNotInferredFromHeadersWithSimilarNames() {
            CodecFixtures.Head head =
                    parseHead("HTTP/1.1 200 OK\r\nContent-Length-X: 5\r\nX-Transfer-Encoding: gzip\r\n"
                            + "Connections: close\r\n\r\n");

            assertThat(head.contentLength()).isEqualTo(-1);
            assertThat(head.chunked()).isFalse();
            assertThat(head.connectionClose()).isFalse();
            assertThat(head.fields()).hasSize(3);
        }
    }

    @Nested
    class PartialInputAndReuse {

        @Test
        void emptyBufferAsksForMore() {
            ResponseParser parser = new ResponseParser(MAX_HEAD);
            ByteBuf in = CodecFixtures.tracked(64);
            try {
                assertThat(parser.parse(in)).isFalse();
            } finally {
                in.release();
            }
        }

        @Test
        void incompleteHeadConsumesNothingUntilComplete() {
            ResponseParser parser = new ResponseParser(MAX_HEAD);
            ByteBuf in = CodecFixtures.tracked(64);
            try {
                in.writeCharSequence("HTTP/1.1 200 OK\r\nX-A: 1\r\n", StandardCharsets.ISO_8859_1);
                assertThat(parser.parse(in)).isFalse();
                assertThat(in.readerIndex()).isZero();
                in.writeCharSequence("\r", StandardCharsets.ISO_8859_1);
                assertThat(parser.parse(in)).isFalse();
                assertThat(in.readerIndex()).isZero();
                in.writeCharSequence("\nbody", StandardCharsets.ISO_8859_1);

                assertThat(parser.parse(in)).isTrue();
                assertThat(fields(parser.headers)).containsExactly("X-A: 1");
                assertThat(readable(in)).isEqualTo("body");
            } finally {
                in.release();
            }
        }

        @Test
        void consumesExactlyTheHeadAndLeavesTheRest() {
            ResponseParser parser = new ResponseParser(MAX_HEAD);
            ByteBuf in = buf("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbodyHTTP/1.1 204 No Content\r\n\r\n");
            try {
                assertThat(parser.parse(in)).isTrue();
                assertThat(readable(in)).isEqualTo("bodyHTTP/1.1 204 No Content\r\n\r\n");
            } finally {
                in.release();
            }
        }

        @Test
        void parsesInterimThenFinalResponseFromOneBuffer() {
            ResponseParser parser = new ResponseParser(MAX_HEAD);
            ByteBuf in = buf("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>; rel=preload\r\n\r\n"
                    + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
            try {
                assertThat(parser.parse(in)).isTrue();
                assertThat(parser.status).isEqualTo(100);
                assertThat(parser.parse(in)).isTrue();
                assertThat(parser.status).isEqualTo(103);
                assertThat(parser.headers.first("Link")).isEqualTo("</a>; rel=preload");
                assertThat(parser.parse(in)).isTrue();
                assertThat(parser.status).isEqualTo(200);
                assertThat(parser.contentLength).isZero();
                assertThat(in.isReadable()).isFalse();
            } finally {
                in.release();
            }
        }

        @Test
        void resultsOfOneResponseDoNotCarryOverToTheNext() {
            ResponseParser parser = new ResponseParser(MAX_HEAD);
            ByteBuf in = buf("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close, keep-alive\r\n\r\n"
                    + "HTTP/1.1 201 Created\r\nContent-Length: 3\r\n\r\n"
                    + "HTTP/1.1 202 Accepted\r\n\r\n");
            try {
                assertThat(parser.parse(in)).isTrue();
                assertThat(parser.chunked).isTrue();
                assertThat(parser.version).isEqualTo(HttpVersion.HTTP_1_0);

                assertThat(parser.parse(in)).isTrue();
                assertThat(parser.status).isEqualTo(201);
                assertThat(parser.version).isEqualTo(HttpVersion.HTTP_1_1);
                assertThat(parser.chunked).isFalse();
                assertThat(parser.connectionClose).isFalse();
                assertThat(parser.keepAlive).isFalse();
                assertThat(parser.contentLength).isEqualTo(3);

                assertThat(parser.parse(in)).isTrue();
                assertThat(parser.contentLength).isEqualTo(-1);
                assertThat(parser.headers.size()).isZero();
            } finally {
                in.release();
            }
        }

        @Test
        void earlierHeadersStayReadableAfterTheParserMovesOn() {
            ResponseParser parser = new ResponseParser(MAX_HEAD);
            ByteBuf in = buf("HTTP/1.1 200 OK\r\nX-A: first\r\n\r\nHTTP/1.1 200 OK\r\nX-A: second\r\n\r\n");
            try {
                assertThat(parser.parse(in)).isTrue();
                io.aioduct.HttpHeaders first = parser.headers;
                assertThat(parser.parse(in)).isTrue();

                assertThat(first.first("X-A")).isEqualTo("first");
                assertThat(parser.headers.first("X-A")).isEqualTo("second");
            } finally {
                in.release();
            }
        }

        @Test
        void parsesAtANonZeroReaderIndex() {
            ResponseParser parser = new ResponseParser(MAX_HEAD);
            ByteBuf in = buf("junkHTTP/1.1 200 OK\r\nX-A: 1\r\n\r\n");
            try {
                in.skipBytes(4);
                assertThat(parser.parse(in)).isTrue();
                assertThat(parser.headers.first("X-A")).isEqualTo("1");
            } finally {
                in.release();
            }
        }
    }
}
