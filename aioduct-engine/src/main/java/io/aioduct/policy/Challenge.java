package io.aioduct.policy;

import io.aioduct.HttpHeaders;
import io.aioduct.Response;
import io.aioduct.syntax.Credentials;
import io.aioduct.syntax.HeaderRules;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One authentication challenge from a {@code WWW-Authenticate} (401) or {@code Proxy-Authenticate} (407)
 * field: an auth-scheme with either a token68 or auth-params (RFC 9110 11.2 and 11.6). Parsing follows the
 * RFC: a field may hold several challenges, a response several fields; parameter values are tokens or
 * quoted-strings (with {@code \}-escapes undone); the scheme and the parameter names are case-insensitive
 * (names are kept in lower case). Immutable and thread-safe.
 *
 * <p>Parsing is lenient where browsers are: a challenge that breaks the grammar (an unterminated quote, a
 * parameter without '=') ends that field's parsing, keeping the challenges before it; a repeated parameter
 * keeps its first value (RFC 9110 11.2 says each name occurs once).
 */
public final class Challenge {
    private final String scheme;
    private final @Nullable String token68;
    private final Map<String, String> parameters;

    private Challenge(String scheme, @Nullable String token68, Map<String, String> parameters) {
        this.scheme = scheme;
        this.token68 = token68;
        this.parameters = parameters;
    }

    /** The auth-scheme as the server spelled it, e.g. {@code Basic} or {@code Digest}. */
    public String scheme() {
        return scheme;
    }

    /** Whether the scheme is {@code name}, ignoring case. */
    public boolean hasScheme(String name) {
        return scheme.equalsIgnoreCase(name);
    }

    /** The token68 the challenge carries instead of parameters, or null. */
    public @Nullable String token68() {
        return token68;
    }

    /** The auth-params, names in lower case, in the order sent; unmodifiable (empty for a token68). */
    public Map<String, String> parameters() {
        return parameters;
    }

    /** The value of parameter {@code name} (any case), or null. */
    public @Nullable String parameter(String name) {
        return parameters.get(name.toLowerCase(Locale.ROOT));
    }

    /** The {@code realm} parameter, or null. */
    public @Nullable String realm() {
        return parameter("realm");
    }

    /**
     * The challenges of {@code response}: from its {@code WWW-Authenticate} fields for a 401, its {@code
     * Proxy-Authenticate} fields for a 407, none for any other status.
     */
    public static List<Challenge> of(Response response) {
        return switch (response.status()) {
            case 401 -> parse(response.headers(), "WWW-Authenticate");
            case 407 -> parse(response.headers(), "Proxy-Authenticate");
            default -> List.of();
        };
    }

    /** The challenges of every {@code fieldName} field in {@code headers}, in order. */
    public static List<Challenge> parse(HttpHeaders headers, String fieldName) {
        List<Challenge> out = new ArrayList<>(2);
        for (String value : headers.all(fieldName)) {
            new Parser(value, out).parse();
        }
        return Collections.unmodifiableList(out);
    }

    /** The challenges in one field value, in order. */
    public static List<Challenge> parse(String fieldValue) {
        List<Challenge> out = new ArrayList<>(2);
        new Parser(Objects.requireNonNull(fieldValue, "fieldValue"), out).parse();
        return Collections.unmodifiableList(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Challenge c
                && scheme.equalsIgnoreCase(c.scheme)
                && Objects.equals(token68, c.token68)
                && parameters.equals(c.parameters);
    }

    @Override
    public int hashCode() {
        return Objects.hash(scheme.toLowerCase(Locale.ROOT), token68, parameters);
    }

    /** The challenge as it could be sent (parameters quoted); challenges carry no credentials. */
    @Override
    public String toString() {
        if (token68 != null) return scheme + " " + token68;
        StringBuilder sb = new StringBuilder(scheme);
        String sep = " ";
        for (Map.Entry<String, String> e : parameters.entrySet()) {
            sb.append(sep).append(e.getKey()).append("=");
            quote(e.getValue(), sb);
            sep = ", ";
        }
        return sb.toString();
    }

    /** Appends {@code value} as a quoted-string, escaping '"' and '\'. */
    static void quote(String value, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') sb.append('\\');
            sb.append(c);
        }
        sb.append('"');
    }

    /**
     * One field value, read left to right. The grammar is a comma list mixing challenges and their params,
     * so after each comma a token followed by '=' continues the current challenge's params, and anything
     * else starts the next challenge.
     */
    private static final class Parser {
        private final String s;
        private final List<Challenge> out;
        private int pos;

        Parser(String s, List<Challenge> out) {
            this.s = s;
            this.out = out;
        }

        void parse() {
            while (true) {
                skipWhitespaceAndCommas();
                if (pos >= s.length()) return;
                String scheme = token();
                if (scheme == null) return; // not a challenge: give up on the rest of this field
                if (!challengeRest(scheme)) return;
            }
        }

        /** Reads what follows {@code scheme}; false when the field turned out malformed. */
        private boolean challengeRest(String scheme) {
            boolean space = skipWhitespace();
            if (pos >= s.length() || s.charAt(pos) == ',' || !space) {
                if (pos < s.length() && s.charAt(pos) != ',') return false;
                out.add(new Challenge(scheme, null, Map.of()));
                return true;
            }
            int start = pos;
            String t68 = token68();
            if (t68 != null) {
                int after = pos;
                skipWhitespace();
                if (pos >= s.length() || s.charAt(pos) == ',') {
                    out.add(new Challenge(scheme, t68, Map.of()));
                    return true;
                }
                pos = after;
            }
            pos = start;
            Map<String, String> params = new LinkedHashMap<>();
            while (true) {
                int paramStart = pos;
                String name = token();
                if (name == null) return false;
                skipWhitespace();
                if (pos >= s.length() || s.charAt(pos) != '=') {
                    if (params.isEmpty()) return false; // "Scheme foo bar": neither token68 nor params
                    pos = paramStart; // the next challenge's scheme
                    break;
                }
                pos++;
                skipWhitespace();
                String value = pos < s.length() && s.charAt(pos) == '"' ? quotedString() : bareValue();
                if (value == null) return false;
                params.putIfAbsent(name.toLowerCase(Locale.ROOT), value);
                skipWhitespace();
                if (pos >= s.length()) break;
                if (s.charAt(pos) != ',') return false;
                skipWhitespaceAndCommas();
                if (pos >= s.length()) break;
            }
            out.add(new Challenge(scheme, null, Collections.unmodifiableMap(params)));
            return true;
        }

        private @Nullable String token() {
            int start = pos;
            while (pos < s.length() && HeaderRules.isTokenChar(s.charAt(pos))) pos++;
            return pos == start ? null : s.substring(start, pos);
        }

        /**
         * An unquoted value: a token by the grammar, but servers send base64 nonces bare, so '/' and '=' are
         * taken too (as curl and browsers do) rather than dropping the challenge.
         */
        private @Nullable String bareValue() {
            int start = pos;
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (!HeaderRules.isTokenChar(c) && c != '/' && c != '=') break;
                pos++;
            }
            return pos == start ? null : s.substring(start, pos);
        }

        private @Nullable String token68() {
            int start = pos;
            while (pos < s.length() && Credentials.isToken68Char(s.charAt(pos))) pos++;
            if (pos == start) return null;
            while (pos < s.length() && s.charAt(pos) == '=') pos++;
            return s.substring(start, pos);
        }

        /** A quoted-string at {@code pos} (the opening quote), unescaped; null if it never ends. */
        private @Nullable String quotedString() {
            StringBuilder sb = new StringBuilder();
            pos++;
            while (pos < s.length()) {
                char c = s.charAt(pos++);
                if (c == '"') return sb.toString();
                if (c == '\\') {
                    if (pos >= s.length()) return null;
                    c = s.charAt(pos++);
                }
                sb.append(c);
            }
            return null;
        }

        private boolean skipWhitespace() {
            int start = pos;
            while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t')) pos++;
            return pos > start;
        }

        private void skipWhitespaceAndCommas() {
            while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t' || s.charAt(pos) == ',')) pos++;
        }
    }
}
