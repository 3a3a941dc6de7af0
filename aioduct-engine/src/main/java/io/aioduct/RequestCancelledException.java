package io.aioduct;

import org.jspecify.annotations.Nullable;

/**
 * The exchange was abandoned before it completed: its future was cancelled, its body was closed early,
 * or the engine shut down (after its grace period) while it was in flight. Its connection was closed.
 */
public class RequestCancelledException extends AioductException {

    public RequestCancelledException(String message) {
        super(message);
    }

    public RequestCancelledException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
