package io.aioduct.policy;

import io.aioduct.body.ContentDecoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Whether a client asks for compressed responses and decodes them while they stream, and the guards
 * against a decompression bomb. The default, {@link #defaults()}: on, sending {@code Accept-Encoding:
 * gzip, deflate, br, zstd} on every request that sets no {@code Accept-Encoding} itself, with {@code br}
 * and {@code zstd} only where their library is on the class path at run time ({@link #isAvailable}: add
 * {@code com.aayushatharva.brotli4j:brotli4j} with its native jar for {@code br}, {@code
 * com.github.luben:zstd-jni} for {@code zstd}; without them it is {@code gzip, deflate}), and decoding a
 * response whose {@code Content-Encoding} names only codings it asks for. A decoded
 * response loses its {@code Content-Encoding} and {@code Content-Length} fields (its length is no longer
 * known). A request that sets its own {@code Accept-Encoding} gets the body exactly as sent; so does a
 * response with a coding this setting does not decode (then its headers are untouched too), and a
 * response with no content (HEAD, 204, 304, an empty body).
 *
 * <p>Guards (a decoded size that passes one fails the read with a {@code BodyTooLargeException}, and the
 * connection is closed): {@link #maxDecodedBytes()}, none by default (like OkHttp, Reactor Netty and the
 * browsers: {@code bytes()}/{@code string()} stay under the client's buffered-body limit anyway); and
 * {@link #maxRatio()}, {@value #DEFAULT_MAX_RATIO}:1 by default, checked once more than {@value
 * #RATIO_FLOOR} decoded bytes have come out (real text compresses up to about 20:1, a bomb over 1000:1;
 * small bodies are never refused for their ratio). A stream the coding cannot decode fails with an {@code
 * HttpProtocolException} naming the coding.
 *
 * <p>Immutable and thread-safe: each {@code with}-method returns a new setting. Installed with {@code
 * AioductClient.Builder.decompression}; it works inside the engine, below the interceptors, so a network
 * interceptor sees the response already decoded.
 */
public final class Decompression {
    /** The largest decoded:compressed size ratio accepted by default. */
    public static final int DEFAULT_MAX_RATIO = 100;

    /** Decoded bytes that may come out before the ratio guard applies (1 MiB). */
    public static final long RATIO_FLOOR = 1024 * 1024;

    private static final List<String> KNOWN = List.of("gzip", "deflate", "br", "zstd");
    private static final Decompression DEFAULTS =
            new Decompression(true, available(), Long.MAX_VALUE, DEFAULT_MAX_RATIO);
    private static final Decompression OFF = new Decompression(false, List.of(), Long.MAX_VALUE, DEFAULT_MAX_RATIO);

    private final boolean enabled;
    private final List<String> codings;
    private final long maxDecodedBytes;
    private final int maxRatio;
    private final @Nullable String acceptEncoding;

    private Decompression(boolean enabled, List<String> codings, long maxDecodedBytes, int maxRatio) {
        this.enabled = enabled && !codings.isEmpty();
        this.codings = codings;
        this.maxDecodedBytes = maxDecodedBytes;
        this.maxRatio = maxRatio;
        this.acceptEncoding = this.enabled ? String.join(", ", codings) : null;
    }

    /**
     * On, with every coding whose library is present in the order {@code gzip, deflate, br, zstd} (gzip
     * first: every server has it, and the codings a server prefers are its own choice), no size limit and
     * the default ratio guard.
     */
    public static Decompression defaults() {
        return DEFAULTS;
    }

    /** Off: no {@code Accept-Encoding} is added and every body is handed back as it arrived. */
    public static Decompression off() {
        return OFF;
    }

    /**
     * Whether this client can decode {@code coding} (any case): {@code gzip} and {@code deflate} (the JDK's
     * zlib), always; {@code br} when brotli4j ({@code com.aayushatharva.brotli4j:brotli4j} and its native
     * jar for the platform) and {@code zstd} when zstd-jni ({@code com.github.luben:zstd-jni}) is on the
     * class path (or module path: modules {@code com.aayushatharva.brotli4j}, {@code
     * com.github.luben.zstd_jni}) and its native code loads; detected once, on first use, never failing when
     * a library is absent (a library present whose native code does not load is logged as a warning). The
     * engine depends on neither: they are optional dependencies the application adds. False for any other
     * name.
     */
    public static boolean isAvailable(String coding) {
        String name = Objects.requireNonNull(coding, "coding").toLowerCase(Locale.ROOT);
        return KNOWN.contains(name) && ContentDecoder.available(name);
    }

    /**
     * The same setting asking for and decoding only {@code codings}, in this order of preference. An
     * empty list turns decompression off.
     *
     * @throws IllegalArgumentException for a coding other than gzip, deflate, br and zstd, or one whose
     *     library is missing ({@link #isAvailable} is false)
     */
    public Decompression withCodings(String... codings) {
        List<String> list = new ArrayList<>();
        for (String c : Objects.requireNonNull(codings, "codings")) {
            String coding = Objects.requireNonNull(c, "coding").trim().toLowerCase(Locale.ROOT);
            if (!KNOWN.contains(coding)) {
                throw new IllegalArgumentException("unknown content coding '" + c + "': one of " + KNOWN);
            }
            if (!isAvailable(coding)) {
                throw new IllegalArgumentException("the content coding " + coding + " is not decoded by this client");
            }
            if (!list.contains(coding)) list.add(coding);
        }
        return new Decompression(true, List.copyOf(list), maxDecodedBytes, maxRatio);
    }

    /**
     * The same setting failing a body once more than {@code bytes} decoded bytes came out of it; {@link
     * Long#MAX_VALUE} for no limit (the default).
     */
    public Decompression withMaxDecodedBytes(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("maxDecodedBytes must be >= 0, was " + bytes);
        return new Decompression(enabled, codings, bytes, maxRatio);
    }

    /**
     * The same setting failing a body whose decoded size passes {@code ratio} times the compressed bytes
     * read so far (once past {@value #RATIO_FLOOR} decoded bytes); 0 turns the guard off.
     */
    public Decompression withMaxRatio(int ratio) {
        if (ratio < 0) throw new IllegalArgumentException("maxRatio must be >= 0, was " + ratio);
        return new Decompression(enabled, codings, maxDecodedBytes, ratio);
    }

    public boolean enabled() {
        return enabled;
    }

    /** The codings asked for and decoded, in order of preference; empty when off. */
    public List<String> codings() {
        return codings;
    }

    /** Whether a response in {@code coding} (lower case) is decoded. */
    public boolean decodes(String coding) {
        return enabled && codings.contains(coding);
    }

    public long maxDecodedBytes() {
        return maxDecodedBytes;
    }

    /** 0 when there is no ratio guard. */
    public int maxRatio() {
        return maxRatio;
    }

    /** The {@code Accept-Encoding} value sent on requests that set none, or null when off. */
    public @Nullable String acceptEncoding() {
        return acceptEncoding;
    }

    @Override
    public String toString() {
        return enabled
                ? "Decompression[" + acceptEncoding + ", maxDecodedBytes="
                        + (maxDecodedBytes == Long.MAX_VALUE ? "none" : maxDecodedBytes) + ", maxRatio="
                        + (maxRatio == 0 ? "none" : maxRatio) + "]"
                : "Decompression[off]";
    }

    private static List<String> available() {
        List<String> list = new ArrayList<>(KNOWN.size());
        for (String c : KNOWN) {
            if (isAvailable(c)) list.add(c);
        }
        return List.copyOf(list);
    }
}
