package io.aioduct.policy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The public-suffix check of RFC 6265bis section 5.7 step 9: whether a {@code Domain} attribute names a
 * suffix under which anyone may register a name ({@code com}, {@code co.uk}, {@code github.io}), so that
 * no server sets a cookie for every site below it. The rules are Mozilla's public-suffix list
 * (publicsuffix.org, MPL-2.0), ICANN and private sections both, as browsers use it; the build copies the
 * list from the maintained copy Apache HttpClient publishes on Maven Central ({@code
 * public-suffix-list.source.version} in the parent pom), so refreshing it is a version bump.
 *
 * <p>Loaded once, on first use (about 10,000 rules, a few milliseconds); immutable and thread-safe after.
 * A missing list is a build error: loading fails with an {@link IllegalStateException} rather than let
 * every suffix through.
 */
final class PublicSuffixes {
    static final String RESOURCE = "public_suffix_list.dat";

    private final Set<String> rules;
    private final Set<String> wildcards;
    private final Set<String> exceptions;

    private PublicSuffixes(Set<String> rules, Set<String> wildcards, Set<String> exceptions) {
        this.rules = rules;
        this.wildcards = wildcards;
        this.exceptions = exceptions;
    }

    /** The list shipped with the engine. */
    static PublicSuffixes shipped() {
        return Shipped.LIST;
    }

    private static final class Shipped {
        static final PublicSuffixes LIST = load();

        private static PublicSuffixes load() {
            InputStream in = PublicSuffixes.class.getResourceAsStream(RESOURCE);
            if (in == null) {
                throw new IllegalStateException("the public-suffix list " + RESOURCE + " is missing from the "
                        + "io.aioduct.policy package: the build copies it there (maven-dependency-plugin)");
            }
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                return parse(reader);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the public-suffix list " + RESOURCE, e);
            }
        }
    }

    /** Reads the list's format: one rule a line, {@code //} comments, {@code *.} wildcards, {@code !} exceptions. */
    static PublicSuffixes parse(BufferedReader reader) throws IOException {
        Set<String> rules = new HashSet<>(16_384);
        Set<String> wildcards = new HashSet<>(256);
        Set<String> exceptions = new HashSet<>(32);
        String line;
        while ((line = reader.readLine()) != null) {
            int space = line.indexOf(' ');
            String rule = (space < 0 ? line : line.substring(0, space)).strip();
            if (rule.isEmpty() || rule.startsWith("//")) continue;
            if (rule.startsWith("!")) {
                add(exceptions, rule.substring(1));
            } else if (rule.startsWith("*.")) {
                add(wildcards, rule.substring(2));
            } else {
                add(rules, rule);
            }
        }
        return new PublicSuffixes(Set.copyOf(rules), Set.copyOf(wildcards), Set.copyOf(exceptions));
    }

    private static void add(Set<String> into, String rule) {
        String ascii = toAscii(rule);
        if (ascii != null) into.add(ascii);
    }

    /**
     * True when {@code domain} (lower case, ASCII or Unicode, no leading dot) is a public suffix: its
     * prevailing rule is itself. A single label no rule names is one too (the list's implicit {@code *}
     * rule), so {@code Domain=localhost} or an unknown top-level domain is refused like {@code Domain=com}.
     */
    boolean isPublicSuffix(String domain) {
        String d = toAscii(domain);
        if (d == null || d.isEmpty()) return true;
        if (exceptions.contains(d)) return false;
        if (rules.contains(d)) return true;
        int dot = d.indexOf('.');
        if (dot < 0) return true;
        return wildcards.contains(d.substring(dot + 1));
    }

    private static @Nullable String toAscii(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (int i = 0; i < lower.length(); i++) {
            if (lower.charAt(i) >= 0x80) {
                try {
                    return IDN.toASCII(lower, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
                } catch (IllegalArgumentException notAName) {
                    return null;
                }
            }
        }
        return lower;
    }
}
