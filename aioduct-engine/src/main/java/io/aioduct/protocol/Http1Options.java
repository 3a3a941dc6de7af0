package io.aioduct.protocol;

/**
 * Connection-level HTTP/1.1 settings, fixed per engine.
 *
 * @param maxHeadBytes largest response head (status line plus headers) accepted
 * @param bodyHighWaterBytes buffered-but-unread body bytes at which reading from the socket pauses
 * @param eagerBodyBytes bodies with a Content-Length up to this size are gathered straight into one
 *     array as they arrive (one copy, handed to {@code bytes()} as is); a larger body stays in the
 *     transport's buffers until it is read, so a stream reader gets it without a body-sized copy
 */
public record Http1Options(int maxHeadBytes, int bodyHighWaterBytes, int eagerBodyBytes) {
    // 8 KiB eager: a small body (the common API answer) costs one exact array and frees the network buffer
    // at once; a larger one is more often streamed, and a stream reader or bytes() copies it only once.
    public static final Http1Options DEFAULT = new Http1Options(32 * 1024, 256 * 1024, 8 * 1024);

    public Http1Options {
        if (maxHeadBytes < 256) {
            throw new IllegalArgumentException("maxHeadBytes must be >= 256, was " + maxHeadBytes);
        }
        if (bodyHighWaterBytes < 1024) {
            throw new IllegalArgumentException("bodyHighWaterBytes must be >= 1024, was " + bodyHighWaterBytes);
        }
        if (eagerBodyBytes < 0) {
            throw new IllegalArgumentException("eagerBodyBytes must be >= 0, was " + eagerBodyBytes);
        }
    }
}
