package io.aioduct;

import org.jspecify.annotations.Nullable;

/**
 * The peer broke the HTTP protocol: a malformed status line or header, conflicting or wrong framing
 * (Content-Length, chunk sizes), headers over the configured limit. The connection it happened on has
 * been closed (over HTTP/2, a malformed response resets only its stream and the connection carries on);
 * other requests are unaffected.
 */
public class HttpProtocolException extends AioductException {

    public HttpProtocolException(String message) {
        super(message);
    }

    public HttpProtocolException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
