package io.aioduct.body;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.decoder.DecoderJNI;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

/**
 * The {@code br} coding (RFC 7932) through brotli4j's push decoder, the one Netty's {@code BrotliDecoder}
 * drives: the caller's bytes are copied into the decoder's native input buffer ({@value #INPUT} bytes at a
 * time), and each piece of output is a view of the decoder's native memory, handed out across as many
 * {@code decode} calls as the caller's array needs before the decoder is asked for more. Memory is bounded
 * by brotli's window (16 MiB at most; large windows are not enabled). Bytes after the end of the stream
 * are corrupt (the native decoder refuses them), unlike {@code gzip} and {@code deflate}, whose decoders
 * have always ignored them for old servers' sake.
 *
 * <p>Only created once {@link OptionalCodings#brotli()} said brotli4j is present.
 */
final class BrotliDecoder extends ContentDecoder {
    static final int INPUT = 8192;

    private final DecoderJNI.Wrapper decoder;
    private @Nullable ByteBuffer output;
    // Output was taken since the last push: a NEEDS_MORE_INPUT status may not mean it yet (brotli4j's
    // own Decoder.decompress pushes nothing once for the same reason).
    private boolean pulled;
    private boolean touched;
    private boolean ended;

    BrotliDecoder() {
        try {
            decoder = new DecoderJNI.Wrapper(INPUT);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a brotli decoder", e);
        }
    }

    /** Loads brotli4j's native code; the reason it cannot be loaded, or null. */
    static @Nullable Throwable loadNative() {
        if (Brotli4jLoader.isAvailable()) return null;
        Throwable cause = Brotli4jLoader.getUnavailabilityCause();
        return cause != null ? cause : new UnsatisfiedLinkError("brotli4j is not available");
    }

    @Override
    public String coding() {
        return "br";
    }

    @Override
    public int decode(ByteBuffer in, byte[] out, int offset, int length) {
        while (true) {
            ByteBuffer o = output;
            if (o != null) {
                if (o.hasRemaining()) {
                    int n = Math.min(length, o.remaining());
                    o.get(out, offset, n);
                    return n;
                }
                output = null;
            }
            switch (decoder.getStatus()) {
                case DONE -> {
                    if (in.hasRemaining()) throw corrupt("br", "data after the end of the brotli stream", null);
                    return 0;
                }
                case OK -> decoder.push(0);
                case NEEDS_MORE_OUTPUT -> pull();
                case NEEDS_MORE_INPUT -> {
                    if (decoder.hasOutput()) {
                        pull();
                    } else if (pulled) {
                        // After a pull the decoder may still hold input it has not decoded: let it go on.
                        pulled = false;
                        decoder.push(0);
                    } else {
                        if (!in.hasRemaining()) return 0;
                        ByteBuffer input = decoder.getInputBuffer();
                        int n = Math.min(input.capacity(), in.remaining());
                        input.clear().put(0, in, in.position(), n);
                        in.position(in.position() + n);
                        touched = true;
                        decoder.push(n);
                    }
                }
                default -> throw corrupt("br", "invalid brotli data", null);
            }
        }
    }

    private void pull() {
        output = decoder.pull();
        pulled = true;
    }

    @Override
    public boolean complete() {
        return decoder.getStatus() == DecoderJNI.Status.DONE && (output == null || !output.hasRemaining());
    }

    @Override
    public boolean untouched() {
        return !touched;
    }

    @Override
    public void end() {
        if (!ended) {
            ended = true;
            output = null;
            decoder.destroy();
        }
    }
}
