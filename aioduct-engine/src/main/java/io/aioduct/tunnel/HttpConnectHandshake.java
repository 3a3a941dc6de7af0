package io.aioduct.tunnel;

import io.aioduct.proxy.Proxy;
import io.aioduct.proxy.ProxyConnectException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * HTTP {@code CONNECT} (RFC 9110 section 9.3.6): sends {@code CONNECT host:port HTTP/1.1} with {@code Host}
 * and, when given, {@code Proxy-Authorization}; reads the answer's status line and header fields up to the
 * blank line. A 2xx answer opens the tunnel, and every byte after the blank line is the origin's (a 2xx
 * answer to CONNECT has no content, whatever its framing fields say); interim 1xx answers are skipped; a
 * 407 is {@link Reason#AUTHENTICATION_REQUIRED} with the proxy's challenges kept ({@link
 * ProxyChallengeException}), and so is a 401 (tinyproxy's answer to wrong credentials); any other status is {@link Reason#REFUSED} with the status line in the
 * message; an answer that is not HTTP is {@link Reason#PROTOCOL}.
 */
final class HttpConnectHandshake extends Handshake {
    private static final byte[] HTTP_PREFIX = "HTTP/".getBytes(StandardCharsets.US_ASCII);

    private final @Nullable String proxyAuthorization;
    private boolean done;

    HttpConnectHandshake(Proxy proxy, String host, int port, @Nullable String proxyAuthorization) {
        super(proxy, host, port);
        checkFieldValue("host", host);
        if (proxyAuthorization != null) {
            checkFieldValue("proxyAuthorization", proxyAuthorization);
        }
        this.proxyAuthorization = proxyAuthorization;
    }

    /** Refuses what would split the request: a CR, LF or other control character (and a space in the host). */
    private static void checkFieldValue(String what, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f || (c == ' ' && what.equals("host"))) {
                throw new IllegalArgumentException(what + " contains a character a CONNECT request cannot carry");
            }
        }
    }

    @Override
    String protocol() {
        return "CONNECT";
    }

    @Override
    byte[] start() {
        String authority = target();
        StringBuilder request = new StringBuilder(96)
                .append("CONNECT ")
                .append(authority)
                .append(" HTTP/1.1\r\nHost: ")
                .append(authority)
                .append("\r\n");
        if (proxyAuthorization != null) {
            request.append("Proxy-Authorization: ").append(proxyAuthorization).append("\r\n");
        }
        return request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    boolean done() {
        return done;
    }

    @Override
    byte @Nullable [] receive(ByteBuffer in) {
        while (!done) {
            checkLooksLikeHttp(in);
            int end = headerBlockEnd(in);
            if (end < 0) {
                return null;
            }
            byte[] block = new byte[end - in.position()];
            in.get(block);
            answer(new String(block, StandardCharsets.ISO_8859_1));
        }
        return NOTHING;
    }

    /** Fails as soon as the first bytes show the answer is not HTTP, rather than waiting for a blank line. */
    private void checkLooksLikeHttp(ByteBuffer in) {
        int n = Math.min(HTTP_PREFIX.length, in.remaining());
        for (int i = 0; i < n; i++) {
            if (in.get(in.position() + i) != HTTP_PREFIX[i]) {
                throw failure(Reason.PROTOCOL, -1, "the proxy's answer to CONNECT is not HTTP: " + printable(in), null);
            }
        }
    }

    /** The index just past the blank line ending the header block (CRLF CRLF, or bare LF LF), or -1. */
    private static int headerBlockEnd(ByteBuffer in) {
        int lf = -1; // index of the last LF seen
        for (int i = in.position(); i < in.limit(); i++) {
            if (in.get(i) != '\n') {
                continue;
            }
            // A line is empty when the previous LF is right before this one, or separated from it by a CR.
            if (lf >= 0 && (i - lf == 1 || (i - lf == 2 && in.get(i - 1) == '\r'))) {
                return i + 1;
            }
            lf = i;
        }
        return -1;
    }

    private void answer(String block) {
        String[] lines = block.split("\r?\n");
        String statusLine = lines[0];
        int status = status(statusLine);
        if (status >= 100 && status < 200) {
            return; // an interim answer: the final one follows
        }
        if (status >= 200 && status < 300) {
            done = true;
            return;
        }
        // A 401 cannot come from the origin (no tunnel yet): some proxies (tinyproxy) answer wrong credentials so.
        if (status == 407 || status == 401) {
            List<String> challenges = new ArrayList<>(1);
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0
                        && lines[i].substring(0, colon)
                                .trim()
                                .toLowerCase(Locale.ROOT)
                                .equals("proxy-authenticate")) {
                    challenges.add(lines[i].substring(colon + 1).trim());
                }
            }
            String detail = (proxyAuthorization == null
                            ? "the proxy requires authentication and no credentials were given ("
                            : "the proxy rejected the credentials sent (")
                    + statusLine.trim()
                    + (challenges.isEmpty() ? "" : "; Proxy-Authenticate: " + String.join(", ", challenges))
                    + ")";
            if (status == 401) {
                throw failure(Reason.AUTHENTICATION_REQUIRED, status, detail, null);
            }
            throw new ProxyChallengeException(proxy, prefix() + detail, challenges);
        }
        throw failure(Reason.REFUSED, status, "the proxy refused the tunnel: " + statusLine.trim(), null);
    }

    /** The status code of {@code HTTP/1.x NNN reason}. */
    private int status(String line) {
        int space = line.indexOf(' ');
        if (space > 0 && line.length() >= space + 4 && (line.length() == space + 4 || line.charAt(space + 4) == ' ')) {
            int code = 0;
            for (int i = space + 1; i < space + 4; i++) {
                char c = line.charAt(i);
                if (c < '0' || c > '9') {
                    code = -1;
                    break;
                }
                code = code * 10 + (c - '0');
            }
            if (code >= 100) {
                return code;
            }
        }
        throw failure(Reason.PROTOCOL, -1, "the proxy's answer to CONNECT has no valid status line: " + line, null);
    }

    /** Up to 40 characters of what the proxy sent, control characters escaped, for a message. */
    private static String printable(ByteBuffer in) {
        StringBuilder sb = new StringBuilder("\"");
        int n = Math.min(40, in.remaining());
        for (int i = 0; i < n; i++) {
            int b = in.get(in.position() + i) & 0xff;
            if (b >= 0x20 && b < 0x7f) {
                sb.append((char) b);
            } else {
                sb.append(String.format(Locale.ROOT, "\\x%02x", b));
            }
        }
        return sb.append(in.remaining() > n ? "...\"" : "\"").toString();
    }
}
