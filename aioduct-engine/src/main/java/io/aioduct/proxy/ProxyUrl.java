package io.aioduct.proxy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads a proxy written as a URL, the way {@code HTTP_PROXY} and friends hold it: {@code
 * [scheme://][user[:password]@]host[:port][/]}. Credentials are percent-decoded (UTF-8). Every error names
 * where the value came from and never shows the password.
 */
final class ProxyUrl {
    /** The conventional SOCKS port (RFC 1928); curl also uses it for an HTTP proxy given without a port. */
    static final int SOCKS_PORT = 1080;

    private ProxyUrl() {}

    /**
     * @param source where the value came from, for messages (say {@code HTTPS_PROXY})
     * @throws IllegalArgumentException naming {@code source}, the value without its password, and the problem
     */
    static Proxy parse(String source, String value) {
        String v = value.strip();
        String scheme = "http";
        String rest = v;
        int sep = v.indexOf("://");
        if (sep >= 0) {
            scheme = v.substring(0, sep).toLowerCase(Locale.ROOT);
            rest = v.substring(sep + 3);
        }
        Proxy.Type type = switch (scheme) {
            case "http" -> Proxy.Type.HTTP;
            // Our SOCKS clients always let the proxy resolve the origin's name (socks5h, socks4a behaviour).
            case "socks5", "socks5h" -> Proxy.Type.SOCKS5;
            case "socks4", "socks4a" -> Proxy.Type.SOCKS4;
            case "https" ->
                throw bad(
                        source,
                        v,
                        "an https:// proxy (TLS to the proxy itself) is not supported; "
                                + "write http:// for a proxy that tunnels https with CONNECT");
            default ->
                throw bad(
                        source, v, "the scheme '" + scheme + "' is not one of http, socks5, socks5h, socks4, socks4a");
        };
        // The last '@' ends the credentials: a password may hold '/', '?', '#' or '@' unescaped.
        int at = rest.lastIndexOf('@');
        String userInfo = at >= 0 ? rest.substring(0, at) : null;
        String location = rest.substring(at + 1);
        int end = location.length();
        for (int i = 0; i < location.length(); i++) {
            char c = location.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        String after = location.substring(end);
        if (!after.isEmpty() && !after.equals("/")) {
            throw bad(source, v, "a proxy URL has no path, query or fragment");
        }
        String hostPort = location.substring(0, end);
        String host;
        String portText = null;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) throw bad(source, v, "the IPv6 host has '[' without ']'");
            host = hostPort.substring(1, close);
            String tail = hostPort.substring(close + 1);
            if (!tail.isEmpty()) {
                if (!tail.startsWith(":")) throw bad(source, v, "text after the IPv6 host is not ':port'");
                portText = tail.substring(1);
            }
        } else {
            int colon = hostPort.indexOf(':');
            if (colon >= 0 && hostPort.indexOf(':', colon + 1) >= 0) {
                throw bad(source, v, "an IPv6 host must be in brackets, as in http://[::1]:3128");
            }
            host = colon >= 0 ? hostPort.substring(0, colon) : hostPort;
            portText = colon >= 0 ? hostPort.substring(colon + 1) : null;
        }
        if (host.isEmpty()) throw bad(source, v, "there is no host");
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c <= ' ' || c == '%' || c == '\\' || c == '"' || c == '<' || c == '>' || c >= 0x7f) {
                throw bad(source, v, "the host has a character a host name cannot have");
            }
        }
        int port = type == Proxy.Type.HTTP ? 80 : SOCKS_PORT;
        if (portText != null) {
            port = -1;
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException ignored) {
                // reported below
            }
            if (port < 1 || port > 65535) throw bad(source, v, "the port is not a number in 1..65535");
        }
        Proxy proxy = switch (type) {
            case HTTP -> Proxy.http(host, port);
            case SOCKS5 -> Proxy.socks5(host, port);
            case SOCKS4 -> Proxy.socks4(host, port);
        };
        return userInfo == null ? proxy : withCredentials(source, v, proxy, userInfo);
    }

    private static Proxy withCredentials(String source, String v, Proxy proxy, String userInfo) {
        int colon = userInfo.indexOf(':');
        String user = decode(source, v, colon >= 0 ? userInfo.substring(0, colon) : userInfo);
        String password = colon >= 0 ? decode(source, v, userInfo.substring(colon + 1)) : "";
        if (user.isEmpty()) throw bad(source, v, "the credentials have an empty username");
        if (proxy.type() == Proxy.Type.SOCKS4 && !password.isEmpty()) {
            throw bad(source, v, "a SOCKS4 proxy takes a user id only, no password");
        }
        try {
            return proxy.withCredentials(user, password);
        } catch (IllegalArgumentException e) {
            throw bad(source, v, e.getMessage());
        }
    }

    /** Percent-decoding as RFC 3986 has it ('+' stays '+'), the bytes read as UTF-8. */
    private static String decode(String source, String v, String s) {
        if (s.indexOf('%') < 0) return s;
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '%') {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
                continue;
            }
            int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
            int lo = i + 2 < s.length() ? Character.digit(s.charAt(i + 2), 16) : -1;
            if (hi < 0 || lo < 0) throw bad(source, v, "the credentials have a '%' not followed by two hex digits");
            out.write(hi * 16 + lo);
            i += 2;
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw bad(source, v, "the percent-decoded credentials are not UTF-8");
        }
    }

    private static IllegalArgumentException bad(String source, String value, String problem) {
        return new IllegalArgumentException(source + "=" + redacted(value) + ": " + problem);
    }

    /** {@code value} with the password, if any, replaced by {@code ****}. */
    static String redacted(String value) {
        int sep = value.indexOf("://");
        int start = sep >= 0 ? sep + 3 : 0;
        int at = value.lastIndexOf('@');
        if (at < start) return value;
        int colon = value.indexOf(':', start);
        if (colon < 0 || colon > at) return value;
        return value.substring(0, colon + 1) + "****" + value.substring(at);
    }
}
