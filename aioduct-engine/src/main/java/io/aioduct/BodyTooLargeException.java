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

    public long limit() {
        return limit;
    }
}
