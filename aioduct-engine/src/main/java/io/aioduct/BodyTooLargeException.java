package io.aioduct;

/**
 * A body asked for in one piece ({@code bytes()}, {@code string()}) is larger than the configured
 * maximum. Stream the body instead, or raise the limit. The connection was closed rather than drained.
 */
public class BodyTooLargeException extends AioductException {

    private final long limit;

    public BodyTooLargeException(long limit, String detail) {
        super("response body exceeds the buffered-body limit of " + limit + " bytes: " + detail);
        this.limit = limit;
    }

    /** For a subclass with its own message: a decoded body that passed a decompression guard. */
    protected BodyTooLargeException(String message, long limit) {
        super(message);
        this.limit = limit;
    }

    /** The limit passed, in bytes. */
    public long limit() {
        return limit;
    }
}
