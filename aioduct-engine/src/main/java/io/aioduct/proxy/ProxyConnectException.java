package io.aioduct.proxy;

import io.aioduct.ConnectFailedException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A connection through a proxy failed at the proxy: nothing reached the origin. The message names the
 * proxy (never its password) and what went wrong; {@link #reason()} says which of the cases it was.
 */
public class ProxyConnectException extends ConnectFailedException {

    /** What went wrong at the proxy. */
    public enum Reason {
        /** The proxy itself could not be reached (resolution, refused, unreachable). */
        UNREACHABLE,
        /** The proxy wants credentials (HTTP 407, or SOCKS5 offering no method we can use) or refused them. */
        AUTHENTICATION_REQUIRED,
        /** The proxy refused the tunnel: a non-2xx answer to CONNECT, or a SOCKS failure reply. */
        REFUSED,
        /** The proxy answered something that is not its protocol, or closed the connection mid-handshake. */
        PROTOCOL
    }

    private final Proxy proxy;
    private final Reason reason;
    private final int status;

    /**
     * @param status the proxy's HTTP status for a refused or challenged CONNECT, the SOCKS reply code for a
     *     SOCKS failure, or -1
     */
    public ProxyConnectException(Proxy proxy, Reason reason, int status, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.proxy = Objects.requireNonNull(proxy, "proxy");
        this.reason = Objects.requireNonNull(reason, "reason");
        this.status = status;
    }

    public Proxy proxy() {
        return proxy;
    }

    public Reason reason() {
        return reason;
    }

    /** The CONNECT answer's HTTP status, the SOCKS reply code, or -1 when there was none. */
    public int status() {
        return status;
    }
}
