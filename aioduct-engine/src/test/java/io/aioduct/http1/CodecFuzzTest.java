package io.aioduct.http1;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.aioduct.HttpHeaders;
import io.aioduct.HttpProtocolException;
import io.aioduct.body.ByteSink;
import io.aioduct.syntax.HeaderRules;
import io.aioduct.testing.LeakRecordingDetector;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Feeds arbitrary bytes through the response parser and the body decoder the way a connection does,
 * whole and in pieces. Whatever the bytes, the codec may only refuse them with an {@link
 * HttpProtocolException}: no other exception, no range outside the buffer, no leaked buffer, and
 * whatever it accepts is well-formed.
 *
 * <p>{@link #responseBytes} is a Jazzer fuzz test: a plain {@code mvn test} replays its seed corpus in
 * {@code src/test/resources/io/aioduct/http1/CodecFuzzTestInputs/responseBytes/}; run it with {@code
 * JAZZER_FUZZ=1} to fuzz. The {@code @Test}s run the same checks over 32,000 fixed-seed random and
 * mutated inputs, so every build covers far more than the seeds.
 */
class CodecFuzzTest {
    private static final int MAX_HEAD = 512;
    private static final int MAX_TRAILER = 256;
    private static final int MAX_MESSAGES = 32;

    /** Whether Jazzer is fuzzing (JAZZER_FUZZ set) rather than replaying the seed corpus. */
    private static final boolean FUZZING = System.getenv("JAZZER_FUZZ") != null
            && !System.getenv("JAZZER_FUZZ").isEmpty();

    @BeforeAll
    static void forgetEarlierLeaks() {
        LeakRecordingDetector.collectLeaks();
    }

    @AfterAll
    static void nothingLeaked() {
        CodecFixtures.assertNoLeaks();
    }

    @FuzzTest(maxDuration = "2m")
    void responseBytes(byte[] input) {
        // Leak-tracked buffers record a stack trace per access: fine for the seeds, too slow to fuzz with.
        exercise(input, !FUZZING);
    }

    @Test
    void randomBytesOnlyFailWithProtocolErrors() {
        Random random = new Random(0x5EED_0001L);
        byte[] alphabet = "HTP/1.0 2:\r\n\t;,=-abcfxABCF\u0000\u007f\u0080\u00ff".getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < 8_000; i++) {
            byte[] input = new byte[random.nextInt(400)];
            boolean textual = random.nextBoolean();
            for (int j = 0; j < input.length; j++) {
                input[j] = textual ? alphabet[random.nextInt(alphabet.length)] : (byte) random.nextInt(256);
            }
            if (random.nextInt(4) == 0) {
                byte[] start = "HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.ISO_8859_1);
                System.arraycopy(start, 0, input, 0, Math.min(start.length, input.length));
            }
            exerciseReporting(input, i % 500 == 0);
        }
    }

    @Test
    void mutatedResponsesOnlyFailWithProtocolErrors() {
        Random random = new Random(0x5EED_0002L);
        List<byte[]> seeds =
                SEEDS.stream().map(s -> s.getBytes(StandardCharsets.ISO_8859_1)).toList();
        int accepted = 0;
        for (int i = 0; i < 24_000; i++) {
            byte[] input = seeds.get(random.nextInt(seeds.size()));
            int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                input = mutate(input, seeds, random);
            }
            if (exerciseReporting(input, i % 500 == 0)) {
                accepted++;
            }
        }
        // Sanity: the mutations keep a fair share of inputs valid, so the decoder paths get exercised too.
        assertThat(accepted).isGreaterThan(2_000);
    }

    @Test
    void seedResponsesAreAllAccepted() {
        for (String seed : SEEDS) {
            assertThat(exerciseReporting(seed.getBytes(StandardCharsets.ISO_8859_1), true))
                    .as("seed %s", seed)
                    .isTrue();
        }
    }

    /**
     * Seeds in the corpus that break the chunked framing's line rules (a bare CR anywhere, a bare LF ending
     * a chunk line, a quoted extension left open at the line end): each must be refused however it is
     * split, since accepting one is what lets two parsers see different chunks.
     */
    private static final List<String> REFUSED_SEEDS = List.of(
            "chunk_ext_bare_cr",
            "chunk_size_bare_lf",
            "chunk_ext_bare_lf",
            "chunk_data_bare_lf",
            "chunk_ext_quote_open_at_line_end",
            "trailer_bare_cr");

    @Test
    void seedsThatBreakChunkLineRulesAreRefusedHoweverTheyAreSplit() throws IOException {
        for (String name : REFUSED_SEEDS) {
            byte[] input = corpusSeed(name);
            assertThat(run(input, input.length, Integer.MAX_VALUE, false, true))
                    .as("%s read whole", name)
                    .isFalse();
            assertThat(run(input, 1, Integer.MAX_VALUE, true, true))
                    .as("%s read byte by byte", name)
                    .isFalse();
            assertThat(run(input, 7, 5, false, true))
                    .as("%s read in pieces", name)
                    .isFalse();
        }
        assertThat(exerciseReporting(corpusSeed("chunk_ext_quoted_trailer_bare_lf"), true))
                .as("quoted extensions and bare-LF trailer lines are fine")
                .isTrue();
    }

    private static byte[] corpusSeed(String name) throws IOException {
        try (InputStream in = CodecFuzzTest.class.getResourceAsStream("CodecFuzzTestInputs/responseBytes/" + name)) {
            assertThat(in).as("corpus seed %s", name).isNotNull();
            return in.readAllBytes();
        }
    }

    /** Valid exchanges (possibly several responses back to back); the seeds for mutation. */
    static final List<String> SEEDS = List.of(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\nA\r\n0123456789\r\n"
                    + "0\r\nX-Checksum: abc\r\n\r\n",
            "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nuntil close",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
                    + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200\nContent-Length: 2, 2\nConnection: keep-alive, close\n\nok",
            "\n\nHTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: CHUNKED\r\n\r\n1f;q=\"a\\\"b\"\r\n" + "z".repeat(31)
                    + "\r\n0\r\nX: 1\n\n",
            "HTTP/1.1 404 Not Found\r\nX-L: caf\u00e9\r\nContent-Length: 3\r\n\r\nabc"
                    + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");

    private static final String[] TOKENS = {
        "\r\n",
        "\n",
        "\r\n\r\n",
        " ",
        "\t",
        ":",
        ";",
        ",",
        "0",
        "ffffffffffffffffff",
        "7fffffffffffffff",
        "99999999999999999999",
        "chunked",
        "gzip",
        "close",
        "Content-Length: ",
        "Transfer-Encoding: ",
        "Transfer-Encoding: chunked\r\n",
        "Connection: ",
        "0\r\n\r\n",
        "HTTP/1.1 200 OK\r\n",
        "HTTP/1.1 100 Continue\r\n\r\n",
        "X-T: y\r\n",
        "\u0000",
        "\u00ff",
    };

    private static byte[] mutate(byte[] in, List<byte[]> seeds, Random random) {
        int pos = in.length == 0 ? 0 : random.nextInt(in.length + 1);
        switch (random.nextInt(7)) {
            case 0 -> {
                if (in.length == 0) return in;
                byte[] out = in.clone();
                out[Math.min(pos, in.length - 1)] ^= (byte) (1 << random.nextInt(8));
                return out;
            }
            case 1 -> {
                byte[] token = TOKENS[random.nextInt(TOKENS.length)].getBytes(StandardCharsets.ISO_8859_1);
                return splice(in, pos, pos, token);
            }
            case 2 -> {
                int end = Math.min(in.length, pos + 1 + random.nextInt(8));
                return splice(in, pos, end, new byte[0]);
            }
            case 3 -> {
                byte[] token = TOKENS[random.nextInt(TOKENS.length)].getBytes(StandardCharsets.ISO_8859_1);
                int end = Math.min(in.length, pos + 1 + random.nextInt(4));
                return splice(in, pos, end, token);
            }
            case 4 -> {
                return Arrays.copyOf(in, pos);
            }
            case 5 -> {
                byte[] other = seeds.get(random.nextInt(seeds.size()));
                int from = random.nextInt(other.length);
                int to = Math.min(other.length, from + random.nextInt(40));
                return splice(in, pos, pos, Arrays.copyOfRange(other, from, to));
            }
            default -> {
                if (in.length == 0) return in;
                int end = Math.min(in.length, pos + random.nextInt(16));
                return splice(in, end, end, Arrays.copyOfRange(in, Math.min(pos, end), end));
            }
        }
    }

    private static byte[] splice(byte[] in, int from, int to, byte[] insert) {
        byte[] out = new byte[in.length - (to - from) + insert.length];
        System.arraycopy(in, 0, out, 0, from);
        System.arraycopy(insert, 0, out, from, insert.length);
        System.arraycopy(in, to, out, from + insert.length, in.length - to);
        return out;
    }

    /** Runs {@link #exercise}, naming the input in the failure so it can be reproduced. */
    private static boolean exerciseReporting(byte[] input, boolean tracked) {
        try {
            return exercise(input, tracked);
        } catch (Throwable t) {
            throw new AssertionError(
                    "codec failed on input (hex) " + HexFormat.of().formatHex(input), t);
        }
    }

    /**
     * Reads {@code input} whole, one byte at a time and in 7-byte pieces with at most 5 payload bytes per
     * decode call. Returns whether every run read it without a protocol error.
     *
     * @param tracked read from leak-tracked direct buffers (slow) rather than untracked heap ones
     */
    static boolean exercise(byte[] input, boolean tracked) {
        boolean a = run(input, Math.max(1, input.length), Integer.MAX_VALUE, false, tracked);
        boolean b = run(input, 1, Integer.MAX_VALUE, true, tracked);
        boolean c = run(input, 7, 5, false, tracked);
        return a && b && c;
    }

    /** One read of {@code input} in pieces of {@code piece} bytes; false if it failed with a protocol error. */
    private static boolean run(byte[] input, int piece, int maxData, boolean compact, boolean tracked) {
        ResponseParser parser = new ResponseParser(MAX_HEAD);
        BodyDecoder decoder = new BodyDecoder(MAX_TRAILER);
        CountingSink sink = new CountingSink();
        int capacity = Math.min(Math.max(input.length, 16), 4096);
        ByteBuf in = tracked ? CodecFixtures.tracked(capacity) : Unpooled.buffer(capacity);
        try {
            int fed = 0;
            int messages = 0;
            boolean inBody = false;
            while (true) {
                while (true) {
                    if (!inBody) {
                        int before = in.readerIndex();
                        if (!parser.parse(in)) {
                            break;
                        }
                        checkHead(parser, in, before);
                        if (++messages > MAX_MESSAGES) {
                            return true;
                        }
                        if (parser.status < 200) {
                            continue;
                        }
                        decoder.start(CodecFixtures.framingOf(parser), parser.contentLength);
                        inBody = true;
                    }
                    int before = in.readerIndex();
                    long receivedBefore = decoder.received();
                    sink.total = 0;
                    boolean done = decoder.decode(in, sink, maxData);
                    check(
                            in.readerIndex() >= before && in.readerIndex() <= in.writerIndex(),
                            "reader index moved badly");
                    check(sink.total <= maxData, "more payload than maxData");
                    check(decoder.received() - receivedBefore == sink.total, "received() disagrees with the sink");
                    if (decoder.framing() == BodyDecoder.Framing.LENGTH) {
                        check(decoder.received() <= parser.contentLength, "more payload than Content-Length");
                    }
                    if (done) {
                        check(decoder.complete(), "decode returned true but the body is not complete");
                        HttpHeaders trailers = decoder.trailers();
                        checkFields(trailers);
                        inBody = false;
                        continue;
                    }
                    if (in.readerIndex() == before) {
                        break;
                    }
                }
                if (fed == input.length) {
                    if (inBody) {
                        String missing = decoder.endOfInput();
                        check(
                                (missing == null) == decoder.complete(),
                                "endOfInput() disagrees with complete(): " + missing);
                    }
                    return true;
                }
                if (compact) {
                    in.discardReadBytes();
                }
                int n = Math.min(piece, input.length - fed);
                in.writeBytes(input, fed, n);
                fed += n;
            }
        } catch (HttpProtocolException e) {
            check(e.getMessage() != null && !e.getMessage().isBlank(), "protocol error without a message");
            return false;
        } finally {
            int refCnt = in.refCnt();
            if (refCnt > 0) {
                in.release(refCnt);
            }
            check(refCnt == 1, "the codec released or retained the caller's buffer");
        }
    }

    private static void checkHead(ResponseParser p, ByteBuf in, int readerBefore) {
        check(in.readerIndex() > readerBefore, "a parsed head consumed nothing");
        check(p.status >= 100 && p.status <= 999, "status out of range: " + p.status);
        check(p.version != null, "no version");
        String reason = p.reason().reasonPhrase();
        for (int k = 0; k < reason.length(); k++) {
            check(HeaderRules.isValueByte(reason.charAt(k)), "illegal byte in reason phrase " + reason);
        }
        check(p.contentLength >= -1, "negative Content-Length " + p.contentLength);
        check(!(p.chunked && p.contentLength >= 0), "both chunked and Content-Length");
        checkFields(p.headers);
    }

    private static void checkFields(HttpHeaders h) {
        for (int i = 0; i < h.size(); i++) {
            String name = h.name(i);
            String value = h.value(i);
            check(!name.isEmpty(), "empty header name");
            for (int k = 0; k < name.length(); k++) {
                check(HeaderRules.isTokenChar(name.charAt(k)), "non-token header name " + name);
            }
            for (int k = 0; k < value.length(); k++) {
                check(HeaderRules.isValueByte(value.charAt(k)), "illegal byte in header value " + value);
            }
            check(
                    value.isEmpty()
                            || (value.charAt(0) != ' '
                                    && value.charAt(0) != '\t'
                                    && value.charAt(value.length() - 1) != ' '
                                    && value.charAt(value.length() - 1) != '\t'),
                    "untrimmed header value '" + value + "'");
            check(h.first(name) != null, "first() does not find field " + name);
        }
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

    private static final class CountingSink implements ByteSink {
        long total;

        @Override
        public void onData(ByteBuf in, int index, int length) {
            check(length > 0, "empty payload range");
            check(index >= in.readerIndex() && index + length <= in.writerIndex(), "payload range outside the buffer");
            in.getByte(index + length - 1);
            total += length;
        }
    }
}
