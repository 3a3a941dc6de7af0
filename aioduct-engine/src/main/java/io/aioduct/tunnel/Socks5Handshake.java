package io.aioduct.tunnel;

import io.aioduct.proxy.Proxy;
import io.aioduct.proxy.ProxyConnectException.Reason;
import io.netty.util.NetUtil;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * SOCKS5 (RFC 1928), with username/password authentication (RFC 1929) when the proxy has credentials. One
 * step at a time, each waiting for the proxy's answer: the greeting offers "no authentication" and, with
 * credentials, "username/password"; then the credentials if the proxy chose them; then CONNECT, with the
 * host as a domain name for the proxy to resolve (an IP literal as an IPv4 or IPv6 address). The reply's
 * bound address is read and skipped whatever its type.
 */
final class Socks5Handshake extends Handshake {
    private static final int VERSION = 5;
    private static final int NO_AUTHENTICATION = 0x00;
    private static final int USERNAME_PASSWORD = 0x02;
    private static final int NO_ACCEPTABLE_METHOD = 0xff;
    private static final int CMD_CONNECT = 1;
    private static final int ATYP_IPV4 = 1;
    private static final int ATYP_DOMAIN = 3;
    private static final int ATYP_IPV6 = 4;

    /** RFC 1928 section 6: the reply codes 1 to 8. */
    private static final String[] REPLIES = {
        "succeeded",
        "general failure",
        "connection not allowed by ruleset",
        "network unreachable",
        "host unreachable",
        "connection refused",
        "TTL expired",
        "command not supported",
        "address type not supported"
    };

    private enum Step {
        METHOD,
        AUTHENTICATION,
        CONNECT,
        DONE
    }

    private final byte[] connectRequest;
    private Step step = Step.METHOD;

    Socks5Handshake(Proxy proxy, String host, int port) {
        super(proxy, host, port);
        this.connectRequest = connectRequest(host, port);
    }

    @Override
    String protocol() {
        return "SOCKS5";
    }

    @Override
    boolean done() {
        return step == Step.DONE;
    }

    @Override
    byte[] start() {
        return proxy.username() == null
                ? new byte[] {VERSION, 1, NO_AUTHENTICATION}
                : new byte[] {VERSION, 2, NO_AUTHENTICATION, USERNAME_PASSWORD};
    }

    private static byte[] connectRequest(String host, int port) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(host.length() + 7);
        out.writeBytes(new byte[] {VERSION, CMD_CONNECT, 0});
        byte[] ip = NetUtil.createByteArrayFromIpAddressString(host);
        if (ip != null) {
            out.write(ip.length == 4 ? ATYP_IPV4 : ATYP_IPV6);
            out.writeBytes(ip);
        } else {
            byte[] name = host.getBytes(StandardCharsets.US_ASCII);
            if (name.length > 255 || name.length == 0) {
                throw new IllegalArgumentException("a SOCKS5 domain name is 1 to 255 bytes; " + host + " is not");
            }
            out.write(ATYP_DOMAIN);
            out.write(name.length);
            out.writeBytes(name);
        }
        out.write(port >> 8);
        out.write(port);
        return out.toByteArray();
    }

    @Override
    byte @Nullable [] receive(ByteBuffer in) {
        return switch (step) {
            case METHOD -> method(in);
            case AUTHENTICATION -> authentication(in);
            case CONNECT -> reply(in);
            case DONE -> NOTHING;
        };
    }

    private byte @Nullable [] method(ByteBuffer in) {
        if (in.remaining() < 2) {
            return null;
        }
        checkVersion(in.get(), "method selection");
        int method = in.get() & 0xff;
        if (method == NO_AUTHENTICATION) {
            step = Step.CONNECT;
            return connectRequest;
        }
        if (method == USERNAME_PASSWORD && proxy.username() != null) {
            step = Step.AUTHENTICATION;
            return credentials();
        }
        if (method == NO_ACCEPTABLE_METHOD) {
            throw failure(
                    Reason.AUTHENTICATION_REQUIRED,
                    -1,
                    "the SOCKS5 proxy accepts none of the authentication methods offered ("
                            + (proxy.username() == null ? "no authentication" : "none, username/password")
                            + ")",
                    null);
        }
        throw failure(Reason.PROTOCOL, -1, "the SOCKS5 proxy chose method " + method + ", which was not offered", null);
    }

    /** RFC 1929: VER 1, ULEN, UNAME, PLEN, PASSWD. */
    private byte[] credentials() {
        String username = proxy.username();
        String password = proxy.password();
        byte[] user = (username == null ? "" : username).getBytes(StandardCharsets.UTF_8);
        byte[] pass = (password == null ? "" : password).getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(3 + user.length + pass.length);
        out.write(1);
        out.write(user.length);
        out.writeBytes(user);
        out.write(pass.length);
        out.writeBytes(pass);
        return out.toByteArray();
    }

    private byte @Nullable [] authentication(ByteBuffer in) {
        if (in.remaining() < 2) {
            return null;
        }
        int version = in.get() & 0xff;
        // RFC 1929 says 1; some proxies answer with the SOCKS version, 5. Either is the answer.
        if (version != 1 && version != VERSION) {
            throw failure(
                    Reason.PROTOCOL, -1, "the SOCKS5 proxy answered the credentials with version " + version, null);
        }
        int status = in.get() & 0xff;
        if (status != 0) {
            throw failure(
                    Reason.AUTHENTICATION_REQUIRED,
                    status,
                    "the SOCKS5 proxy rejected the username/password of user " + proxy.username() + " (status " + status
                            + ")",
                    null);
        }
        step = Step.CONNECT;
        return connectRequest;
    }

    /** VER REP RSV ATYP BND.ADDR BND.PORT: fails on REP as soon as it is there; else waits for the whole reply. */
    private byte @Nullable [] reply(ByteBuffer in) {
        int start = in.position();
        if (in.remaining() < 2) {
            return null;
        }
        checkVersion(in.get(start), "CONNECT reply");
        int reply = in.get(start + 1) & 0xff;
        if (reply != 0) {
            String name = reply < REPLIES.length ? REPLIES[reply] : "unknown reply code";
            throw failure(
                    Reason.REFUSED,
                    reply,
                    "the SOCKS5 proxy refused the tunnel: " + name + " (reply " + reply + ")",
                    null);
        }
        if (in.remaining() < 5) {
            return null;
        }
        int atyp = in.get(start + 3) & 0xff;
        int length = switch (atyp) {
            case ATYP_IPV4 -> 4 + 4 + 2;
            case ATYP_IPV6 -> 4 + 16 + 2;
            case ATYP_DOMAIN -> 4 + 1 + (in.get(start + 4) & 0xff) + 2;
            default -> throw failure(Reason.PROTOCOL, -1, "the SOCKS5 proxy's reply has address type " + atyp, null);
        };
        if (in.remaining() < length) {
            return null;
        }
        in.position(start + length);
        step = Step.DONE;
        return NOTHING;
    }

    private void checkVersion(byte version, String what) {
        if (version != VERSION) {
            throw failure(
                    Reason.PROTOCOL,
                    -1,
                    "the proxy's " + what + " is not SOCKS5 (version byte " + (version & 0xff) + ")",
                    null);
        }
    }
}
