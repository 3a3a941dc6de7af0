package io.aioduct;

import java.time.Duration;
import java.util.Objects;

/**
 * A timeout fired. {@link #kind()} says which one, {@link #timeout()} how long it was; the message
 * names both. The connection the exchange was using, if any, has been closed.
 */
public class TimedOutException extends AioductException {

    /** Which timeout fired. */
    public enum Kind {
        /** Establishing the TCP (and TLS) connection. */
        CONNECT,
        /** Waiting for a pooled connection while the pool was at its limit. */
        ACQUIRE,
        /** From the request being sent until the response headers arrived. */
        RESPONSE,
        /** No byte arrived for this long while the exchange was waiting for one. */
        READ,
        /** The whole exchange, from the call until the body was read. */
        TOTAL,
        /** The TLS handshake, after the TCP connection was made. */
        TLS_HANDSHAKE;

        /** How the kind reads in a message: "connect", "TLS handshake", ... */
        public String label() {
            return this == TLS_HANDSHAKE ? "TLS handshake" : name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Kind kind;
    private final Duration timeout;

    public TimedOutException(Kind kind, Duration timeout, String detail) {
        super(kind.label() + " timeout of " + timeout.toMillis() + " ms fired: " + detail);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.timeout = timeout;
    }

    public Kind kind() {
        return kind;
    }

    public Duration timeout() {
        return timeout;
    }
}
