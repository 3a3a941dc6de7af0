package io.aioduct.body;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the libraries of the optional codings are present, detected once per class loader: {@code br}
 * needs brotli4j ({@code com.aayushatharva.brotli4j:brotli4j} and its native jar for the platform),
 * {@code zstd} needs zstd-jni ({@code com.github.luben:zstd-jni}, natives included). A coding is available
 * when its library's classes are found with {@link Class#forName(String, boolean, ClassLoader)} (without
 * initialising them) and its native code then loads. Each coding has its own holder, so asking for one
 * loads nothing of the other; the decoder classes, which name the libraries' types, are touched only once
 * their library is known present, so nothing here throws {@link NoClassDefFoundError} when one is absent.
 * A library whose classes are present but whose native code does not load is logged once as a warning (it
 * was meant to be used); an absent library is logged at debug level.
 */
final class OptionalCodings {
    private static final Logger log = LoggerFactory.getLogger(OptionalCodings.class);

    private OptionalCodings() {}

    static boolean brotli() {
        return Brotli.AVAILABLE;
    }

    static boolean zstd() {
        return Zstd.AVAILABLE;
    }

    private static final class Brotli {
        static final boolean AVAILABLE = present("br", "com.aayushatharva.brotli4j.decoder.DecoderJNI", "brotli4j")
                && loaded(
                        "br",
                        "brotli4j (is its native jar for this platform, com.aayushatharva.brotli4j:native-*, there?)");

        private static @Nullable Throwable load() {
            return BrotliDecoder.loadNative();
        }
    }

    private static final class Zstd {
        static final boolean AVAILABLE =
                present("zstd", "com.github.luben.zstd.ZstdDecompressCtx", "zstd-jni") && loaded("zstd", "zstd-jni");

        private static @Nullable Throwable load() {
            return ZstdDecoder.loadNative();
        }
    }

    private static boolean present(String coding, String className, String library) {
        try {
            Class.forName(className, false, OptionalCodings.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            log.debug("{} not found: the {} content coding is neither asked for nor decoded", library, coding);
            return false;
        }
    }

    private static boolean loaded(String coding, String library) {
        Throwable failure;
        try {
            failure = coding.equals("br") ? Brotli.load() : Zstd.load();
        } catch (LinkageError | RuntimeException e) {
            failure = e;
        }
        if (failure == null) return true;
        log.warn(
                "{} is on the class path but its native code did not load: the {} content coding is neither asked"
                        + " for nor decoded",
                library,
                coding,
                failure);
        return false;
    }
}
