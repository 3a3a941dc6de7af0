package io.aioduct.tunnel;

import io.aioduct.proxy.Proxy;
import io.aioduct.proxy.ProxyConnectException.Reason;
import io.netty.util.NetUtil;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * SOCKS4a: one request, {@code VN 4, CD 1, DSTPORT, DSTIP 0.0.0.1, USERID, NUL, host, NUL}, for the proxy to
 * resolve the host; an IPv4 literal goes as plain SOCKS4 ({@code DSTIP} itself, no name). The 8-byte reply's
 * {@code CD} is 90 when granted; 91 to 93 are refusals. SOCKS4 has no IPv6 addresses: an IPv6 literal host is
 * refused before anything is sent.
 */
final class Socks4Handshake extends Handshake {
    private static final int GRANTED = 90;

    private boolean done;

    Socks4Handshake(Proxy proxy, String host, int port) {
        super(proxy, host, port);
        if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException(
                    "SOCKS4a cannot carry the IPv6 address " + host + " (proxy " + proxy + ")");
        }
    }

    @Override
    String protocol() {
        return "SOCKS4a";
    }

    @Override
    boolean done() {
        return done;
    }

    @Override
    byte[] start() {
        byte[] ip = NetUtil.createByteArrayFromIpAddressString(host);
        String username = proxy.username();
        ByteArrayOutputStream out = new ByteArrayOutputStream(host.length() + 16);
        out.write(4);
        out.write(1);
        out.write(port >> 8);
        out.write(port);
        // 0.0.0.x with x non-zero says "the host name follows" (SOCKS4a).
        out.writeBytes(ip != null ? ip : new byte[] {0, 0, 0, 1});
        out.writeBytes((username == null ? "" : username).getBytes(StandardCharsets.UTF_8));
        out.write(0);
        if (ip == null) {
            out.writeBytes(host.getBytes(StandardCharsets.US_ASCII));
            out.write(0);
        }
        return out.toByteArray();
    }

    @Override
    byte @Nullable [] receive(ByteBuffer in) {
        if (done) {
            return NOTHING;
        }
        if (in.remaining() < 8) {
            return null;
        }
        int version = in.get() & 0xff;
        int code = in.get() & 0xff;
        in.position(in.position() + 6); // DSTPORT and DSTIP: meaningless for CONNECT
        // The reply's version is 0; some proxies echo 4. Anything else is not SOCKS4.
        if (version != 0 && version != 4) {
            throw failure(Reason.PROTOCOL, -1, "the proxy's reply is not SOCKS4 (version byte " + version + ")", null);
        }
        if (code != GRANTED) {
            String name = switch (code) {
                case 91 -> "request rejected or failed";
                case 92 -> "request rejected: the proxy cannot reach the client's identd";
                case 93 -> "request rejected: the client's identd reported a different user id";
                default -> "unknown reply code";
            };
            throw failure(
                    code >= 91 && code <= 93 ? Reason.REFUSED : Reason.PROTOCOL,
                    code,
                    "the SOCKS4a proxy refused the tunnel: " + name + " (reply " + code + ")",
                    null);
        }
        done = true;
        return NOTHING;
    }
}
