package io.aioduct.body;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.BodyTooLargeException;
import io.aioduct.HttpProtocolException;
import io.aioduct.testing.OptionalCodingBodies;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gzip, deflate, br and zstd decoders fed in every split the network may make, and the decoding
 * source's guards. brotli4j and zstd-jni are on the test class path, so br and zstd are available here;
 * {@code OptionalCodingsTest} checks what happens without them.
 */
class ContentDecoderTest {
    private static final byte[] TEXT = text(40_000);

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 100, 65_536})
    void gzipDecodesWhateverTheInputSplit(int piece) {
        assertThat(decode("gzip", gzip(TEXT), piece)).isEqualTo(TEXT);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 100, 65_536})
    void deflateDecodesZlibAndRawStreams(int piece) {
        assertThat(decode("deflate", deflate(TEXT, false), piece)).isEqualTo(TEXT);
        assertThat(decode("deflate", deflate(TEXT, true), piece)).isEqualTo(TEXT);
    }

    @Test
    void gzipSkipsEveryOptionalHeaderField() {
        byte[] raw = deflate(TEXT, true);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // FHCRC | FEXTRA | FNAME | FCOMMENT
        out.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 2 | 4 | 8 | 16, 0, 0, 0, 0, 0, 3});
        out.writeBytes(new byte[] {3, 0, 'a', 'b', 'c'});
        out.writeBytes("name.txt\0".getBytes());
        out.writeBytes("a comment\0".getBytes());
        out.writeBytes(new byte[] {0x12, 0x34});
        out.writeBytes(raw);
        CRC32 crc = new CRC32();
        crc.update(TEXT);
        writeLe32(out, crc.getValue());
        writeLe32(out, TEXT.length);

        assertThat(decode("gzip", out.toByteArray(), 5)).isEqualTo(TEXT);
    }

    @Test
    void gzipMembersOneAfterAnotherDecodeOneAfterAnother_andOtherTrailingBytesAreIgnored() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(gzip("first ".getBytes()));
        out.writeBytes(gzip("second".getBytes()));
        out.writeBytes(new byte[] {0, 0, 0, 0});

        assertThat(new String(decode("gzip", out.toByteArray(), 3))).isEqualTo("first second");
    }

    @Test
    void aDamagedGzipStreamFailsNamingTheCoding() {
        byte[] crcBroken = gzip(TEXT);
        crcBroken[crcBroken.length - 6] ^= 1;
        byte[] badMagic = gzip(TEXT);
        badMagic[1] = 0;

        assertThatThrownBy(() -> decode("gzip", crcBroken, 1000))
                .isInstanceOf(HttpProtocolException.class)
                .hasMessageContaining("corrupt gzip response body: CRC-32 mismatch");
        assertThatThrownBy(() -> decode("gzip", badMagic, 1000))
                .isInstanceOf(HttpProtocolException.class)
                .hasMessageContaining("not in gzip format");
    }

    @Test
    void aTruncatedStreamIsIncomplete_anEmptyOneIsNot() {
        byte[] coded = gzip(TEXT);
        ContentDecoder d = ContentDecoder.forCodings(List.of("gzip"));
        byte[] out = new byte[TEXT.length];
        ByteBuffer in = ByteBuffer.wrap(coded, 0, coded.length - 4);
        int n;
        int total = 0;
        while ((n = d.decode(in, out, total, out.length - total)) > 0) total += n;
        assertThat(d.complete()).isFalse();
        assertThat(d.untouched()).isFalse();
        d.end();

        ContentDecoder empty = ContentDecoder.forCodings(List.of("gzip"));
        assertThat(empty.untouched()).isTrue();
        empty.end();
    }

    @Test
    void twoCodingsAreDecodedLastAppliedFirst() {
        assertThat(decode(List.of("deflate", "gzip"), gzip(deflate(TEXT, false)), 10))
                .isEqualTo(TEXT);
    }

    @Test
    void theDecodingSourceReadsEveryWayAndGuardsTheRatio() {
        byte[] coded = gzip(TEXT);
        assertThat(source(coded, Long.MAX_VALUE, 0).readAll(Long.MAX_VALUE)).isEqualTo(TEXT);
        assertThat(source(coded, Long.MAX_VALUE, 0)
                        .readAllAsync(Long.MAX_VALUE)
                        .toCompletableFuture()
                        .join())
                .isEqualTo(TEXT);
        assertThatThrownBy(() -> source(coded, Long.MAX_VALUE, 0).readAll(1000))
                .isInstanceOf(BodyTooLargeException.class)
                .hasMessageContaining("gzip");

        byte[] bomb = gzip(new byte[4 * 1024 * 1024]);
        assertThatThrownBy(() -> source(bomb, Long.MAX_VALUE, 100).readAll(Long.MAX_VALUE))
                .isInstanceOf(DecompressionBombException.class)
                .hasMessageContaining("more than 100 times its compressed size");
        assertThatThrownBy(() -> source(bomb, 100_000, 0).readAll(Long.MAX_VALUE))
                .isInstanceOf(DecompressionBombException.class)
                .hasMessageContaining("more than 100000 bytes");
        assertThat(source(bomb, Long.MAX_VALUE, 0).readAll(Long.MAX_VALUE)).hasSize(4 * 1024 * 1024);
    }

    @Test
    void aClosedSourceReadsNoMore() {
        DecodingSource s = source(gzip(TEXT), Long.MAX_VALUE, 0);
        byte[] buf = new byte[10];
        assertThat(s.read(buf, 0, 10)).isEqualTo(10);
        s.close();
        assertThatThrownBy(() -> s.read(buf, 0, 10))
                .isInstanceOf(HttpProtocolException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void brAndZstdAreAvailableWithTheirLibrariesOnTheClassPath() {
        assertThat(ContentDecoder.available("br")).isTrue();
        assertThat(ContentDecoder.available("zstd")).isTrue();
        assertThat(ContentDecoder.available("compress")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 100, 8191, 8193, 65_536})
    void brDecodesWhateverTheInputSplit(int piece) {
        assertThat(decode("br", OptionalCodingBodies.br(TEXT), piece)).isEqualTo(TEXT);
        byte[] big = text(3 * 1024 * 1024);
        assertThat(decode("br", OptionalCodingBodies.br(big), piece == 1 ? 1000 : piece))
                .isEqualTo(big);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 100, 8191, 8193, 65_536})
    void zstdDecodesWhateverTheInputSplit(int piece) {
        assertThat(decode("zstd", OptionalCodingBodies.zstd(TEXT), piece)).isEqualTo(TEXT);
        byte[] big = text(3 * 1024 * 1024);
        assertThat(decode("zstd", OptionalCodingBodies.zstd(big), piece == 1 ? 1000 : piece))
                .isEqualTo(big);
    }

    @Test
    void zstdFramesOneAfterAnotherDecodeOneAfterAnother_skippableFramesAreSkipped() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(OptionalCodingBodies.zstd("first ".getBytes()));
        out.writeBytes(OptionalCodingBodies.zstdSkippable(10));
        out.writeBytes(OptionalCodingBodies.zstd("second".getBytes()));

        assertThat(new String(decode("zstd", out.toByteArray(), 3))).isEqualTo("first second");
    }

    @Test
    void bytesAfterABrotliStreamOrAZstdFrameAreCorrupt() {
        for (String coding : List.of("br", "zstd")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(coding.equals("br") ? OptionalCodingBodies.br(TEXT) : OptionalCodingBodies.zstd(TEXT));
            out.writeBytes(new byte[] {1, 2, 3, 4});
            for (int piece : new int[] {100, 1 << 20}) {
                assertThatThrownBy(() -> decode(coding, out.toByteArray(), piece))
                        .isInstanceOf(HttpProtocolException.class)
                        .hasMessageStartingWith("corrupt " + coding + " response body: ");
            }
        }
    }

    @Test
    void aDamagedBrOrZstdStreamFailsNamingTheCoding() {
        byte[] br = OptionalCodingBodies.br(TEXT);
        for (int i = 10; i < 40; i++) br[i] ^= 0x5a;
        byte[] zstd = OptionalCodingBodies.zstd(TEXT);
        for (int i = 20; i < 60; i++) zstd[i] ^= 0x5a;
        byte[] zstdBadMagic = OptionalCodingBodies.zstd(TEXT);
        zstdBadMagic[0] = 0;

        assertThatThrownBy(() -> decode("br", br, 1000))
                .isInstanceOf(HttpProtocolException.class)
                .hasMessageStartingWith("corrupt br response body: ");
        assertThatThrownBy(() -> decode("zstd", zstd, 1000))
                .isInstanceOf(HttpProtocolException.class)
                .hasMessageStartingWith("corrupt zstd response body: ");
        assertThatThrownBy(() -> decode("zstd", zstdBadMagic, 1000))
                .isInstanceOf(HttpProtocolException.class)
                .hasMessageStartingWith("corrupt zstd response body: ");
    }

    /** RFC 9659: a zstd window over 8 MiB may be refused; it is, so one frame cannot claim 128 MiB. */
    @Test
    void aZstdFrameWithAWindowOver8MiBIsRefused() {
        byte[] data = text(256 * 1024);
        assertThat(decode("zstd", OptionalCodingBodies.zstdWithWindow(data, 23), 4096))
                .isEqualTo(data);
        assertThatThrownBy(() -> decode("zstd", OptionalCodingBodies.zstdWithWindow(data, 24), 4096))
                .isInstanceOf(HttpProtocolException.class)
                .hasMessageStartingWith("corrupt zstd response body: ")
                .hasMessageContaining("8 MiB");
    }

    @Test
    void aTruncatedBrOrZstdStreamIsIncomplete_anEmptyOneIsNot() {
        for (String coding : List.of("br", "zstd")) {
            byte[] coded = coding.equals("br") ? OptionalCodingBodies.br(TEXT) : OptionalCodingBodies.zstd(TEXT);
            for (int cut : new int[] {1, 4, coded.length / 2}) {
                ContentDecoder d = ContentDecoder.forCodings(List.of(coding));
                byte[] out = new byte[TEXT.length];
                ByteBuffer in = ByteBuffer.wrap(coded, 0, coded.length - cut);
                int total = 0;
                int n;
                while ((n = d.decode(in, out, total, out.length - total)) > 0) total += n;
                assertThat(d.complete()).as(coding + " less " + cut).isFalse();
                assertThat(d.untouched()).isFalse();
                d.end();
                d.end();
            }
            ContentDecoder empty = ContentDecoder.forCodings(List.of(coding));
            assertThat(empty.untouched()).isTrue();
            assertThat(empty.complete()).isFalse();
            empty.end();
        }
    }

    @Test
    void brAndZstdChainWithGzip() {
        assertThat(decode(List.of("br", "gzip"), gzip(OptionalCodingBodies.br(TEXT)), 10))
                .isEqualTo(TEXT);
        assertThat(decode(List.of("gzip", "zstd"), OptionalCodingBodies.zstd(gzip(TEXT)), 10))
                .isEqualTo(TEXT);
    }

    @Test
    void theDecodingSourceGuardsBrAndZstdBombsAndReportsTruncation() {
        byte[] zeros = new byte[8 * 1024 * 1024];
        for (String coding : List.of("br", "zstd")) {
            byte[] bomb = coding.equals("br") ? OptionalCodingBodies.br(zeros) : OptionalCodingBodies.zstd(zeros);
            assertThatThrownBy(() -> source(coding, bomb, Long.MAX_VALUE, 100).readAll(Long.MAX_VALUE))
                    .isInstanceOf(DecompressionBombException.class)
                    .hasMessageContaining("the " + coding + " response body")
                    .hasMessageContaining("more than 100 times its compressed size");
            assertThatThrownBy(() -> source(coding, bomb, 100_000, 0).readAll(Long.MAX_VALUE))
                    .isInstanceOf(DecompressionBombException.class)
                    .hasMessageContaining("more than 100000 bytes");
            assertThat(source(coding, bomb, Long.MAX_VALUE, 0).readAll(Long.MAX_VALUE))
                    .isEqualTo(zeros);
            assertThat(source(coding, bomb, Long.MAX_VALUE, 0)
                            .readAllAsync(Long.MAX_VALUE)
                            .toCompletableFuture()
                            .join())
                    .isEqualTo(zeros);

            byte[] coded = coding.equals("br") ? OptionalCodingBodies.br(TEXT) : OptionalCodingBodies.zstd(TEXT);
            byte[] truncated = Arrays.copyOf(coded, coded.length - 10);
            assertThatThrownBy(
                            () -> source(coding, truncated, Long.MAX_VALUE, 0).readAll(Long.MAX_VALUE))
                    .isInstanceOf(HttpProtocolException.class)
                    .hasMessageStartingWith("truncated " + coding + " response body");
            DecodingSource closed = source(coding, coded, Long.MAX_VALUE, 0);
            byte[] buf = new byte[10];
            assertThat(closed.read(buf, 0, 10)).isEqualTo(10);
            closed.close();
            closed.close();
            assertThatThrownBy(() -> closed.read(buf, 0, 10))
                    .isInstanceOf(HttpProtocolException.class)
                    .hasMessageContaining("closed");
        }
    }

    private static DecodingSource source(String coding, byte[] coded, long maxDecoded, int maxRatio) {
        return new DecodingSource(
                new BytesSource(coded), ContentDecoder.forCodings(List.of(coding)), maxDecoded, maxRatio, 1024 * 1024);
    }

    private static DecodingSource source(byte[] coded, long maxDecoded, int maxRatio) {
        return new DecodingSource(
                new BytesSource(coded), ContentDecoder.forCodings(List.of("gzip")), maxDecoded, maxRatio, 1024 * 1024);
    }

    private static byte[] decode(String coding, byte[] coded, int piece) {
        return decode(List.of(coding), coded, piece);
    }

    /** Feeds {@code coded} in pieces of {@code piece} bytes, draining the decoder through a small array. */
    private static byte[] decode(List<String> codings, byte[] coded, int piece) {
        ContentDecoder d = ContentDecoder.forCodings(codings);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[333];
        try {
            for (int i = 0; i < coded.length; i += piece) {
                ByteBuffer in = ByteBuffer.wrap(coded, i, Math.min(piece, coded.length - i));
                int n;
                while ((n = d.decode(in, buf, 0, buf.length)) > 0) out.write(buf, 0, n);
                assertThat(in.hasRemaining()).isFalse();
            }
            assertThat(d.complete()).isTrue();
        } finally {
            d.end();
        }
        return out.toByteArray();
    }

    private static void writeLe32(ByteArrayOutputStream out, long v) {
        for (int i = 0; i < 4; i++) out.write((int) (v >>> (8 * i)) & 0xff);
    }

    private static byte[] text(int size) {
        Random random = new Random(7);
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) out[i] = (byte) ('a' + random.nextInt(20));
        return out;
    }

    private static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] deflate(byte[] data, boolean raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, raw);
        try (DeflaterOutputStream z = new DeflaterOutputStream(out, deflater)) {
            z.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deflater.end();
        }
        return out.toByteArray();
    }
}
