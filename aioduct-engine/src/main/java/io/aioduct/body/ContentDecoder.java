package io.aioduct.body;

import io.aioduct.HttpProtocolException;
import java.nio.ByteBuffer;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One content coding's decoder (RFC 9110 section 8.4.1), pushed compressed bytes in whatever pieces the
 * network delivers and pulled decoded bytes into the caller's array: the same core under the pull
 * ({@code read}) and push (publisher) faces of {@link DecodingSource}. Holds native memory (an {@link
 * java.util.zip.Inflater}, brotli4j's or zstd-jni's decoder) until {@link #end()}.
 *
 * <p>Not thread-safe: {@link DecodingSource} serialises the calls.
 */
public abstract class ContentDecoder {

    /** The coding's name, for messages. */
    public abstract String coding();

    /**
     * Decodes from {@code in} (advancing its position) into {@code out}. Returns the number of bytes
     * written; 0 when nothing more comes out until more input arrives, or when the stream is complete.
     *
     * @throws HttpProtocolException when the bytes are not valid in this coding
     */
    public abstract int decode(ByteBuffer in, byte[] out, int offset, int length);

    /** Whether the input so far ends the coded stream at a valid point (nothing is missing). */
    public abstract boolean complete();

    /** Whether no input has arrived at all (an empty body is not a truncated stream). */
    public abstract boolean untouched();

    /** Releases the native state; idempotent. */
    public abstract void end();

    /**
     * The decoder for the codings of a {@code Content-Encoding} field, listed in the order they were
     * applied (so decoded last to first); null when one of them is not decodable here.
     */
    public static ContentDecoder forCodings(List<String> codings) {
        ContentDecoder decoder = null;
        for (int i = codings.size() - 1; i >= 0; i--) {
            ContentDecoder next = forCoding(codings.get(i));
            decoder = decoder == null ? next : new Chained(decoder, next);
        }
        if (decoder == null) throw new IllegalArgumentException("no coding");
        return decoder;
    }

    private static ContentDecoder forCoding(String coding) {
        if (!available(coding)) throw new IllegalArgumentException("no decoder for " + coding);
        return switch (coding) {
            case "gzip", "x-gzip" -> new GzipDecoder();
            case "deflate" -> new DeflateDecoder();
            case "br" -> new BrotliDecoder();
            case "zstd" -> new ZstdDecoder();
            default -> throw new IllegalArgumentException("no decoder for " + coding);
        };
    }

    /**
     * Whether {@code coding} (lower case) can be decoded here: {@code gzip}, {@code x-gzip} and {@code
     * deflate} always (the JDK's zlib); {@code br} and {@code zstd} when their library is present at run
     * time (brotli4j, zstd-jni), detected once.
     */
    public static boolean available(String coding) {
        return switch (coding) {
            case "gzip", "x-gzip", "deflate" -> true;
            case "br" -> OptionalCodings.brotli();
            case "zstd" -> OptionalCodings.zstd();
            default -> false;
        };
    }

    static HttpProtocolException corrupt(String coding, String detail, @Nullable Throwable cause) {
        return new HttpProtocolException("corrupt " + coding + " response body: " + detail, cause);
    }

    /**
     * Two codings applied one after the other ({@code Content-Encoding: deflate, gzip}): {@code outer} (the
     * last applied) decodes into an intermediate buffer that {@code inner} decodes into the caller's array.
     */
    private static final class Chained extends ContentDecoder {
        private final ContentDecoder outer;
        private final ContentDecoder inner;
        private final ByteBuffer middle = ByteBuffer.allocate(8192).limit(0);

        Chained(ContentDecoder outer, ContentDecoder inner) {
            this.outer = outer;
            this.inner = inner;
        }

        @Override
        public String coding() {
            return outer.coding() + " then " + inner.coding();
        }

        @Override
        public int decode(ByteBuffer in, byte[] out, int offset, int length) {
            while (true) {
                int n = inner.decode(middle, out, offset, length);
                if (n > 0) return n;
                // The inner decoder used all of the middle buffer: refill it from the outer one.
                byte[] array = middle.array();
                int m = outer.decode(in, array, 0, array.length);
                if (m == 0) return 0;
                middle.clear().limit(m);
            }
        }

        @Override
        public boolean complete() {
            return outer.complete() && inner.complete() && !middle.hasRemaining();
        }

        @Override
        public boolean untouched() {
            return outer.untouched();
        }

        @Override
        public void end() {
            outer.end();
            inner.end();
        }
    }
}
