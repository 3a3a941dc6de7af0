package io.aioduct.syntax;

import io.aioduct.Origin;
import java.nio.charset.StandardCharsets;

/**
 * Parses absolute http/https URLs into an {@link Origin} and a request target, rejecting anything
 * malformed with a message that names the problem and where it is. Fragments are dropped (they are
 * never sent). Remembers the last scheme and authority it parsed, with their {@link Origin}: an
 * application sends to the same few origins over and over, and a URL starting with exactly the same
 * text gets the same origin without parsing, validating and allocating it again.
 */
public final class UrlParser {

    /** A parsed URL: where to connect and what to ask for (path plus query, already encoded). */
    public record ParsedUrl(Origin origin, String target) {}

    /** The text up to the end of the authority ({@code http://host:port}) of a URL parsed before, and its origin. */
    private record Prefix(String text, Origin origin) {}

    // Immutable and published through final fields: a racy read sees a whole Prefix or an older one.
    private static @org.jspecify.annotations.Nullable Prefix last;

    private static final boolean[] PCHAR = new boolean[128];
    private static final boolean[] HOST = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) PCHAR[c] = HOST[c] = true;
        for (char c = 'a'; c <= 'z'; c++) PCHAR[c] = HOST[c] = true;
        for (char c = 'A'; c <= 'Z'; c++) PCHAR[c] = HOST[c] = true;
        // unreserved, sub-delims, ':' and '@' (RFC 3986 pchar) plus '/' for paths and '?' for queries.
        for (char c : "-._~!$&'()*+,;=:@/?".toCharArray()) PCHAR[c] = true;
        for (char c : "-._~".toCharArray()) HOST[c] = true;
    }

    private UrlParser() {}

    public static ParsedUrl parse(String url) {
        if (url == null) {
            throw new IllegalArgumentException("URL is null");
        }
        if (url.isEmpty()) {
            throw new IllegalArgumentException("URL is empty");
        }
        Prefix known = last;
        if (known != null) {
            int n = known.text().length();
            if (url.startsWith(known.text()) && (url.length() == n || isAuthorityEnd(url.charAt(n)))) {
                return new ParsedUrl(known.origin(), target(url, n));
            }
        }
        int schemeEnd = url.indexOf("://");
        if (schemeEnd <= 0) {
            throw new IllegalArgumentException(
                    "URL '" + url + "' has no scheme; expected it to start with http:// or https://");
        }
        String scheme = url.substring(0, schemeEnd);
        if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
            throw new IllegalArgumentException(
                    "URL '" + url + "' has unsupported scheme '" + scheme + "'; only http and https are supported");
        }
        scheme = scheme.equalsIgnoreCase("http") ? "http" : "https";
        int authStart = schemeEnd + 3;
        int authEnd = authStart;
        while (authEnd < url.length() && !isAuthorityEnd(url.charAt(authEnd))) {
            authEnd++;
        }
        if (url.lastIndexOf('@', authEnd - 1) >= authStart) {
            throw new IllegalArgumentException(
                    "URL '" + url
                            + "' has user info before the host; credentials in URLs are not supported, send an Authorization header");
        }
        String host;
        int port = Origin.defaultPort(scheme);
        int portStart = -1;
        if (authStart < authEnd && url.charAt(authStart) == '[') {
            int close = url.indexOf(']', authStart);
            if (close < 0 || close >= authEnd) {
                throw new IllegalArgumentException("URL '" + url + "' has an IPv6 host without a closing ']'");
            }
            host = url.substring(authStart + 1, close);
            checkIpv6(url, host);
            if (close + 1 < authEnd) {
                if (url.charAt(close + 1) != ':') {
                    throw new IllegalArgumentException("URL '" + url + "' has unexpected text after the IPv6 host");
                }
                portStart = close + 2;
            }
        } else {
            int colon = url.indexOf(':', authStart);
            int hostEnd = colon >= 0 && colon < authEnd ? colon : authEnd;
            host = url.substring(authStart, hostEnd);
            if (host.isEmpty()) {
                throw new IllegalArgumentException("URL '" + url + "' has an empty host");
            }
            for (int i = 0; i < host.length(); i++) {
                char c = host.charAt(i);
                if (c >= 128 || !HOST[c]) {
                    throw new IllegalArgumentException("URL '" + url + "' host '" + host + "' has an illegal character "
                            + HeaderRules.describe(c) + " at index " + (authStart + i));
                }
            }
            if (hostEnd < authEnd) {
                portStart = hostEnd + 1;
            }
        }
        if (portStart >= 0) {
            port = parsePort(url, portStart, authEnd);
        }
        String target = target(url, authEnd);
        Origin origin = new Origin(scheme, host, port);
        last = new Prefix(url.substring(0, authEnd), origin);
        return new ParsedUrl(origin, target);
    }

    private static boolean isAuthorityEnd(char c) {
        return c == '/' || c == '?' || c == '#';
    }

    private static void checkIpv6(String url, String host) {
        if (host.isEmpty()) {
            throw new IllegalArgumentException("URL '" + url + "' has an empty IPv6 host");
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok =
                    (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
            if (!ok) {
                throw new IllegalArgumentException("URL '" + url + "' IPv6 host '" + host
                        + "' has an illegal character " + HeaderRules.describe(c));
            }
        }
        if (host.indexOf(':') < 0 || !io.netty.util.NetUtil.isValidIpV6Address(host)) {
            throw new IllegalArgumentException("URL '" + url + "' host '[" + host + "]' is not an IPv6 address");
        }
    }

    private static int parsePort(String url, int start, int end) {
        if (start >= end) {
            throw new IllegalArgumentException("URL '" + url + "' has an empty port after ':'");
        }
        if (end - start > 5) {
            throw new IllegalArgumentException(
                    "URL '" + url + "' port '" + url.substring(start, end) + "' is not in 1..65535");
        }
        int port = 0;
        for (int i = start; i < end; i++) {
            char c = url.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException(
                        "URL '" + url + "' port '" + url.substring(start, end) + "' is not a number");
            }
            port = port * 10 + (c - '0');
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("URL '" + url + "' port " + port + " is not in 1..65535");
        }
        return port;
    }

    private static String target(String url, int start) {
        int end = url.indexOf('#', start);
        if (end < 0) end = url.length();
        if (start == end) {
            return "/";
        }
        for (int i = start; i < end; i++) {
            char c = url.charAt(i);
            if (c == '%') {
                if (i + 2 >= end || hex(url.charAt(i + 1)) < 0 || hex(url.charAt(i + 2)) < 0) {
                    throw new IllegalArgumentException(
                            "URL '" + url + "' has a malformed percent-escape at index " + i);
                }
                i += 2;
            } else if (c >= 128 || !PCHAR[c]) {
                throw new IllegalArgumentException(
                        "URL '" + url + "' has an illegal character " + HeaderRules.describe(c) + " at index " + i
                                + "; percent-encode it (query parameters added with query(name, value) are encoded for you)");
            }
        }
        String target = url.substring(start, end);
        return target.charAt(0) == '?' ? "/" + target : target;
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** Percent-encodes a query name or value: RFC 3986 unreserved characters stay, the rest is UTF-8 %XX. */
    public static void encodeQueryComponent(String s, StringBuilder out) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '.'
                    || c == '_'
                    || c == '~') {
                out.append(c);
            } else if (c < 128) {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 15]);
            } else {
                int end = i + 1;
                if (Character.isHighSurrogate(c) && end < s.length()) end++;
                for (byte b : s.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
                    out.append('%').append(HEX[(b >> 4) & 15]).append(HEX[b & 15]);
                }
                i = end - 1;
            }
        }
    }
}
