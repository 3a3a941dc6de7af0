package io.aioduct.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.aioduct.proxy.Proxy;
import io.aioduct.proxy.ProxyConnectException;
import io.aioduct.proxy.ProxyConnectException.Reason;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The sans-I/O handshakes on their own: the exact bytes each sends, answers fed whole and one byte at a
 * time, the bytes after an answer left for the tunnel, and every failure's reason, status and message.
 */
class HandshakeTest {
    private static final Proxy HTTP = Proxy.http("proxy.example", 3128);
    private static final Proxy SOCKS5 = Proxy.socks5("proxy.example", 1080);
    private static final Proxy SOCKS4 = Proxy.socks4("proxy.example", 1080);

    // ---- HTTP CONNECT ----

    @Test
    void connectNamesTheTargetInTheRequestLineAndHost() {
        assertThat(ascii(Handshake.of(HTTP, "example.com", 443, null).start()))
                .isEqualTo("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
        assertThat(ascii(Handshake.of(HTTP, "::1", 8443, "Basic YTpi").start()))
                .isEqualTo(
                        "CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\nProxy-Authorization: Basic YTpi\r\n\r\n");
    }

    @Test
    void aHostThatWouldSplitTheRequestIsRefused() {
        assertThatThrownBy(() -> Handshake.of(HTTP, "evil\r\nX: y", 443, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Handshake.of(HTTP, "example.com", 443, "Basic a\r\nX: y"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void a2xxOpensTheTunnelAndLeavesWhatFollowsTheBlankLine() {
        String answer = "HTTP/1.1 200 Connection established\r\nVia: 1.1 proxy\r\n\r\n";
        for (boolean byteByByte : new boolean[] {false, true}) {
            Handshake h = Handshake.of(HTTP, "example.com", 443, null);
            ByteBuffer rest = feed(h, bytes(answer + "\u0016\u0003\u0001origin"), byteByByte);
            assertThat(h.done()).isTrue();
            assertThat(ascii(rest)).isEqualTo("\u0016\u0003\u0001origin");
        }
    }

    @Test
    void interimAnswersAreSkippedAndBareLineFeedsAccepted() {
        Handshake h = Handshake.of(HTTP, "example.com", 443, null);
        ByteBuffer rest = feed(h, bytes("HTTP/1.1 100 Continue\n\nHTTP/1.0 200 OK\n\nx"), true);
        assertThat(h.done()).isTrue();
        assertThat(ascii(rest)).isEqualTo("x");
    }

    @Test
    void aContentLengthOnA2xxIsIgnored() {
        Handshake h = Handshake.of(HTTP, "example.com", 443, null);
        ByteBuffer rest = feed(h, bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"), false);
        assertThat(h.done()).isTrue();
        assertThat(ascii(rest)).isEqualTo("hello");
    }

    @Test
    void a407KeepsEveryChallenge() {
        Handshake h = Handshake.of(HTTP, "example.com", 443, "Basic YTpi");
        ProxyChallengeException e = catchThrowableOfType(
                ProxyChallengeException.class,
                () -> feed(
                        h,
                        bytes("HTTP/1.1 407 Proxy Authentication Required\r\n"
                                + "Proxy-Authenticate: Digest realm=\"r\", nonce=\"n\"\r\n"
                                + "proxy-authenticate:Basic realm=\"r\"\r\nContent-Length: 3\r\n\r\nabc"),
                        false));
        assertThat(e.reason()).isEqualTo(Reason.AUTHENTICATION_REQUIRED);
        assertThat(e.status()).isEqualTo(407);
        assertThat(e.challenges()).containsExactly("Digest realm=\"r\", nonce=\"n\"", "Basic realm=\"r\"");
        assertThat(e.getMessage())
                .isEqualTo("tunnel to example.com:443 through http://proxy.example:3128: the proxy rejected the"
                        + " credentials sent (HTTP/1.1 407 Proxy Authentication Required; Proxy-Authenticate: Digest"
                        + " realm=\"r\", nonce=\"n\", Basic realm=\"r\")");
    }

    @Test
    void anyOtherStatusIsARefusalNamingTheStatusLine() {
        ProxyConnectException e = failure(HTTP, "HTTP/1.1 503 Service Unavailable\r\n\r\n");
        assertThat(e.reason()).isEqualTo(Reason.REFUSED);
        assertThat(e.status()).isEqualTo(503);
        assertThat(e.getMessage())
                .isEqualTo("tunnel to example.com:443 through http://proxy.example:3128: the proxy refused the"
                        + " tunnel: HTTP/1.1 503 Service Unavailable");
    }

    @Test
    void anAnswerThatIsNotHttpFailsAtItsFirstBytes() {
        Handshake h = Handshake.of(HTTP, "example.com", 443, null);
        ProxyConnectException e = catchThrowableOfType(ProxyConnectException.class, () -> feed(h, bytes("SSH"), false));
        assertThat(e.reason()).isEqualTo(Reason.PROTOCOL);
        assertThat(e.getMessage()).endsWith("is not HTTP: \"SSH\"");
        assertThat(failure(HTTP, "HTTP/1.1 abc\r\n\r\n").reason()).isEqualTo(Reason.PROTOCOL);
    }

    @Test
    void anEndlessHeaderBlockIsAProtocolFailure() {
        Handshake h = Handshake.of(HTTP, "example.com", 443, null);
        byte[] header = bytes("X-Filler: " + "a".repeat(1000) + "\r\n");
        ByteBuffer in = Handshake.emptyInput();
        in = h.append(in, bytes("HTTP/1.1 200 OK\r\n"), 0, 17);
        ByteBuffer[] box = {in};
        assertThatThrownBy(() -> {
                    for (int i = 0; i < 100; i++) {
                        box[0] = h.append(box[0], header, 0, header.length);
                        assertThat(h.receive(box[0])).isNull();
                    }
                })
                .isInstanceOf(ProxyConnectException.class)
                .hasMessageContaining("more than 65536 bytes");
    }

    // ---- SOCKS5 ----

    @Test
    void socks5OffersUsernamePasswordOnlyWithCredentials() {
        assertThat(Handshake.of(SOCKS5, "example.com", 443, null).start()).containsExactly(5, 1, 0);
        assertThat(Handshake.of(SOCKS5.withCredentials("u", "p"), "example.com", 443, null)
                        .start())
                .containsExactly(5, 2, 0, 2);
    }

    @ParameterizedTest
    @CsvSource({
        "example.com, 050100030b6578616d706c652e636f6d01bb",
        "10.1.2.3, 050100010a01020301bb",
        "::1, 050100040000000000000000000000000000000101bb",
        "[::1], 050100040000000000000000000000000000000101bb"
    })
    void socks5ConnectsByNameOrByAddress(String host, String hex) {
        Handshake h = Handshake.of(SOCKS5, host.replace("[", "").replace("]", ""), 443, null);
        h.start();
        assertThat(h.receive(input(5, 0))).isEqualTo(HexFormat.of().parseHex(hex));
    }

    @Test
    void socks5SendsTheCredentialsWhenTheProxyChoosesThem() {
        Handshake h = Handshake.of(SOCKS5.withCredentials("alice", "pw"), "example.com", 443, null);
        h.start();
        assertThat(h.receive(input(5, 2))).isEqualTo(bytes("\u0001\u0005alice\u0002pw"));
        assertThat(h.receive(input(1, 0))).startsWith(5, 1, 0, 3);
        assertThat(h.done()).isFalse();
    }

    @ParameterizedTest
    @CsvSource({
        "050000010a0102030050, IPv4",
        "05000003096c6f63616c686f73740050, domain",
        "050000040000000000000000000000000000000100 50, IPv6"
    })
    void socks5SkipsTheBoundAddressOfEveryType(String reply, String what) {
        byte[] answer = HexFormat.of().parseHex(reply.replace(" ", ""));
        for (boolean byteByByte : new boolean[] {false, true}) {
            Handshake h = Handshake.of(SOCKS5, "example.com", 443, null);
            h.start();
            h.receive(input(5, 0));
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.writeBytes(answer);
            all.writeBytes(bytes("origin"));
            ByteBuffer rest = feed(h, all.toByteArray(), byteByByte);
            assertThat(h.done()).as(what).isTrue();
            assertThat(ascii(rest)).as(what).isEqualTo("origin");
        }
    }

    @ParameterizedTest
    @CsvSource({
        "1, general failure",
        "2, connection not allowed by ruleset",
        "3, network unreachable",
        "4, host unreachable",
        "5, connection refused",
        "6, TTL expired",
        "7, command not supported",
        "8, address type not supported",
        "9, unknown reply code"
    })
    void socks5FailureRepliesAreNamed(int code, String name) {
        Handshake h = Handshake.of(SOCKS5, "example.com", 443, null);
        h.start();
        h.receive(input(5, 0));
        ProxyConnectException e = catchThrowableOfType(ProxyConnectException.class, () -> h.receive(input(5, code)));
        assertThat(e.reason()).isEqualTo(Reason.REFUSED);
        assertThat(e.status()).isEqualTo(code);
        assertThat(e.getMessage())
                .isEqualTo("tunnel to example.com:443 through socks5://proxy.example:1080: the SOCKS5 proxy refused"
                        + " the tunnel: " + name + " (reply " + code + ")");
    }

    @Test
    void socks5AuthenticationFailuresRequireAuthentication() {
        Handshake none = Handshake.of(SOCKS5, "example.com", 443, null);
        none.start();
        ProxyConnectException e = catchThrowableOfType(ProxyConnectException.class, () -> none.receive(input(5, 0xff)));
        assertThat(e.reason()).isEqualTo(Reason.AUTHENTICATION_REQUIRED);

        Handshake wrong = Handshake.of(SOCKS5.withCredentials("alice", "secret-pw"), "example.com", 443, null);
        wrong.start();
        wrong.receive(input(5, 2));
        e = catchThrowableOfType(ProxyConnectException.class, () -> wrong.receive(input(1, 1)));
        assertThat(e.reason()).isEqualTo(Reason.AUTHENTICATION_REQUIRED);
        assertThat(e.status()).isEqualTo(1);
        assertThat(e.getMessage()).contains("socks5://alice@proxy.example:1080").doesNotContain("secret-pw");
    }

    @Test
    void socks5AnswersInAnotherProtocolAreProtocolFailures() {
        Handshake h = Handshake.of(SOCKS5, "example.com", 443, null);
        h.start();
        assertThat(catchThrowableOfType(ProxyConnectException.class, () -> h.receive(input('H', 'T')))
                        .reason())
                .isEqualTo(Reason.PROTOCOL);
        Handshake unoffered = Handshake.of(SOCKS5, "example.com", 443, null);
        unoffered.start();
        assertThat(catchThrowableOfType(ProxyConnectException.class, () -> unoffered.receive(input(5, 2)))
                        .reason())
                .isEqualTo(Reason.PROTOCOL);
        Handshake badType = Handshake.of(SOCKS5, "example.com", 443, null);
        badType.start();
        badType.receive(input(5, 0));
        assertThat(catchThrowableOfType(ProxyConnectException.class, () -> badType.receive(input(5, 0, 0, 7, 0)))
                        .reason())
                .isEqualTo(Reason.PROTOCOL);
    }

    @Test
    void socks5RefusesANameLongerThan255Bytes() {
        assertThatThrownBy(() -> Handshake.of(SOCKS5, "a".repeat(256), 443, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- SOCKS4a ----

    @Test
    void socks4aSendsTheNameAfterTheUserId() {
        assertThat(Handshake.of(SOCKS4.withCredentials("bob", ""), "example.com", 80, null)
                        .start())
                .isEqualTo(HexFormat.of().parseHex("0401005000000001626f6200" + "6578616d706c652e636f6d00"));
        assertThat(Handshake.of(SOCKS4, "10.1.2.3", 80, null).start())
                .as("an IPv4 literal goes as plain SOCKS4")
                .isEqualTo(HexFormat.of().parseHex("040100500a01020300"));
        assertThatThrownBy(() -> Handshake.of(SOCKS4, "::1", 80, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void socks4aGrantedLeavesWhatFollows() {
        for (boolean byteByByte : new boolean[] {false, true}) {
            Handshake h = Handshake.of(SOCKS4, "example.com", 80, null);
            h.start();
            ByteBuffer rest = feed(h, HexFormat.of().parseHex("005a000000000000" + "6f726967696e"), byteByByte);
            assertThat(h.done()).isTrue();
            assertThat(ascii(rest)).isEqualTo("origin");
        }
    }

    @ParameterizedTest
    @CsvSource({
        "91, request rejected or failed",
        "92, request rejected: the proxy cannot reach the client's identd",
        "93, request rejected: the client's identd reported a different user id"
    })
    void socks4aRejectionsAreNamed(int code, String name) {
        Handshake h = Handshake.of(SOCKS4, "example.com", 80, null);
        h.start();
        ProxyConnectException e =
                catchThrowableOfType(ProxyConnectException.class, () -> h.receive(input(0, code, 0, 0, 0, 0, 0, 0)));
        assertThat(e.reason()).isEqualTo(Reason.REFUSED);
        assertThat(e.status()).isEqualTo(code);
        assertThat(e.getMessage()).endsWith(name + " (reply " + code + ")");
    }

    // ---- helpers ----

    private static ProxyConnectException failure(Proxy proxy, String answer) {
        Handshake h = Handshake.of(proxy, "example.com", 443, null);
        return catchThrowableOfType(ProxyConnectException.class, () -> feed(h, bytes(answer), false));
    }

    /** Feeds {@code answer} whole or a byte at a time until done; returns what is left for the tunnel. */
    private static ByteBuffer feed(Handshake h, byte[] answer, boolean byteByByte) {
        ByteBuffer in = Handshake.emptyInput();
        int step = byteByByte ? 1 : answer.length;
        int i = 0;
        for (; i < answer.length && !h.done(); i += step) {
            in = h.append(in, answer, i, Math.min(step, answer.length - i));
            while (!h.done() && h.receive(in) != null) {
                // each step's answer consumed; go on while there is more
            }
        }
        // What arrives after the handshake ended (in later reads) is the tunnel's too.
        return i < answer.length ? h.append(in, answer, i, answer.length - i) : in;
    }

    private static ByteBuffer input(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) b[i] = (byte) bytes[i];
        return ByteBuffer.wrap(b);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String ascii(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static String ascii(ByteBuffer b) {
        byte[] rest = new byte[b.remaining()];
        b.duplicate().get(rest);
        return ascii(rest);
    }
}
