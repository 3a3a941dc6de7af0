package io.aioduct.pool;

/**
 * What the pool needs from a connection. Implemented by the protocol connections; the pool calls
 * these only to decide reuse and to close.
 */
public interface PooledConnection {

    /** Whether the connection can carry another exchange (open, not told to close, in a clean state). */
    boolean isReusable();

    /**
     * A last check before an idle connection is handed out; may cost a system call (a blocking socket
     * probes for a peer close). Returns false if the connection must be discarded.
     */
    default boolean validate() {
        return isReusable();
    }

    /** When the connection was established, for the max-lifetime rule. */
    long createdNanos();

    /** When it last became idle (set by the pool). */
    long idleSinceNanos();

    void idleSinceNanos(long nanos);

    /** Closes the connection; idempotent. {@code reason} is for logs and events. */
    void close(String reason);
}
