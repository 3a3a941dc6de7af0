package io.aioduct.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * br and zstd are asked for and decoded only where their library is present: with brotli4j and zstd-jni
 * on the class path (the test scope has them) the default {@code Accept-Encoding} is {@code gzip, deflate,
 * br, zstd}; with them hidden (the engine's classes loaded again in a class loader that cannot see the
 * libraries, as an application without them would) it is {@code gzip, deflate}, {@code isAvailable} says
 * false, {@code withCodings("br")} is refused, no decoder is made for them, and nothing throws {@link
 * NoClassDefFoundError} on the way. How a response in a coding that is not asked for is handed back raw is
 * {@code BrotliZstdDecompressionTest.aClientThatDoesNotAskForBrOrZstdGetsThemRaw}.
 */
class OptionalCodingsTest {
    private static final List<String> HIDDEN = List.of("com.aayushatharva.", "com.github.luben.");

    @Test
    void withTheLibrariesBrAndZstdAreAdvertisedAfterGzipAndDeflate() {
        assertThat(Decompression.isAvailable("br")).isTrue();
        assertThat(Decompression.isAvailable("ZSTD")).isTrue();
        assertThat(Decompression.isAvailable("compress")).isFalse();
        assertThat(Decompression.defaults().acceptEncoding()).isEqualTo("gzip, deflate, br, zstd");
        assertThat(Decompression.defaults().codings()).containsExactly("gzip", "deflate", "br", "zstd");
        assertThat(Decompression.defaults().withCodings("zstd", "br", "gzip").acceptEncoding())
                .isEqualTo("zstd, br, gzip");
        assertThat(Decompression.defaults().decodes("br")).isTrue();
    }

    @Test
    void withoutTheLibrariesBrAndZstdAreNeitherAdvertisedNorDecoded() throws Exception {
        try (Isolated loader = new Isolated()) {
            Class<?> decompression = loader.loadClass(Decompression.class.getName());
            assertThat(decompression.getClassLoader()).isSameAs(loader);
            Object defaults = call(decompression, null, "defaults");

            assertThat(call(decompression, null, "isAvailable", "br")).isEqualTo(false);
            assertThat(call(decompression, null, "isAvailable", "zstd")).isEqualTo(false);
            assertThat(call(decompression, null, "isAvailable", "gzip")).isEqualTo(true);
            assertThat(call(decompression, defaults, "acceptEncoding")).isEqualTo("gzip, deflate");
            assertThat(call(decompression, defaults, "decodes", "br")).isEqualTo(false);
            assertThat(call(decompression, defaults, "decodes", "zstd")).isEqualTo(false);
            Method withCodings = decompression.getMethod("withCodings", String[].class);
            assertThatThrownBy(() -> invoke(withCodings, defaults, (Object) new String[] {"gzip", "br"}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the content coding br is not decoded by this client");

            Class<?> decoder = loader.loadClass("io.aioduct.body.ContentDecoder");
            assertThat(call(decoder, null, "available", "zstd")).isEqualTo(false);
            Method forCodings = decoder.getMethod("forCodings", List.class);
            assertThatThrownBy(() -> invoke(forCodings, null, List.of("zstd")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("no decoder for zstd");
            // gzip still decodes in there: the decoder classes link without the libraries.
            Object gzip = invoke(forCodings, null, List.of("gzip"));
            assertThat(call(decoder, gzip, "coding")).isEqualTo("gzip");
            call(decoder, gzip, "end");
        }
    }

    private static Object call(Class<?> type, Object target, String name, Object... args) throws Exception {
        for (Method m : type.getMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == args.length) return invoke(m, target, args);
        }
        throw new NoSuchMethodException(name);
    }

    private static Object invoke(Method m, Object target, Object... args) throws Exception {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception x) throw x;
            throw new AssertionError("thrown by " + m, e.getCause());
        }
    }

    /**
     * Loads the engine's classes ({@code io.aioduct.*}) anew from its class directory and refuses the
     * libraries' classes and resources; everything else comes from the test's own class loader.
     */
    private static final class Isolated extends URLClassLoader {
        Isolated() {
            super(
                    new URL[] {
                        Objects.requireNonNull(Decompression.class
                                .getProtectionDomain()
                                .getCodeSource()
                                .getLocation())
                    },
                    OptionalCodingsTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            for (String prefix : HIDDEN) {
                if (name.startsWith(prefix)) throw new ClassNotFoundException(name + " (hidden by the test)");
            }
            if (!name.startsWith("io.aioduct.")) return super.loadClass(name, resolve);
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) c = findClass(name);
                if (resolve) resolveClass(c);
                return c;
            }
        }

        @Override
        public URL getResource(String name) {
            return hidden(name) ? null : super.getResource(name);
        }

        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
            return hidden(name) ? java.util.Collections.emptyEnumeration() : super.getResources(name);
        }

        private static boolean hidden(String resource) {
            String dotted = resource.replace('/', '.');
            return HIDDEN.stream().anyMatch(dotted::startsWith)
                    || resource.contains("zstd")
                    || resource.contains("brotli");
        }
    }
}
