package io.aioduct.engine;

import io.aioduct.AioductException;
import io.aioduct.exchange.PooledConnection;

/**
 * A request waiting for a connection. Exactly one method is called, once, outside the pool's lock, on
 * whichever thread freed the capacity.
 */
interface PoolWaiter<C extends PooledConnection> {

    /** An idle connection is now this waiter's (it counts as active). */
    void acquired(C connection);

    /** Capacity to open a new connection is now this waiter's: connect, then report to the pool. */
    void mayConnect();

    /** The wait ended without a connection (acquire timeout, pool closed). */
    void failed(AioductException cause);
}
