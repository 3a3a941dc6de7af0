package io.aioduct.body;

import io.aioduct.BodyTooLargeException;

/**
 * A compressed response body decoded to more than a decompression guard allows (a size limit, or a
 * decoded:compressed ratio): a {@link BodyTooLargeException} to the caller, with a message naming the
 * coding and the guard. The connection was closed.
 */
public final class DecompressionBombException extends BodyTooLargeException {
    DecompressionBombException(String message, long limit) {
        super(message, limit);
    }
}
