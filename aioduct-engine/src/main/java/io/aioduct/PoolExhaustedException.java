package io.aioduct;

/**
 * The connection pool for an origin is at its connection limit and its queue of waiting requests is
 * full, so the request was refused at once rather than queued. (Waiting too long in the queue is a
 * {@link TimedOutException} of kind {@link TimedOutException.Kind#ACQUIRE}.)
 */
public class PoolExhaustedException extends AioductException {

    public PoolExhaustedException(String message) {
        super(message);
    }
}
