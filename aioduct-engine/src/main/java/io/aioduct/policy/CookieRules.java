package io.aioduct.policy;

import java.net.URI;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** The matching rules of RFC 6265bis section 5.1: hosts, domains and paths. Stateless. */
final class CookieRules {
    private CookieRules() {}

    /** The canonical host of {@code uri} (5.1.2): lower case, an IPv6 literal without brackets; or null. */
    static @Nullable String host(URI uri) {
        String host = uri.getHost();
        if (host == null || host.isEmpty()) return null;
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        if (host.endsWith(".")) host = host.substring(0, host.length() - 1);
        return host.toLowerCase(Locale.ROOT);
    }

    /** Whether {@code uri} is a secure protocol for cookies: https (and wss). */
    static boolean isSecure(URI uri) {
        String scheme = uri.getScheme();
        return "https".equalsIgnoreCase(scheme) || "wss".equalsIgnoreCase(scheme);
    }

    /** The request path of {@code uri}, as sent (still percent-encoded), {@code /} when empty. */
    static String path(URI uri) {
        String path = uri.getRawPath();
        return path == null || path.isEmpty() ? "/" : path;
    }

    /** Whether {@code host} is an IP address literal (v4 dotted or v6), which only ever matches itself. */
    static boolean isIpLiteral(String host) {
        if (host.indexOf(':') >= 0) return true;
        if (host.isEmpty()) return false;
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) return false;
        }
        return true;
    }

    /**
     * 5.1.3: {@code host} is {@code domain}, or a host name (not an IP) ending in {@code "." + domain}.
     * Both canonical (lower case, ASCII).
     */
    static boolean domainMatches(String host, String domain) {
        if (host.equals(domain)) return true;
        return !isIpLiteral(host)
                && host.length() > domain.length()
                && host.endsWith(domain)
                && host.charAt(host.length() - domain.length() - 1) == '.';
    }

    /** 5.1.4: the directory of the request path, {@code /} for a path with one segment or none. */
    static String defaultPath(String requestPath) {
        int last = requestPath.lastIndexOf('/');
        return !requestPath.startsWith("/") || last <= 0 ? "/" : requestPath.substring(0, last);
    }

    /** 5.1.4: equal, or {@code cookiePath} a prefix ending in '/' or followed by '/' in the request path. */
    static boolean pathMatches(String requestPath, String cookiePath) {
        if (requestPath.equals(cookiePath)) return true;
        return requestPath.startsWith(cookiePath)
                && (cookiePath.endsWith("/") || requestPath.charAt(cookiePath.length()) == '/');
    }
}
