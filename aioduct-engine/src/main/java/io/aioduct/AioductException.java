package io.aioduct;

import org.jspecify.annotations.Nullable;

/**
 * The root of every failure an exchange can end with. Each subtype means one thing a caller can act
 * on; the original cause, when there is one, is kept.
 *
 * <p>Invalid input (a malformed URL, an illegal header) is not an exchange failure: it is rejected with
 * an {@link IllegalArgumentException} when the request is built, before anything is sent.
 */
public class AioductException extends RuntimeException {

    public AioductException(String message) {
        super(message);
    }

    public AioductException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
