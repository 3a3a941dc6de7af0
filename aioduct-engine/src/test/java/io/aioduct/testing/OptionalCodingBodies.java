package io.aioduct.testing;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.encoder.Encoder;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Bodies in the optional codings, encoded with the libraries the engine decodes them with (brotli4j,
 * zstd-jni; both are on the test class path).
 */
public final class OptionalCodingBodies {
    private OptionalCodingBodies() {}

    /** {@code data} in the br coding. */
    public static byte[] br(byte[] data) {
        Brotli4jLoader.ensureAvailability();
        try {
            return Encoder.compress(data, Encoder.Parameters.create(5));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code data} in the zstd coding: one frame with a checksum. */
    public static byte[] zstd(byte[] data) {
        try (ZstdCompressCtx ctx = new ZstdCompressCtx()) {
            ctx.setLevel(3).setChecksum(true);
            return ctx.compress(data);
        }
    }

    /** {@code data} as a zstd frame of unknown size whose window is {@code 1 << windowLog} bytes. */
    public static byte[] zstdWithWindow(byte[] data, int windowLog) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZstdOutputStream z = new ZstdOutputStream(out, 1)) {
            z.setWindowLog(windowLog);
            for (int i = 0; i < data.length; i += 4096) z.write(data, i, Math.min(4096, data.length - i));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A zstd skippable frame (RFC 8878 section 3.1.2) holding {@code n} bytes. */
    public static byte[] zstdSkippable(int n) {
        byte[] frame = new byte[8 + n];
        int magic = 0x184D2A50;
        for (int i = 0; i < 4; i++) frame[i] = (byte) (magic >>> (8 * i));
        for (int i = 0; i < 4; i++) frame[4 + i] = (byte) (n >>> (8 * i));
        return frame;
    }
}
