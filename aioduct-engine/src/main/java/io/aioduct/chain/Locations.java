package io.aioduct.chain;

import java.net.IDN;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Where a {@code Location} points: the reference made valid ({@link #encode}) and resolved against the URI
 * of the request that got it ({@link #resolve}), written to RFC 3986 §5.2 by hand. {@link java.net.URI#resolve}
 * is not used because it deviates from §5.2.2: {@code "?y"} against {@code /b/c/d;p?q} gives {@code /b/c/?y}
 * (RFC: {@code /b/c/d;p?y}), the empty reference drops the last segment, and {@code "../../../g"} keeps the
 * {@code ..} ({@code /../g}; RFC: {@code /g}). And {@code URI} refuses the raw spaces and non-ASCII a
 * server sends, where browsers percent-encode them and go on. Stateless.
 */
final class Locations {
    /** RFC 3986 Appendix B: splits any string into scheme, authority, path, query and fragment. */
    private static final Pattern REFERENCE =
            Pattern.compile("^(([^:/?#]+):)?(//([^/?#]*))?([^?#]*)(\\?([^#]*))?(#(.*))?");

    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*");

    /** RFC 3986 pchar plus '/' and '?': what a path, query or fragment may hold unencoded. */
    private static final boolean[] ALLOWED = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) ALLOWED[c] = true;
        for (char c = 'a'; c <= 'z'; c++) ALLOWED[c] = true;
        for (char c = 'A'; c <= 'Z'; c++) ALLOWED[c] = true;
        for (char c : "-._~!$&'()*+,;=:@/?".toCharArray()) ALLOWED[c] = true;
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Locations() {}

    /** A URI reference split into its five components (RFC 3986 §5.2.1); an absent one is null. */
    record Parts(
            @Nullable String scheme,
            @Nullable String authority,
            String path,
            @Nullable String query,
            @Nullable String fragment) {

        static Parts of(String reference) {
            Matcher m = REFERENCE.matcher(reference);
            if (!m.matches()) throw new IllegalArgumentException("not a URI reference: '" + reference + "'");
            return new Parts(m.group(2), m.group(4), m.group(5), m.group(7), m.group(9));
        }

        /** RFC 3986 §5.3, component recomposition. */
        @Override
        public String toString() {
            StringBuilder out = new StringBuilder();
            if (scheme != null) out.append(scheme).append(':');
            if (authority != null) out.append("//").append(authority);
            out.append(path);
            if (query != null) out.append('?').append(query);
            if (fragment != null) out.append('#').append(fragment);
            return out.toString();
        }
    }

    /**
     * {@code location} (a header value: its bytes read as UTF-8 where they are) as a valid URI reference:
     * surrounding white space dropped; in the path, query and
     * fragment every character RFC 3986 does not allow there (space, {@code "<>\^`{|}[]}, controls, non-ASCII)
     * percent-encoded as UTF-8, and a {@code %} not followed by two hex digits encoded as {@code %25}; existing
     * escapes are kept as they are (never encoded twice). A non-ASCII host becomes its IDNA ASCII form.
     *
     * @throws IllegalArgumentException if the host is not a valid internationalised domain name
     */
    static String encode(String location) {
        Parts p = Parts.of(asUtf8(location.strip()));
        String authority = p.authority() == null ? null : asciiAuthority(p.authority());
        return new Parts(
                        p.scheme(),
                        authority,
                        encodeComponent(p.path()),
                        p.query() == null ? null : encodeComponent(p.query()),
                        p.fragment() == null ? null : encodeComponent(p.fragment()))
                .toString();
    }

    /**
     * The target of {@code reference} (already {@link #encode encoded}) relative to the absolute {@code base}:
     * RFC 3986 §5.2.2 (strict: a reference with a scheme is absolute even when it is the base's scheme), with
     * §5.2.3 merge and §5.2.4 dot-segment removal. The reference's fragment is kept, the base's never is.
     *
     * @throws IllegalArgumentException if {@code reference} has an invalid scheme
     */
    static String resolve(String base, String reference) {
        Parts b = Parts.of(base);
        Parts r = Parts.of(reference);
        String scheme = b.scheme();
        String authority;
        String path;
        String query;
        if (r.scheme() != null) {
            if (!SCHEME.matcher(r.scheme()).matches()) {
                throw new IllegalArgumentException("invalid scheme '" + r.scheme() + "' in '" + reference + "'");
            }
            scheme = r.scheme().toLowerCase(Locale.ROOT);
            authority = r.authority();
            path = removeDotSegments(r.path());
            query = r.query();
        } else if (r.authority() != null) {
            authority = r.authority();
            path = removeDotSegments(r.path());
            query = r.query();
        } else {
            authority = b.authority();
            if (r.path().isEmpty()) {
                path = b.path();
                query = r.query() != null ? r.query() : b.query();
            } else {
                path = removeDotSegments(r.path().startsWith("/") ? r.path() : merge(b, r.path()));
                query = r.query();
            }
        }
        return new Parts(scheme, authority, path, query, r.fragment()).toString();
    }

    /**
     * The header value as the server meant it: field values reach us one char per byte (ISO-8859-1), but a
     * server that puts non-ASCII in a {@code Location} sends UTF-8 (as browsers read it, WHATWG Fetch), so
     * bytes that form valid UTF-8 are read as UTF-8; anything else stays as it came.
     */
    private static String asUtf8(String value) {
        boolean high = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c > 0xFF) return value;
            high |= c >= 0x80;
        }
        if (!high) return value;
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value.getBytes(StandardCharsets.ISO_8859_1)))
                    .toString();
        } catch (CharacterCodingException notUtf8) {
            return value;
        }
    }

    /** RFC 3986 §5.2.3: a relative path appended to the base path's directory. */
    private static String merge(Parts base, String path) {
        if (base.authority() != null && base.path().isEmpty()) {
            return "/" + path;
        }
        return base.path().substring(0, base.path().lastIndexOf('/') + 1) + path;
    }

    /** RFC 3986 §5.2.4, the input-buffer algorithm step by step ({@code ..} never climbs above the root). */
    static String removeDotSegments(String path) {
        if (path.indexOf('.') < 0) return path;
        String in = path;
        StringBuilder out = new StringBuilder(path.length());
        while (!in.isEmpty()) {
            if (in.startsWith("../")) {
                in = in.substring(3); // A
            } else if (in.startsWith("./")) {
                in = in.substring(2); // A
            } else if (in.startsWith("/./")) {
                in = in.substring(2); // B
            } else if (in.equals("/.")) {
                in = "/"; // B
            } else if (in.startsWith("/../")) {
                in = in.substring(3); // C
                dropLastSegment(out);
            } else if (in.equals("/..")) {
                in = "/"; // C
                dropLastSegment(out);
            } else if (in.equals(".") || in.equals("..")) {
                in = ""; // D
            } else {
                int end = in.indexOf('/', 1); // E
                if (end < 0) end = in.length();
                out.append(in, 0, end);
                in = in.substring(end);
            }
        }
        return out.toString();
    }

    private static void dropLastSegment(StringBuilder out) {
        out.setLength(Math.max(out.lastIndexOf("/"), 0));
    }

    private static String encodeComponent(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean keep = c < 128 && ALLOWED[c] || c == '%' && isEscape(s, i);
            if (keep) {
                if (out != null) out.append(c);
                continue;
            }
            if (out == null) out = new StringBuilder(s.length() + 16).append(s, 0, i);
            int end = i + 1;
            if (Character.isHighSurrogate(c) && end < s.length() && Character.isLowSurrogate(s.charAt(end))) end++;
            for (byte b : s.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
                out.append('%').append(HEX[(b >> 4) & 15]).append(HEX[b & 15]);
            }
            i = end - 1;
        }
        return out == null ? s : out.toString();
    }

    private static boolean isEscape(String s, int i) {
        return i + 2 < s.length() && isHex(s.charAt(i + 1)) && isHex(s.charAt(i + 2));
    }

    private static boolean isHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    /** The authority with a non-ASCII host in its IDNA form (user info and port untouched). */
    private static String asciiAuthority(String authority) {
        if (authority.chars().allMatch(c -> c < 128)) return authority;
        int at = authority.lastIndexOf('@');
        String userInfo = authority.substring(0, at + 1);
        String hostPort = authority.substring(at + 1);
        int colon = hostPort.lastIndexOf(':');
        String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        String port = colon < 0 ? "" : hostPort.substring(colon);
        return userInfo + IDN.toASCII(host, IDN.ALLOW_UNASSIGNED) + port;
    }
}
