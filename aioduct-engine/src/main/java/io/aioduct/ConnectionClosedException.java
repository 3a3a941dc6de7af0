package io.aioduct;

import org.jspecify.annotations.Nullable;

/**
 * The connection broke while the exchange was using it: the peer closed or reset it before the
 * response was complete, or an I/O error occurred. Idempotent requests that fail this way on a reused
 * connection before any response byte arrived are retried once automatically; this exception means the
 * retry was not possible or also failed.
 */
public class ConnectionClosedException extends AioductException {

    public ConnectionClosedException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
