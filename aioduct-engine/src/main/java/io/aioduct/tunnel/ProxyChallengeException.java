package io.aioduct.tunnel;

import io.aioduct.proxy.Proxy;
import io.aioduct.proxy.ProxyConnectException;
import java.util.List;

/**
 * An HTTP proxy answered {@code CONNECT} with 407: {@link Reason#AUTHENTICATION_REQUIRED}, status 407,
 * carrying the proxy's {@code Proxy-Authenticate} challenges so the engine can answer one (Digest, say) on a
 * new connection. The transport it came over is closed. Users see it as the public {@link
 * ProxyConnectException}; the message already names the challenges' schemes.
 */
public final class ProxyChallengeException extends ProxyConnectException {
    private final List<String> challenges;

    ProxyChallengeException(Proxy proxy, String message, List<String> challenges) {
        super(proxy, Reason.AUTHENTICATION_REQUIRED, 407, message, null);
        this.challenges = List.copyOf(challenges);
    }

    /** The values of the answer's {@code Proxy-Authenticate} fields, in order, as sent; empty if none. */
    public List<String> challenges() {
        return challenges;
    }
}
