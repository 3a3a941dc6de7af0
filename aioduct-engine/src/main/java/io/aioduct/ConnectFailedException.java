package io.aioduct;

import org.jspecify.annotations.Nullable;

/**
 * A connection to the origin could not be established: name resolution failed, or every resolved
 * address refused or was unreachable. Nothing was sent. (A connect that runs out of time is a
 * {@link TimedOutException} of kind {@link TimedOutException.Kind#CONNECT}.)
 */
public class ConnectFailedException extends AioductException {

    public ConnectFailedException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
