package io.aioduct.exchange;

/**
 * Where a connection reports what its pool must know but no exchange carries: it closed (also while
 * idle), or how many exchanges it can take changed (HTTP/2 SETTINGS, GOAWAY). Implemented by the
 * engine's pool; protocol code never sees the pool itself. Leases are not returned here: an exchange
 * gives its own connection back ({@link ExchangeCall#release}).
 *
 * <p>Threading: called on the connection's own thread (its event loop, or the thread that noticed the
 * change on a blocking connection); implementations are thread-safe for a shared pool and confined to
 * the core for a per-core pool, whose connections never leave it.
 *
 * @param <C> the connection type the owner pools
 */
public interface ConnectionOwner<C extends PooledConnection> {

    /** The connection's {@link PooledConnection#capacity()} or its settledness changed. */
    void capacityChanged(C connection);

    /** The connection closed; the owner forgets it. Idempotent. */
    void closed(C connection);
}
