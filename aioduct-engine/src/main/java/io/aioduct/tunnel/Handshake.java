package io.aioduct.tunnel;

import io.aioduct.TimedOutException;
import io.aioduct.proxy.Proxy;
import io.aioduct.proxy.ProxyConnectException;
import io.aioduct.proxy.ProxyConnectException.Reason;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * One proxy handshake as a sans-I/O state machine, written once for both drivers ({@link LoopTunnel},
 * {@link BlockingTunnel}): the driver sends {@link #start()}, then feeds what it reads to {@link
 * #receive}, sends what that returns, and stops when {@link #done()}. Whatever the last {@code receive}
 * left unread belongs to the tunnel (the origin's first bytes) and must be handed on, not dropped.
 * Failures are {@link ProxyConnectException}s whose message names the proxy (never its password) and the
 * target. Not thread-safe: one handshake, one driver.
 */
abstract sealed class Handshake permits HttpConnectHandshake, Socks5Handshake, Socks4Handshake {

    /**
     * The most a proxy may send before the tunnel opens (a CONNECT answer's header block; SOCKS replies are
     * at most 262 bytes): a proxy that goes on past it is not speaking the protocol.
     */
    static final int MAX_ANSWER = 64 * 1024;

    final Proxy proxy;
    final String host;
    final int port;

    Handshake(Proxy proxy, String host, int port) {
        this.proxy = proxy;
        this.host = host;
        this.port = port;
    }

    /** The handshake for {@code proxy}'s protocol; {@code proxyAuthorization} is used by HTTP only. */
    static Handshake of(Proxy proxy, String host, int port, @Nullable String proxyAuthorization) {
        return switch (proxy.type()) {
            case HTTP -> new HttpConnectHandshake(proxy, host, port, proxyAuthorization);
            case SOCKS5 -> new Socks5Handshake(proxy, host, port);
            case SOCKS4 -> new Socks4Handshake(proxy, host, port);
        };
    }

    /** The bytes to send first. */
    abstract byte[] start();

    /**
     * Consumes from {@code in} (in read mode) what the current step needs, if it is all there.
     *
     * @return the bytes to send next (empty when there are none, for instance once {@link #done()}), or null
     *     when more input is needed, in which case nothing was consumed
     * @throws ProxyConnectException if the proxy refused, wants credentials, or broke its protocol
     */
    abstract byte @Nullable [] receive(ByteBuffer in);

    /** Whether the tunnel is open: what is left in the input belongs to the origin. */
    abstract boolean done();

    /** The protocol's name in messages: "CONNECT", "SOCKS5", "SOCKS4a". */
    abstract String protocol();

    /** {@code host:port}, an IPv6 literal in brackets. */
    final String target() {
        return authority(host, port);
    }

    static String authority(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** A failure whose message reads "tunnel to example.com:443 through socks5://127.0.0.1:1080: detail". */
    final ProxyConnectException failure(Reason reason, int status, String detail, @Nullable Throwable cause) {
        return new ProxyConnectException(proxy, reason, status, prefix() + detail, cause);
    }

    final String prefix() {
        return "tunnel to " + target() + " through " + proxy + ": ";
    }

    /** The proxy closed the connection (or it broke: {@code cause}) before the handshake ended. */
    final ProxyConnectException closedEarly(@Nullable Throwable cause) {
        String how = cause == null ? "closed the connection" : "broke the connection (" + cause + ")";
        return failure(Reason.PROTOCOL, -1, "the proxy " + how + " during the " + protocol() + " handshake", cause);
    }

    final TimedOutException timedOut(Duration timeout) {
        return new TimedOutException(
                TimedOutException.Kind.CONNECT,
                timeout,
                "opening a tunnel to " + target() + " through " + proxy + " (" + protocol() + " handshake)");
    }

    /**
     * {@code acc} (read mode) with {@code n} more bytes from {@code bytes} appended: the same buffer when
     * they fit, else a larger one.
     *
     * @throws ProxyConnectException if the proxy has now sent more than {@link #MAX_ANSWER} bytes
     */
    final ByteBuffer append(ByteBuffer acc, byte[] bytes, int offset, int n) {
        if (acc.remaining() + n > MAX_ANSWER) {
            throw failure(
                    Reason.PROTOCOL,
                    -1,
                    "the proxy sent more than " + MAX_ANSWER + " bytes without finishing the " + protocol()
                            + " handshake",
                    null);
        }
        if (acc.capacity() - acc.limit() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(acc.capacity() * 2, acc.remaining() + n));
            bigger.put(acc);
            acc = bigger.flip();
        }
        int position = acc.position();
        acc.position(acc.limit()).limit(acc.limit() + n);
        acc.put(bytes, offset, n);
        return acc.position(position);
    }

    /** An empty accumulation buffer in read mode. */
    static ByteBuffer emptyInput() {
        return ByteBuffer.allocate(256).flip();
    }

    static final byte[] NOTHING = new byte[0];
}
