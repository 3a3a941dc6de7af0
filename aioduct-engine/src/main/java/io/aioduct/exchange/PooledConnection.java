package io.aioduct.exchange;

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

    /**
     * Whether the connection carries several exchanges at once (HTTP/2). A multiplexed connection is
     * shared by callers up to its {@link #capacity()}.
     */
    default boolean multiplexed() {
        return false;
    }

    /**
     * How many exchanges it can carry at once right now: 1 for HTTP/1.1; for HTTP/2 the server's
     * concurrent-stream limit (capped), and 0 once it takes no more (GOAWAY, closing). A multiplexed
     * connection tells its pool through {@link ConnectionOwner#capacityChanged} when this changes.
     */
    default int capacity() {
        return 1;
    }

    /**
     * Whether {@link #capacity()} is final rather than provisional: false for an HTTP/2 connection whose
     * server has not sent its first SETTINGS yet (its stream limit is unknown, so it takes one exchange).
     * While such a connection is in the pool, further requests wait for its SETTINGS rather than open
     * connections of their own. The connection calls {@link ConnectionOwner#capacityChanged} once it settles.
     */
    default boolean capacitySettled() {
        return true;
    }

    /** Closes the connection; idempotent. {@code reason} is for logs and events. */
    void close(String reason);
}
