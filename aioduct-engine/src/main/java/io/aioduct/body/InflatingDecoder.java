package io.aioduct.body;

import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * What the {@code gzip} and {@code deflate} decoders share: a JDK {@link Inflater} fed from the caller's
 * buffer, and its release. The inflater takes the buffer itself as input ({@link Inflater#setInput(
 * ByteBuffer)} advances its position), so no byte is copied on the way in.
 */
abstract sealed class InflatingDecoder extends ContentDecoder permits GzipDecoder, DeflateDecoder {
    private Inflater inflater;
    private boolean ended;

    InflatingDecoder(boolean raw) {
        this.inflater = new Inflater(raw);
    }

    final Inflater inflater() {
        return inflater;
    }

    /** Starts over with a new inflater of the other kind (deflate: the stream is raw, not zlib-wrapped). */
    final void replaceInflater(boolean raw) {
        inflater.end();
        inflater = new Inflater(raw);
    }

    /**
     * Inflates from {@code in} into {@code out} until something comes out, the input is used up (0), or the
     * compressed stream ends ({@link Inflater#finished()}, 0).
     */
    final int inflate(ByteBuffer in, byte[] out, int offset, int length) {
        Inflater f = inflater;
        try {
            while (true) {
                if (f.needsInput()) {
                    if (!in.hasRemaining()) return 0;
                    f.setInput(in);
                }
                int n = f.inflate(out, offset, length);
                if (n > 0 || f.finished()) return n;
                if (f.needsDictionary()) {
                    throw corrupt(coding(), "it needs a preset dictionary", null);
                }
                if (!f.needsInput()) return 0;
            }
        } catch (DataFormatException e) {
            throw corrupt(coding(), String.valueOf(e.getMessage()), e);
        } catch (NullPointerException e) {
            // Inflater's own word for "ended": the body was closed while a read was in progress.
            throw corrupt(coding(), "the body was closed while it was being decoded", e);
        }
    }

    @Override
    public final void end() {
        if (!ended) {
            ended = true;
            inflater.end();
        }
    }
}
